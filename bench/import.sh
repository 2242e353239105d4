#!/usr/bin/env bash
# The staff import at 10,000 people (issue 15): a dry run, the import, and the same list
# again, each timed as the command line runs it (release build), on SQLite and PostgreSQL.
#   bench/import.sh
#   ROWS=50000 BACKENDS=sqlite bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${ROWS:-10000}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG="${KAIZEN_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
echo "== cargo build --release" >&2
cargo build --release -q
bin="${KAIZEN_BIN:-target/release/kaizen}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A personnel list as Excel writes it: Windows-1252, semicolons, 5 Fachbereiche with 8
# Ämter each, a lead per Amt.
python3 - "$ROWS" "$work/staff.csv" <<'PY'
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
random.seed(2026)
first = ["Anna", "Jürgen", "Sören", "Jörg", "Lena", "Tom", "Käthe", "Ümit", "Paula", "Ole"]
last = ["Weiß", "Müller", "Groß", "Schäfer", "Öztürk", "Krause", "Keller", "Brandt", "Vogel", "Stein"]
with open(path, "w", encoding="cp1252", newline="") as f:
    f.write("Personalnummer;Name;E-Mail;Einheit;Rolle\r\n")
    for i in range(rows):
        fb, amt = i % 5 + 1, (i // 5) % 8 + 1
        role = "Führungskraft" if i < 40 else "Beschäftigte"
        name = f"{random.choice(first)} {random.choice(last)}"
        f.write(f"P{i:06d};{name};person{i}@stadt.example;Fachbereich {fb}/Amt {fb}.{amt};{role}\r\n")
PY
for backend in $BACKENDS; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/import.db"
  else
    db="kaizen_bench_import_$$"
    psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    url="$PG/$db"
  fi
  export DATABASE_URL="$url"
  "$bin" org create --name "Stadt Bench" --slug bench --admin-email admin@stadt.example \
    --admin-password 'bench-password-123' >/dev/null
  TIMEFORMAT=%R
  for run in "--dry-run" "" "--dry-run" ""; do
    secs=$( { time "$bin" import staff "$work/staff.csv" --org bench $run >"$work/out.txt" 2>"$work/err.txt"; } 2>&1 )
    printf '%s\t%s rows\t%-10s\t%s s\t%s\n' "$backend" "$ROWS" "${run:-apply}" "$secs" "$(cat "$work/out.txt")"
  done
  if [ "$backend" = postgres ]; then psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $db"; fi
done
