#!/usr/bin/env bash
# Builds everything and runs all tests with CTest. Pass a build folder and
# extra CMake options to vary it, e.g. `scripts/test.sh build-asan -DNEWS_SANITIZE=ON`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build_dir=${1:-build}
shift || true
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
