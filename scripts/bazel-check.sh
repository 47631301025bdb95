#!/usr/bin/env bash
# The second build (issue 13): Bazel builds everything CMake does, runs the C++ unit tests, and
# the two builds are checked not to have drifted apart (scripts/check_build_drift.py). Offline:
# Bazel's repositories are in bazel/ or come from Debian's packages (bazel/README.md).
# usage: bash scripts/bazel-check.sh   (.ci/run runs it after the ctest suite)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh bazel
# The Bazel server outlives the command; stop it however this script ends.
trap 'bazel shutdown >/dev/null 2>&1 || true' EXIT

bazel build //...
bazel test //...
/usr/bin/python3 scripts/check_build_drift.py
