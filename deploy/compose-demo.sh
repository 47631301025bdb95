#!/usr/bin/env bash
# Brings up the three-node Compose cluster of deploy/docker-compose.yml, puts a file on node 1
# with the host's swarmkv CLI, gets it back from node 3 through the swarm, compares the bytes,
# shows node 3's routing table, and takes the cluster down (volumes included).
# usage: bash deploy/compose-demo.sh
set -euo pipefail
cd "$(dirname "$0")"
bash build-images.sh
swarmkv="$PWD/../build/node/swarmkv"
compose() { docker-compose -p swarmkv-demo "$@"; }
work="$(mktemp -d /tmp/swarmkv-compose.XXXXXX)"
cleanup() { compose down -v >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

compose down -v >/dev/null 2>&1 || true
compose up -d
for port in 5001 5002 5003; do
  for _ in $(seq 150); do "$swarmkv" --api "127.0.0.1:$port" health >/dev/null 2>&1 && break; sleep 0.2; done
done
for port in 5001 5002 5003; do
  for _ in $(seq 150); do
    [ "$("$swarmkv" --api "127.0.0.1:$port" peers 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.2
  done
done
echo "== node 3's routing table"
"$swarmkv" --api 127.0.0.1:5003 peers
head -c 3000000 /dev/urandom >"$work/file"
echo "== put 3 MB on node 1"
cap="$("$swarmkv" --api 127.0.0.1:5001 put -q "$work/file")"
echo "$cap"
echo "== get it from node 3"
"$swarmkv" --api 127.0.0.1:5003 get "$cap" -o "$work/back"
cmp "$work/file" "$work/back" && echo "identical bytes through a Compose cluster"
