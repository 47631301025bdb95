#!/usr/bin/env bash
# Prints the pubsub benchmark (issue 10 §5) in one run: the simulator's Plumtree mesh and
# broadcast queries at 1,000 and 10,000 nodes; GossipSub (go-libp2p-pubsub) on the same number of
# nodes through ../shared/anchors/gossipsub (skipped, with a message, when Go or the anchor is
# absent); and 10 real daemons on loopback: publish -> deliver latency and messages/s at 1 KiB.
# usage: bash bench/run_pubsub_bench.sh [--quick]   (--quick: 1,000 nodes only, no anchor)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

bash scripts/install-deps.sh >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default --target swarmkv swarmkv-pubsubsim >/dev/null

echo "## swarmkv (simulator, virtual time, seed 1)"
build/testing/swarmkv-pubsubsim --nodes 1000 --messages 100
if [[ $quick == 0 ]]; then
  echo
  build/testing/swarmkv-pubsubsim --nodes 10000 --messages 20
fi

echo
echo "## GossipSub anchor (go-libp2p-pubsub, same workload)"
anchor=../shared/anchors/gossipsub
if [[ $quick == 1 ]]; then
  echo "skipped (--quick)"
elif ! command -v go >/dev/null; then
  echo "skipped: Go is not installed (the anchor builds go-libp2p-pubsub with it)"
elif [[ ! -f $anchor/run.sh ]]; then
  echo "skipped: $anchor is not here (it sits beside the repository in the workplace)"
else
  bash "$anchor/run.sh" 100 1000 || echo "the anchor failed (exit $?)"
fi

echo
echo "## Real daemons on loopback"
/usr/bin/python3 bench/pubsub_latency.py build/node/swarmkv rpc/proto
