#!/usr/bin/env bash
# Runs the Kubo anchor (../shared/anchors/kubo: Kubo v0.43.0 beside swarmkv on this machine, tables
# a-e) against this checkout, then table b2: 1 KiB gets through the swarmkv Python client
# (bench/kubo_client_gets.py). Markdown on stdout, progress on stderr.
#   bash bench/run_kubo_anchor.sh [--quick] [a|b|c|d|e|b2 ...]   (default: all, b2 included)
# The anchor expects node.proto under api/proto of the directory it runs in; ours is under
# rpc/proto, so it runs in a scratch directory that maps one onto the other. Kubo is built once
# into the anchor's cache (about 5 minutes, Go module proxy). SWARMKV_ANCHORS: where the anchors
# are (default ../shared/anchors beside this repository).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
anchor="${SWARMKV_ANCHORS:-$repo/../shared/anchors}/kubo"
[ -f "$anchor/run.sh" ] || { echo "run_kubo_anchor: no Kubo anchor at $anchor" >&2; exit 2; }

quick=()
tables=()
client_gets=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    b2) client_gets=1 ;;
    *) tables+=("$arg") ;;
  esac
done
anchor_tables=1
if [ ${#tables[@]} -eq 0 ]; then
  # b2 alone, or nothing named: then every table
  if [ $client_gets = 1 ]; then anchor_tables=0; else client_gets=1; fi
fi

cd "$repo"
cmake --build --preset default --target swarmkv >/dev/null
skv="$repo/build/node/swarmkv"
ipfs="${IPFS_BIN:-$(bash "$anchor/build.sh")}"

work="$(mktemp -d "${TMPDIR:-/tmp}/skv-kubo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/view/api"
ln -s "$repo/rpc/proto" "$work/view/api/proto"
echo "swarmkv $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')" >&2

rc=0
if [ $anchor_tables = 1 ]; then
  (cd "$work/view" && SWARMKV_BIN="$skv" IPFS_BIN="$ipfs" bash "$anchor/run.sh" \
     "${quick[@]}" "${tables[@]}") || rc=$?
fi
if [ $client_gets = 1 ]; then
  mkdir "$work/b2"
  IPFS_BIN="$ipfs" SWARMKV_BIN="$skv" KVBENCH_TMP="$work/b2" KVBENCH_GEN="$repo/clients/python" \
    PYTHONPATH="$anchor" PYTHONDONTWRITEBYTECODE=1 \
    timeout --foreground -k 30 1200 /usr/bin/python3 "$repo/bench/kubo_client_gets.py" \
    "${quick[@]}" || rc=$?
fi
exit $rc
