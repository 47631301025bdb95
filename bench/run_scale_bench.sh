#!/usr/bin/env bash
# Prints the scale table (issue 14): a node filled to 10^4, 10^5 and 10^6 pinned 1 KiB contents,
# and at each point put and get rates, pin/unpin latency, RSS, start-up time and the CPU of
# maintenance at rest beside a peer holding the same (bench/scale_bench.py says how). The full
# run takes about 25 minutes on 2 cores and 3-4 GB of disk; --quick (10^4 to 10^5) about 5.
#   bash bench/run_scale_bench.sh [--quick | --points 10000,100000,1000000]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default --target swarmkv api_load >/dev/null
echo "swarmkv scale benchmark — $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%FT%TZ)"
echo
/usr/bin/python3 bench/scale_bench.py build/node/swarmkv build/bench/api_load "$@"
