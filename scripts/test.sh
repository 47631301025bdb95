#!/usr/bin/env bash
# Builds swarmkv and runs every test (unit, integration, end to end).
#   bash scripts/test.sh           RelWithDebInfo build in build/
#   bash scripts/test.sh asan      AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"

bash scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
# Each gtest case is its own ctest entry; the summary line gives the count.
ctest --preset "$preset" -j "$(nproc)"
