#!/usr/bin/env bash
# Benchmarks: release build, the large demo data set on SQLite and on PostgreSQL, wrk
# against the main endpoints, and a Markdown table of the results (bench/out/results.tsv).
#   bench/run.sh                          # both backends, 15 s per scenario
#   BACKENDS=sqlite DURATION=5s bench/run.sh
#   IDEAS=10000 RESPONSES=500 ROUNDS=3 bench/run.sh   # a smaller data set
#   ONLY=writes KAIZEN_BIN=/path/to/other/kaizen bench/run.sh   # new ideas, votes and
#                                         # transitions only, with another build (A/B)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is needed for the PostgreSQL run" >&2; exit 1; }

echo "== cargo build --release" >&2
cargo build --release -q

python3 bench/bench.py
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
python3 bench/table.py bench/out/results.tsv
