#!/usr/bin/env bash
# Benchmarks of the web pages (issue 13): release build, the large demo data set, wrk
# against the board and an idea's page with a browser session, and the bytes a browser
# transfers. Results: bench/out/results.tsv, printed as a Markdown table.
#   bench/run-web.sh
#   BACKENDS=sqlite DURATION=10s IDEAS=100000 RESPONSES=500 ROUNDS=3 bench/run-web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi
echo "== cargo build --release" >&2
cargo build --release -q
python3 bench/web.py
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
python3 bench/table.py bench/out/results.tsv
