#!/usr/bin/env bash
# Benchmarks: builds the release binary, starts it on SQLite and on PostgreSQL with a
# fresh database, drives it with wrk (installed from Debian if missing) and prints a table.
#   bench/run.sh                 # both backends
#   BACKENDS=sqlite bench/run.sh # one backend
#   DURATION=10s bench/run.sh    # shorter runs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-15s}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
OUT=$ROOT/bench/out
mkdir -p "$OUT"
PORT=18090
BASE=http://127.0.0.1:$PORT
EMAIL=admin@bench.local
PASSWORD=bench-password-123
export BENCH_EMAIL=$EMAIL BENCH_PASSWORD=$PASSWORD

command -v wrk >/dev/null || { echo "installing wrk"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
command -v python3 >/dev/null || { echo "python3 is needed to read JSON"; exit 1; }

echo "== building release" >&2
cargo build --release -q
BIN=$ROOT/target/release/kaizen

RESULTS=$OUT/results.tsv
: > "$RESULTS"

json() { python3 -c "import sys,json; d=json.load(sys.stdin); print(d$1)"; }

script() { # script NAME METHOD PATH [BODY] -> path of a wrk Lua script with the reporter
  local f=$OUT/$1.lua
  {
    echo "wrk.method = \"$2\""
    echo "wrk.path = \"$3\""
    echo 'wrk.headers["Content-Type"] = "application/json"'
    [ -n "${TOKEN:-}" ] && echo "wrk.headers[\"Authorization\"] = \"Bearer $TOKEN\""
    [ -n "${4:-}" ] && printf 'wrk.body = [[%s]]\n' "$4"
    cat "$ROOT/bench/report.lua"
  } > "$f"
  echo "$f"
}

record() { # record BACKEND SCENARIO CONNECTIONS WRK-OUTPUT-FILE
  local line
  line=$(grep '^BENCH ' "$4" | tail -1 | cut -d' ' -f2-)
  [ -n "$line" ] || { echo "no result in $4"; cat "$4"; return 1; }
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$line" >> "$RESULTS"
}

bench() { # bench BACKEND SCENARIO CONNECTIONS LUA
  local out
  out=$OUT/$1-$(printf '%s' "$2" | tr -c 'a-zA-Z0-9' '_').txt
  wrk -t2 -c"$3" -d"$DURATION" -s "$4" "$BASE" > "$out"
  record "$1" "$2" "$3" "$out"
}

rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }

start_server() { # start_server BACKEND
  if curl -fs "$BASE/healthz" >/dev/null 2>&1; then echo "port $PORT is taken by another server"; exit 1; fi
  local url
  case $1 in
    sqlite)
      rm -rf "$OUT/sqlite" && mkdir -p "$OUT/sqlite"
      url="sqlite://$OUT/sqlite/kaizen.db" ;;
    postgres)
      psql "$PG_ADMIN_URL" -q -c 'DROP DATABASE IF EXISTS kaizen_bench WITH (FORCE)' -c 'CREATE DATABASE kaizen_bench'
      url="${PG_ADMIN_URL%/*}/kaizen_bench" ;;
  esac
  local t0 t1
  t0=$(date +%s%N)
  DATABASE_URL=$url KAIZEN_BIND=127.0.0.1:$PORT KAIZEN_ADMIN_EMAIL=$EMAIL KAIZEN_ADMIN_PASSWORD=$PASSWORD \
    KAIZEN_JWT_SECRET=bench-secret-bench-secret-bench-secret KAIZEN_SCHEDULER=false \
    "$BIN" serve > "$OUT/$1-server.log" 2>&1 &
  SERVER=$!
  until curl -fs "$BASE/healthz" >/dev/null 2>&1; do sleep 0.005; done
  t1=$(date +%s%N)
  STARTUP_MS=$(( (t1 - t0) / 1000000 ))
  sleep 2
  IDLE_RSS=$(rss_kb $SERVER)
}

stop_server() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }

login() {
  curl -fs -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" | json "['access_token']"
}

for backend in $BACKENDS; do
  echo "== $backend" >&2
  # First start of a fresh database (migrations, bootstrap) and a warm restart.
  start_server "$backend"
  printf '%s\t%s\t%s\t{"ms": %d}\n' "$backend" "start to first answer (fresh database)" - "$STARTUP_MS" >> "$RESULTS"
  stop_server
  if [ "$backend" = sqlite ]; then
    # restart on the same file
    t0=$(date +%s%N)
    DATABASE_URL="sqlite://$OUT/sqlite/kaizen.db" KAIZEN_BIND=127.0.0.1:$PORT KAIZEN_JWT_SECRET=bench-secret-bench-secret-bench-secret \
      KAIZEN_SCHEDULER=false "$BIN" serve > "$OUT/$backend-server.log" 2>&1 &
    SERVER=$!
    until curl -fs "$BASE/healthz" >/dev/null 2>&1; do sleep 0.005; done
    STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
    sleep 2
    IDLE_RSS=$(rss_kb $SERVER)
  else
    start_server "$backend"
  fi
  printf '%s\t%s\t%s\t{"ms": %d}\n' "$backend" "start to first answer (existing database)" - "$STARTUP_MS" >> "$RESULTS"
  printf '%s\t%s\t%s\t{"rss_mb": %.1f}\n' "$backend" "idle RSS" - "$(awk "BEGIN{print $IDLE_RSS/1024}")" >> "$RESULTS"

  TOKEN=$(login)
  bench "$backend" "GET /api/v1/me" 16 "$(script me GET /api/v1/me)"

  # GET /me at 16 clients while 4 clients log in without pause.
  login_lua=$(TOKEN='' script login POST /api/v1/auth/login "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}")
  wrk -t1 -c4 -d"$DURATION" -s "$login_lua" "$BASE" > "$OUT/$backend-login-bg.txt" &
  LOGINS=$!
  sleep 1
  bench "$backend" "GET /api/v1/me while 4 clients log in" 16 "$(script me GET /api/v1/me)"
  wait $LOGINS
  record "$backend" "POST /api/v1/auth/login (the 4 clients above)" 4 "$OUT/$backend-login-bg.txt"
  printf '%s\t%s\t%s\t{"rss_mb": %.1f}\n' "$backend" "RSS after the runs above" - "$(awk "BEGIN{print $(rss_kb $SERVER)/1024}")" >> "$RESULTS"
  stop_server
done

echo
python3 "$ROOT/bench/table.py" "$RESULTS"
