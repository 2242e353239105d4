#!/usr/bin/env bash
# The multi-tenant benchmark (bench/tenants.py): release build, 1,000 organisations on
# PostgreSQL beside the largest of them alone, two instances behind a round-robin wrk,
# and the plans of every statement on the hot paths.
#   bench/run-tenants.sh
#   ORGS=100 IDEAS=50000 RESPONSES=2500 DURATION=5s bench/run-tenants.sh   # smaller
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi
command -v psql >/dev/null || { echo "psql is needed" >&2; exit 1; }
echo "== cargo build --release" >&2
cargo build --release -q
python3 bench/tenants.py
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
