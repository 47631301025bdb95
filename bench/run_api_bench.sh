#!/usr/bin/env bash
# Prints the API benchmark table (issue #3 §4): the node's 1 KiB Put/Get at 1 and 16 calls in
# flight and 256 MiB streamed put/get, beside a bare gRPC echo service (with the node's call
# shapes, and unary), measured in this one run over TCP loopback; and the daemon's RSS.
# usage: bash bench/run_api_bench.sh [seconds per row]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-3}"

bash scripts/install-deps.sh >/dev/null
cmake --preset default >/dev/null
cmake --build --preset default --target swarmkv echo_server api_load >/dev/null
bin=build
work="$(mktemp -d /tmp/swarmkv-apibench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

echo_port=$(free_port)
"$bin/bench/echo_server" "127.0.0.1:$echo_port" & pids+=($!)

nodes=0
start_node() {  # extra daemon flags...; each node gets a fresh data dir, so no row pays for
  # the compactions of an earlier one
  node_port=$(free_port)
  nodes=$((nodes + 1))
  "$bin/node/swarmkv" --data-dir "$work/node$nodes" daemon --listen "127.0.0.1:$node_port" \
    --peer-listen off "$@" \
    2>"$work/daemon.log" &
  node_pid=$!
  pids+=($node_pid)
  for _ in $(seq 200); do
    "$bin/node/swarmkv" --api "127.0.0.1:$node_port" health >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "daemon did not start" >&2; cat "$work/daemon.log" >&2; exit 1
}
stop_node() { kill -TERM "$node_pid"; wait "$node_pid" || true; }

load() { "$bin/bench/api_load" "$@"; }
row() {  # label load-args...
  local label=$1; shift
  local unary_out shaped_out node_out
  unary_out=$(load small --target "127.0.0.1:$echo_port" --service echo --seconds "$seconds" "$@")
  shaped_out=$(load small --target "127.0.0.1:$echo_port" --service echo --shape stream \
    --seconds "$seconds" "$@")
  node_out=$(load small --target "127.0.0.1:$node_port" --service node --seconds "$seconds" "$@")
  read -r uo _ _ <<<"$unary_out"
  read -r so sp5 sp9 <<<"$shaped_out"
  read -r no np5 np9 <<<"$node_out"
  awk -v l="$label" -v uo="$uo" -v so="$so" -v sp5="$sp5" -v sp9="$sp9" -v no="$no" \
    -v np5="$np5" -v np9="$np9" 'BEGIN {
      printf "| %s | %d | %d | %d / %d | %d | %d / %d | **%.2f** | %.2f |\n",
        l, uo, so, sp5, sp9, no, np5, np9, no/so, no/uo }'
}

echo "swarmkv API benchmark — $(nproc) cores, $(date -u +%FT%TZ), TCP loopback, one HTTP/2 connection per client"
echo
start_node
idle_rss=$(rss_kib "$node_pid" VmRSS)
# Two baselines: the echo called with the node's own call shapes (Put: a client stream of a small
# header message and the data; Get: a server stream answering in one message), which isolates
# what the node adds to bare gRPC, and a unary Echo, the cheapest call gRPC has.
echo "| 1 KiB call | unary echo ops/s | same-shape echo ops/s | its p50 / p99 µs | node ops/s | node p50 / p99 µs | node / same-shape echo | node / unary echo |"
echo "|---|---|---|---|---|---|---|---|"
row "Get, 1 in flight" --op get --size 1024 --inflight 1
row "Get, 16 in flight" --op get --size 1024 --inflight 16
row "Put (sync on), 1 in flight" --op put --size 1024 --inflight 1
row "Put (sync on), 16 in flight" --op put --size 1024 --inflight 16
stop_node
start_node --sync-writes false
row "Put (sync off), 16 in flight" --op put --size 1024 --inflight 16
stop_node
start_node

echo
echo "| 256 MiB stream | echo MB/s | node MB/s | ratio |"
echo "|---|---|---|---|"
bytes=$((256 * 1024 * 1024))
for op in put get; do
  e=$(load stream --target "127.0.0.1:$echo_port" --service echo --op "$op" --bytes "$bytes")
  n=$(load stream --target "127.0.0.1:$node_port" --service node --op "$op" --bytes "$bytes")
  awk -v op="$op" -v e="$e" -v n="$n" 'BEGIN { printf "| %s | %.1f | %.1f | **%.2f** |\n", op, e, n, n/e }'
done
peak_rss=$(rss_kib "$node_pid" VmHWM)
stop_node
echo
echo "daemon RSS: idle $((idle_rss / 1024)) MiB, peak under this load $((peak_rss / 1024)) MiB"
