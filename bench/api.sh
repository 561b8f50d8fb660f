#!/usr/bin/env bash
# Benchmark of payment posting through the JSON API (POST
# /api/v1/loans/{id}/payments): generate N loans (or use BOOK), start
# 'daihou serve' on loopback, issue an integration token, and post
# repayments at RATE requests/s for DURATION with bench/apiload (vegeta),
# printing p50 / p90 / p99 / max.
#
#   bench/api.sh [N]                       SQLite, e.g. bench/api.sh 1000000
#   PG=postgres://postgres@127.0.0.1:5432/test?sslmode=disable bench/api.sh 1000000
#
# Environment: RATE (default 500), DURATION (default 60s), BOOK (an existing
# book to use instead of generating one; a copy is not made: the
# repayments stay in it), BENCH_DIR, KEEP=1, DAIHOU_KEY (PostgreSQL: the
# book's key; a new one is made for a generated book), SERVE_FLAGS (more
# flags for 'daihou serve', e.g. --debug-addr 127.0.0.1:6060 to profile it).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
RATE=${RATE:-500}
DURATION=${DURATION:-60s}
UNTIL=${UNTIL:-2026-06-14}
DIR=${BENCH_DIR:-$(mktemp -d -t daihou-api-XXXXXX)}
mkdir -p "$DIR"
# stop: the server, if one was started (kill 0 would signal this script's
# whole process group).
stop() { if [ -n "${SERVE:-}" ]; then kill "$SERVE" 2>/dev/null || true; fi; }
if [ -z "${BENCH_DIR:-}" ] && [ "${KEEP:-0}" != 1 ]; then
    trap 'stop; rm -rf "$DIR"' EXIT
else
    trap stop EXIT
fi
go build -o "$DIR/daihou" ./cmd/daihou
go build -o "$DIR/apiload" ./bench/apiload
PG=${PG:-}
pgdb() { echo "$PG" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$1#"; }
psqlc() { PGOPTIONS=--client-min-messages=warning psql -X -q -v ON_ERROR_STOP=1 "$PG" -c "$1" >/dev/null; }

DB=${BOOK:-}
if [ -z "$DB" ]; then
    if [ -n "$PG" ]; then
        export DAIHOU_KEY=${DAIHOU_KEY:-$(head -c 32 /dev/urandom | base64)}
        psqlc "DROP DATABASE IF EXISTS daihou_api_$N"
        psqlc "CREATE DATABASE daihou_api_$N"
        DB=$(pgdb "daihou_api_$N")
    else
        DB="$DIR/api-$N.db"
        rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
    fi
    echo "generating $N loans …" >&2
    "$DIR/daihou" gen --db "$DB" --loans "$N" --months 12 --until "$UNTIL" --json >"$DIR/gen.out"
    "$DIR/daihou" eod --db "$DB" --json >"$DIR/eod.out"
    if [ -n "$PG" ]; then
        # A loaded book as autovacuum would leave it (some servers run
        # with it off): statistics, and the visibility map index-only
        # scans need.
        psql -X -q "$DB" -c "VACUUM (ANALYZE)"
    fi
fi
export DAIHOU_DB=$DB
if ! "$DIR/daihou" user list --as bench-admin >/dev/null 2>&1; then
    "$DIR/daihou" user add bench-admin --admin --no-password >/dev/null
fi
TOKEN=$("$DIR/daihou" token add "apiload-$$" --role integration --scope all --expires 1d --as bench-admin --json | sed -nE 's/.*"token": *"([^"]+)".*/\1/p')
PORT=$((20000 + RANDOM % 20000))
"$DIR/daihou" serve --addr "127.0.0.1:$PORT" ${SERVE_FLAGS:-} >"$DIR/serve.out" 2>"$DIR/serve.log" &
SERVE=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
echo "daihou api bench: $([ -n "$PG" ] && echo PostgreSQL || echo SQLite), $N loans, $RATE req/s for $DURATION; $(nproc) CPUs; $(go version | cut -d' ' -f3)"
"$DIR/apiload" --url "http://127.0.0.1:$PORT" --token "$TOKEN" --rate "$RATE" --duration "$DURATION" ${APILOAD_FLAGS:-}
kill "$SERVE"
wait "$SERVE" 2>/dev/null || true
SERVE=
echo "Load average now: $(cut -d' ' -f1-3 /proc/loadavg)."
