#!/usr/bin/env bash
# Installs everything swarmkv needs to build, test and benchmark, from Debian 12 packages only.
# Idempotent: packages already present are skipped by apt-get; safe to run on every CI run.
# `install-deps.sh bazel` adds the second build's tools (Bazel and its Java rules, about 130 MB),
# which only the Bazel check (scripts/bazel-check.sh) needs.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # the sanitizer and fuzzing builds (asan, tsan presets): clang 14, its runtimes and libFuzzer
  clang-14 libclang-rt-14-dev libfuzzer-14-dev llvm-14
  # libraries (DESIGN.md §10)
  librocksdb-dev libsodium-dev libssl-dev libabsl-dev
  libgrpc++-dev libgrpc-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libcpp-httplib-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # the benchmark report's charts (bench/charts.py)
  python3-matplotlib
  # independent reference for test vectors and the Python gRPC client
  python3 python3-grpcio python3-protobuf
  # clients/python installed offline into a virtual environment that sees the packages above
  python3-venv python3-pip python3-setuptools python3-wheel
  # the dashboard's test in a real browser (headless)
  chromium chromium-driver python3-selenium
  # the peer DHT the swarm benchmark compares against
  dhtnode python3-opendht
  # deploy/: the Compose fault test's image build; reading the Kubernetes manifests
  debootstrap python3-yaml
)

if [ "${1:-}" = "bazel" ]; then
  PACKAGES+=(bazel-bootstrap bazel-rules-java)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
