#!/usr/bin/env bash
# Runs the Kubo anchor (../shared/anchors/kubo: Kubo v0.43.0 beside swarmkv on this machine, tables
# a-e) against this checkout, then tables a2 and b2: 1 KiB puts and gets through the swarmkv
# Python client (bench/kubo_client.py). Markdown on stdout, progress on stderr.
#   bash bench/run_kubo_anchor.sh [--quick] [a|b|c|d|e|a2|b2 ...]   (default: all, a2 and b2 too)
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
client_tables=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    a2|b2) client_tables+=("$arg") ;;
    *) tables+=("$arg") ;;
  esac
done
anchor_tables=1
if [ ${#tables[@]} -eq 0 ]; then
  # client tables alone, or nothing named: then every table
  if [ ${#client_tables[@]} -gt 0 ]; then anchor_tables=0; else client_tables=(a2 b2); fi
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
if [ ${#client_tables[@]} -gt 0 ]; then
  mkdir "$work/client"
  IPFS_BIN="$ipfs" SWARMKV_BIN="$skv" KVBENCH_TMP="$work/client" KVBENCH_GEN="$repo/clients/python" \
    PYTHONPATH="$anchor" PYTHONDONTWRITEBYTECODE=1 \
    timeout --foreground -k 30 1800 /usr/bin/python3 "$repo/bench/kubo_client.py" \
    --tables "$(IFS=,; echo "${client_tables[*]}")" "${quick[@]}" || rc=$?
fi
exit $rc
