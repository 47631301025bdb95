#!/usr/bin/env bash
# Builds swarmkv and runs every test (unit, integration, end to end).
#   bash scripts/test.sh           RelWithDebInfo build in build/
#   bash scripts/test.sh asan      clang, AddressSanitizer + UBSan, lock annotations checked
#                                  (-Wthread-safety -Werror), the fuzz targets over their corpora;
#                                  every test but the Compose one, in build-asan/
#   bash scripts/test.sh tsan      clang, ThreadSanitizer: the unit tests, in build-tsan/
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"

bash scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
# Each gtest case is its own ctest entry; the summary line gives the count.
ctest --preset "$preset" -j "$(nproc)"
