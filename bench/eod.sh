#!/usr/bin/env bash
# Benchmark of the bank-scale path (DESIGN §11): generate N loans with
# MONTHS months of history, then time an incremental close of business (the
# day after the history), the same date again (idempotent: nothing to do)
# and a full close (every loan re-derived) of the day after, with core
# banking's withholding run of each closed day posted before the next close.
#
#   bench/eod.sh [N] [MONTHS]        e.g. bench/eod.sh 10000000 12
#   PG=postgres://postgres@127.0.0.1:5432/test?sslmode=disable WORKERS="1 2" bench/eod.sh 1000000
#
# Environment: SEED (default 1), UNTIL (last day of history, default
# 2026-06-14), BENCH_DIR (where the database goes; default a new temporary
# directory, removed at the end unless KEEP=1).
# PG: a PostgreSQL URL: generate into a new database daihou_bench_N on that
# server instead of SQLite (needs psql and the right to create databases);
# then, for each worker count in WORKERS (default "1 2"), close the days on a
# copy of it (CREATE DATABASE … TEMPLATE) with 'daihou eod --workers W'.
# WORKERS=0 runs close of business in one process without the queue.
# Prints wall time, loans/s and peak resident memory of each step.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
MONTHS=${2:-12}
SEED=${SEED:-1}
UNTIL=${UNTIL:-2026-06-14}
DIR=${BENCH_DIR:-$(mktemp -d -t daihou-bench-XXXXXX)}
DB="$DIR/bench-$N.db"
mkdir -p "$DIR"
if [ -z "${BENCH_DIR:-}" ] && [ "${KEEP:-0}" != 1 ]; then
    trap 'rm -rf "$DIR"' EXIT
fi

if ! command -v /usr/bin/time >/dev/null; then
    echo "bench/eod.sh needs /usr/bin/time (apt-get install time)" >&2
    exit 1
fi
go build -o "$DIR/daihou" ./cmd/daihou
rm -f "$DB" "$DB-wal" "$DB-shm"
PG=${PG:-}
WORKERS=${WORKERS:-1 2}
# pgdb NAME: the URL of database NAME on the PG server.
pgdb() { echo "$PG" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$1#"; }
psqlc() { PGOPTIONS=--client-min-messages=warning psql -X -q -v ON_ERROR_STOP=1 "$PG" -c "$1" >/dev/null; }
if [ -n "$PG" ]; then
    SRC=daihou_bench_$N
    psqlc "DROP DATABASE IF EXISTS $SRC"
    psqlc "CREATE DATABASE $SRC"
    DB=$(pgdb "$SRC")
fi

next() { date -u -d "$1 + $2 day" +%F; }
D1=$(next "$UNTIL" 1)
D2=$(next "$UNTIL" 2)
D3=$(next "$UNTIL" 3)

# step NAME COMMAND… — runs COMMAND under /usr/bin/time and prints a row:
# wall time, the loans the step handled (generated, or re-derived by close
# of business) and their rate, and peak resident memory.
step() {
    local name=$1
    shift
    /usr/bin/time -f '%e %M %U %S' -o "$DIR/time.txt" "$@" >"$DIR/$name.out" 2>"$DIR/$name.err"
    local wall rss user sys loans
    read -r wall rss user sys <"$DIR/time.txt"
    loans=$(grep -o -m1 -E '"(touched|loans|posted)": [0-9]+' "$DIR/$name.out" | grep -o '[0-9]*$')
    printf '| %-20s | %9.1f | %8.1f | %12s | %12s | %8d |\n' "$name" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$loans" \
        "$(awk -v n="$loans" -v s="$wall" 'BEGIN { if (s > 0.05) printf "%d", n / s; else print "-" }')" $((rss / 1024))
}

echo "daihou bench: $N loans, $MONTHS months, seed $SEED, history to $UNTIL; $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(go version | cut -d' ' -f3)"
echo
echo "| step                 |  wall (s) |  CPU (s) |        loans |      loans/s | peak MiB |"
echo "|----------------------|-----------|----------|--------------|--------------|----------|"
step "gen" "$DIR/daihou" gen --db "$DB" --loans "$N" --months "$MONTHS" --seed "$SEED" --until "$UNTIL" --json
if [ -z "$PG" ]; then
    step "eod incremental" "$DIR/daihou" eod --db "$DB" --date "$D1" --json
    step "eod same date again" "$DIR/daihou" eod --db "$DB" --date "$D1" --json
    # Core banking's withholding run of each closed day (the installments
    # due that the generated borrowers pay) comes before the next close, as
    # in a lender's night: without it every borrower would stop paying at
    # once after the history, and each day would find 1/30 of the book
    # newly overdue.
    step "withholding $D1" "$DIR/daihou" sim withholding --db "$DB" --date "$D1" --seed "$SEED" --json
    step "eod full" "$DIR/daihou" eod --db "$DB" --date "$D2" --full --json
    step "withholding $D2" "$DIR/daihou" sim withholding --db "$DB" --date "$D2" --seed "$SEED" --json
    # The day after a full close: every loan's wake date now knows every
    # step (SOP days, inspections, task SLAs, promise dates), as it does
    # in a book that has run with them on.
    step "eod steady day" "$DIR/daihou" eod --db "$DB" --date "$D3" --json
else
    for W in $WORKERS; do
        COPY=${SRC}_w$W
        psqlc "DROP DATABASE IF EXISTS $COPY"
        psqlc "CREATE DATABASE $COPY TEMPLATE $SRC"
        CDB=$(pgdb "$COPY")
        step "eod incremental w=$W" "$DIR/daihou" eod --db "$CDB" --date "$D1" --workers "$W" --json
        step "eod again w=$W" "$DIR/daihou" eod --db "$CDB" --date "$D1" --workers "$W" --json
        step "eod full w=$W" "$DIR/daihou" eod --db "$CDB" --date "$D2" --full --workers "$W" --json
        [ "${KEEP:-0}" = 1 ] || psqlc "DROP DATABASE $COPY"
    done
    [ "${KEEP:-0}" = 1 ] || psqlc "DROP DATABASE $SRC"
fi
echo
echo "loans: generated, re-derived by close of business ($D1 incremental, $D1 again, $D2 full, $D3 incremental), or paid by a withholding run;"
echo "CPU: user + system seconds (2 CPUs: at most twice the wall time). Load average now: $(cut -d' ' -f1-3 /proc/loadavg)."
if [ -z "$PG" ]; then
    echo "Generated $(grep -o '"transactions": [0-9]*' "$DIR/gen.out" | grep -o '[0-9]*$') transactions; database $(du -h "$DB" | cut -f1)."
else
    echo "Generated $(grep -o '"transactions": [0-9]*' "$DIR/gen.out" | grep -o '[0-9]*$') transactions into PostgreSQL; w = worker processes (0: one process, no queue)."
fi
