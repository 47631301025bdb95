#!/usr/bin/env bash
# Regenerates swarmkv/v1/node_pb2*.py from rpc/proto/swarmkv/v1/node.proto with Debian's protoc
# and grpc_python_plugin. The stubs are committed so that installing needs no protoc; the ctest
# `python_client_stubs` fails when they differ from what this script writes.
#   bash clients/python/generate_stubs.sh [output directory, default: the package]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
protoc -I "$here/../../rpc/proto" --python_out="$out" --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin swarmkv/v1/node.proto
