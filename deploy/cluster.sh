#!/usr/bin/env bash
# The five-node Compose cluster of deploy/docker-compose.yml, in one command.
#   bash deploy/cluster.sh up        build the image, make the secrets once, start the nodes, wait
#                                    until every node is healthy and knows the other four, then
#                                    put a file on node 1, get it from node 5 and print how long
#                                    it took from `docker-compose up` to that first get
#   bash deploy/cluster.sh status    each node's health and how many peers it knows
#   bash deploy/cluster.sh secrets   only make the secrets (deploy/secrets/), if missing
#   bash deploy/cluster.sh down      stop and remove the containers (the data volumes stay)
#   bash deploy/cluster.sh destroy   the same, and remove the data volumes
# The Compose project is "swarmkv" unless COMPOSE_PROJECT_NAME says otherwise.
set -euo pipefail
cd "$(dirname "$0")"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-swarmkv}"
swarmkv="$PWD/../build/node/swarmkv"
nodes=(node1 node2 node3 node4 node5)
# The uid the image's node runs as (deploy/Dockerfile): it must be able to read the secrets.
node_uid=10001

compose() { docker-compose "$@"; }
api_port() { local var="SWARMKV_NODE${1#node}_PORT"; echo "${!var:-500${1#node}}"; }
now() { date +%s.%N; }

# The cluster's secrets, made once: the API token and the convergence secret, 32 random bytes
# each as hex, readable only by the node's user (and root).
make_secrets() {
  mkdir -p secrets
  chmod 0700 secrets
  for name in api-token convergence-secret; do
    [ -s "secrets/$name" ] && continue
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"secrets/$name")
    echo "made deploy/secrets/$name"
  done
  if ! chown "$node_uid:$node_uid" secrets/api-token secrets/convergence-secret 2>/dev/null; then
    echo "cluster: cannot give deploy/secrets/* to uid $node_uid (the nodes' user); run as root" >&2
    exit 1
  fi
  chmod 0400 secrets/api-token secrets/convergence-secret
}

token() { cat secrets/api-token; }
cli() { local node="$1"; shift; SWARMKV_API_TOKEN="$(token)" "$swarmkv" --api "127.0.0.1:$(api_port "$node")" "$@"; }
known_peers() { cli "$1" id 2>/dev/null | awk '$1 == "peers" {print $2}'; }

# Waits up to $1 seconds for every node to be healthy and to know the other four.
wait_ready() {
  local deadline=$(( $(date +%s) + $1 )) node
  for node in "${nodes[@]}"; do
    until cli "$node" health >/dev/null 2>&1 && [ "$(known_peers "$node")" = 4 ]; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "cluster: $node is not ready after $1 s (healthy, knowing 4 peers); its log:" >&2
        compose logs --tail 30 "$node" >&2
        return 1
      fi
      sleep 0.2
    done
  done
}

status() {
  local node
  for node in "${nodes[@]}"; do
    if cli "$node" health >/dev/null 2>&1; then
      echo "$node  127.0.0.1:$(api_port "$node")  serving, knows $(known_peers "$node") peers"
    else
      echo "$node  127.0.0.1:$(api_port "$node")  not serving"
    fi
  done
}

up() {
  bash build-images.sh
  make_secrets
  local work start ready got
  work="$(mktemp -d /tmp/swarmkv-cluster.XXXXXX)"
  trap 'rm -rf "$work"' RETURN
  start="$(now)"
  compose up -d
  wait_ready 60
  ready="$(now)"
  head -c 1000000 /dev/urandom >"$work/file"
  local cap
  cap="$(cli node1 put -q "$work/file")"
  cli node5 get "$cap" -o "$work/back"
  got="$(now)"
  cmp -s "$work/file" "$work/back" || { echo "cluster: node 5 returned other bytes" >&2; return 1; }
  status
  awk -v s="$start" -v r="$ready" -v g="$got" 'BEGIN {
    printf "ready: every node healthy and knowing the other four %.1f s after docker-compose up\n", r - s
    printf "first get: 1 MB put on node 1, read back byte-identical from node 5, %.1f s after docker-compose up\n", g - s
  }'
  echo "use it: export SWARMKV_API_TOKEN=\"\$(cat deploy/secrets/api-token)\"; build/node/swarmkv --api 127.0.0.1:5001 put FILE"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  secrets) make_secrets ;;
  down) compose down ;;
  destroy) compose down -v ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
