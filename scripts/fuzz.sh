#!/usr/bin/env bash
# Runs every libFuzzer target of the asan build for a while (default 30 s each, one per core at a
# time) and fails on any crash, leak, sanitizer report, timeout or out-of-memory. New inputs go to
# a scratch directory, never into the committed corpus; what breaks a target is kept in
# build-asan/fuzz-artifacts/ (add it to fuzz/corpus/<target>/ once fixed, as a regression case).
#   bash scripts/fuzz.sh [seconds per target] [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
build=build-asan
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < "$build/fuzz/targets.txt"
fi
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# A libFuzzer process uses one core: run one target per core at a time (FUZZ_JOBS to change).
parallel="${FUZZ_JOBS:-$(nproc)}"

# Runs one target; never fails itself, so that `wait -n` under `set -e` does not stop the
# script: the outcome goes to $scratch/<target>.result and is read once all have run.
fuzz_one() {
  local target="$1" start execs
  mkdir -p "$scratch/$target"
  start=$(date +%s)
  if "$build/fuzz/$target" "$scratch/$target" "fuzz/corpus/$target" \
       -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -max_len=65536 \
       -artifact_prefix="$artifacts/$target-" -print_final_stats=1 \
       > "$artifacts/$target.log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$artifacts/$target.log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $target ok, $execs inputs in $(( $(date +%s) - start )) s"
    echo ok > "$scratch/$target.result"
  else
    echo "fuzz: $target FAILED (log: $artifacts/$target.log)"
    echo failed > "$scratch/$target.result"
  fi
}

for target in "${targets[@]}"; do
  [ -n "$target" ] || continue
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  fuzz_one "$target" &
done
wait

failed=()
for target in "${targets[@]}"; do
  [ -n "$target" ] || continue
  if [ "$(cat "$scratch/$target.result" 2>/dev/null)" != ok ]; then
    echo "=== fuzz: $target"
    tail -40 "$artifacts/$target.log"
    failed+=("$target")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets clean"
