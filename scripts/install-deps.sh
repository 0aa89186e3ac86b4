#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds, tests and benchmarks with.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  libxapian-dev xapian-tools            # the search engine, and quest/xapian-check/xapian-delve
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  libyaml-dev                           # libyaml: the front matter's YAML conformance check
  libhowardhinnant-date-dev libxxhash-dev libutfcpp-dev
  libjemalloc-dev                       # news-index's allocator (many small, short-lived blocks)
  libdeflate-dev zlib1g-dev             # news-index's deflate for Xapian's tables (core/fast_deflate.h)
  libgtest-dev libgmock-dev
  bash-completion util-linux            # the completion and terminal tests
)
if [ "${NEWS_WITH_EXTRAS:-0}" = 1 ]; then
  packages+=(clang libclang-rt-14-dev     # libFuzzer and the sanitizers' runtimes
             xapian-omega sqlite3 libbenchmark-dev time)  # benchmark peers and tools
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
