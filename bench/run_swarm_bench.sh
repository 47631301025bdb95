#!/usr/bin/env bash
# Prints the swarm benchmark table (issue #4 §6): remote 1 KiB gets and puts on a 10-node
# loopback swarmkv cluster (TLS, fsync'd writes) beside OpenDHT's dhtnode on a 10-node loopback
# network, measured in this one run; then the simulator's lookup figures at 1,000 and 10,000
# nodes.
# usage: bash bench/run_swarm_bench.sh [swarm_bench.py flags, e.g. --keys 2000]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default --target swarmkv swarmkv-sim >/dev/null

/usr/bin/python3 bench/swarm_bench.py build/node/swarmkv rpc/proto "$@"
echo
echo "Simulator (virtual time, seed 1):"
build/testing/swarmkv-sim
