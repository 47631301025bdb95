#!/usr/bin/env bash
# Runs every benchmark, one after the other, and writes their tables into one Markdown report:
# the store beside raw RocksDB, the API beside a bare gRPC echo, the 10-node swarm beside OpenDHT,
# Kubo beside swarmkv (the anchor's tables a-e, and a2 and b2 through the Python client), pubsub
# beside GossipSub, and the scale curves (10^4 to 10^6 contents on one node). Each part runs
# under its own time limit; a part that fails is named in the report and the others still run.
# The Python benchmarks also leave their raw figures in a folder (bench/bench_data.py), from which
# bench/charts.py draws PNG charts into charts/ beside the report.
#   bash bench/report.sh [--quick] [output, default bench/results/report.md]
# Takes about 50 minutes in full on 2 cores (--quick: about 13). Run it on an otherwise idle
# machine: the figures are ratios within one run, but a busy machine widens their spread.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [[ "${1:-}" == "--quick" ]]; then
  quick=1
  shift
fi
out="${1:-bench/results/report.md}"
mkdir -p "$(dirname "$out")"

bash scripts/install-deps.sh >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null

failed=()
part() {  # part TITLE LIMIT_S COMMAND...: one benchmark's tables, under a time limit
  local title="$1" limit="$2" rc=0 start=$SECONDS
  shift 2
  echo "report: $title ..." >&2
  {
    echo "## $title"
    echo
    timeout --foreground -k 30 "$limit" "$@" || rc=$?
    echo
    [ $rc -eq 0 ] || echo "**failed (rc=$rc); its log: the report's stderr**"
    echo
  } >>"$body"
  echo "report: $title: rc=$rc, $((SECONDS - start)) s" >&2
  [ $rc -eq 0 ] || failed+=("$title")
}

body="$(mktemp)"
export SWARMKV_BENCH_DATA="$(mktemp -d)"
trap 'rm -rf "$body" "$SWARMKV_BENCH_DATA"' EXIT
if [ $quick = 1 ]; then
  part "Store: sealed BlockStore beside raw RocksDB" 900 bash bench/run_store_bench.sh
  part "API: the node beside a bare gRPC echo" 900 bash bench/run_api_bench.sh 1
  part "Swarm: 10 nodes beside OpenDHT" 900 bash bench/run_swarm_bench.sh --keys 500
  part "Kubo beside swarmkv" 1800 bash bench/run_kubo_anchor.sh --quick
  part "Pubsub beside GossipSub" 1800 bash bench/run_pubsub_bench.sh --quick
  part "Scale: one node from 10^4 to 10^5 contents" 1800 bash bench/run_scale_bench.sh --quick
else
  part "Store: sealed BlockStore beside raw RocksDB" 1800 bash bench/run_store_bench.sh
  part "API: the node beside a bare gRPC echo" 1800 bash bench/run_api_bench.sh
  part "Swarm: 10 nodes beside OpenDHT" 1800 bash bench/run_swarm_bench.sh
  part "Kubo beside swarmkv" 3600 bash bench/run_kubo_anchor.sh
  part "Pubsub beside GossipSub" 3600 bash bench/run_pubsub_bench.sh
  part "Scale: one node from 10^4 to 10^6 contents" 3600 bash bench/run_scale_bench.sh
fi

charts="$(dirname "$out")/charts"
rm -rf "$charts"
{
  echo "## Charts"
  echo
  /usr/bin/python3 bench/charts.py "$SWARMKV_BENCH_DATA" "$charts" --link-prefix charts/ \
    | sed 's/$/\n/' || { echo "**failed: bench/charts.py**"; failed+=("Charts"); }
} >>"$body"

{
  echo "# swarmkv benchmark report"
  echo
  echo "swarmkv $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')," \
       "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB," \
       "$([ $quick = 1 ] && echo 'quick run' || echo 'full run'). Written by \`bash bench/report.sh\`."
  echo
  [ ${#failed[@]} -eq 0 ] || { echo "**Failed parts: ${failed[*]}**"; echo; }
  cat "$body"
} >"$out"
echo "report: written to $out" >&2
[ ${#failed[@]} -eq 0 ]
