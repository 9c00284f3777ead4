#!/usr/bin/env bash
# incremental.sh - issue 14's benchmark (`make bench`, after bench.sh): a day's incremental run
# against a full reload of the same data, with the daily model examples/sparkify-daily.
#
# On one private PostgreSQL and one generated dataset of INC_EVENTS events over INC_DAYS days:
#   setup (untimed)  database `base`: a first load of every day but the last; then the last
#                    day's file arrives
#   incremental      a copy of base (CREATE DATABASE ... TEMPLATE base), ./runner: stages the
#                    one new file, loads it into the kept tables, runs the data checks
#   full-reload      a copy of base, ./runner --full-reload: stages every file again and
#                    upserts/appends all of them into the kept tables, the same checks
#   fresh            an empty database, ./runner: every file into empty tables (a rebuild)
# RUNS rounds, the routes alternated (odd rounds in that order, even rounds reversed), each
# timed by wall clock around the runner; the medians, and the publish and checks steps' own
# seconds from --json. After every round the five star tables of the three routes must be
# equal (row count and a sum of per-row MD5s over every column): a difference is printed
# loudly and the script exits 1. The Markdown table goes to stdout, progress to stderr, raw
# numbers to $BENCH_DIR/results.tsv.
#
# Env knobs:
#   INC_EVENTS=1000000  events            INC_DAYS=30  days they span    SEED=42
#   INC_DAY=N           the day held out for the incremental run (1..INC_DAYS; default the
#                       last, whose file is shorter: the generated events end mid-day)
#   RUNS=3              rounds (at least 3 for a median worth the name)
#   BENCH_DIR=build/bench-incremental    everything it writes (data, cluster, results); removed
#                       on exit except results.tsv and table.md
#   BENCH_SMOKE=1       the CI smoke: INC_EVENTS=3000 INC_DAYS=5 (RUNS stays 3)
#   RUNNER DATAGEN      the binaries (./runner, build/rel/sparkify-data)
set -euo pipefail
{ # one compound command: editing this file during a run cannot change that run
cd "$(dirname "$0")/../.."
ROOT=$PWD
if [ -n "${BENCH_SMOKE:-}" ]; then
    INC_EVENTS="${INC_EVENTS:-3000}" INC_DAYS="${INC_DAYS:-5}"
fi
INC_EVENTS="${INC_EVENTS:-1000000}"
INC_DAYS="${INC_DAYS:-30}"
SEED="${SEED:-42}"
RUNS="${RUNS:-3}"
BENCH_DIR="${BENCH_DIR:-build/bench-incremental}"
RUNNER="${RUNNER:-./runner}"
DATAGEN="${DATAGEN:-build/rel/sparkify-data}"
MODEL="examples/sparkify-daily"

log() { printf '%s\n' "$*" >&2; }
die() { log "incremental: $*"; exit 1; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
[ "$RUNS" -ge 1 ] 2>/dev/null || die "RUNS must be a positive number"
command -v psql >/dev/null || die "psql not found: apt-get install postgresql-client"

mkdir -p "$BENCH_DIR"
B=$(realpath "$BENCH_DIR")
SNAP="$B/snapshot"
rm -rf "$SNAP" "$B/data" && mkdir -p "$SNAP"
cp "$RUNNER" "$SNAP/runner"
cp -r "$MODEL/out/postgres" "$SNAP/postgres"
OUT="$SNAP/postgres"

source tests/lib-pg.sh
export PGPORT_PRIVATE="${PGPORT_PRIVATE:-5432}"
trap 'pg_remove "$B/pg" >/dev/null 2>&1; rm -rf "$B/data" "$SNAP"' EXIT
pg_start "$B/pg" || die "cannot start PostgreSQL"

log "== data: $INC_EVENTS events over $INC_DAYS days (seed $SEED)"
"$DATAGEN" --events "$INC_EVENTS" --days "$INC_DAYS" --seed "$SEED" --out "$B/data/all" >&2
mapfile -t LOGS < <(cd "$B/data/all" && find log_data -type f -name '*.json' | sort)
[ ${#LOGS[@]} -ge 2 ] || die "the data has ${#LOGS[@]} day files; need at least 2"
INC_DAY="${INC_DAY:-${#LOGS[@]}}"
[ "$INC_DAY" -ge 1 ] 2>/dev/null && [ "$INC_DAY" -le ${#LOGS[@]} ] || die "INC_DAY must be 1..${#LOGS[@]}"
LAST="${LOGS[INC_DAY - 1]}"
# the runner's data root: hard links into all/ (same bytes, size and mtime), the last day later
link() {
    local f
    for f in "$@"; do
        mkdir -p "$B/data/view/$(dirname "$f")"
        ln "$B/data/all/$f" "$B/data/view/$f"
    done
}
link $(cd "$B/data/all" && find song_data -type f -name '*.json') "${LOGS[@]:0:INC_DAY-1}" "${LOGS[@]:INC_DAY}"
events_in() { grep -c . "$B/data/all/$1" || true; }
DAY_EVENTS=$(events_in "$LAST")

run() { # DB [runner options...]: the runner, quiet; its --json into $B/last.json
    local db=$1
    shift
    "$SNAP/runner" -q -d "dbname=$db" --data "$B/data/view" --json "$B/last.json" "$@" "$OUT" >&2
}
step_secs() { # STEP: that step's seconds in $B/last.json
    python3 -c 'import json,sys; print("%.3f" % sum(s["seconds"] for s in json.load(open(sys.argv[1]))["results"] if s["name"]==sys.argv[2]))' "$B/last.json" "$1"
}
# the five star tables, each as "rows:sum of per-row MD5s", one line
fingerprint() {
    local t out=""
    for t in songplays users songs artists time; do
        out+="$t=$(psql -X -A -t -d "$1" -c "SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(x::text), 1, 15))::bit(60)::bigint), 0) FROM $t x") "
    done
    echo "$out"
}

log "== setup: base, a first load of every day but day $INC_DAY of ${#LOGS[@]}"
createdb base
t0=$(now)
run base
SETUP=$(secs "$t0" "$(now)")
link "$LAST"
log "   ${SETUP} s; then day $INC_DAY arrives: $LAST ($DAY_EVENTS events)"

printf 'route\tround\tseconds\tpublish\tchecks\n' >"$B/results.tsv"
timed() { # ROUTE ROUND
    local route=$1 r=$2 db="$1_$2" t0 t
    case $route in
        incremental) createdb -T base "$db" ;;
        full-reload) createdb -T base "$db" ;;
        fresh) createdb "$db" ;;
    esac
    t0=$(now)
    case $route in
        incremental) run "$db" ;;
        full-reload) run "$db" --full-reload ;;
        fresh) run "$db" ;;
    esac
    t=$(secs "$t0" "$(now)")
    printf '%s\t%s\t%s\t%s\t%s\n' "$route" "$r" "$t" "$(step_secs publish)" "$(step_secs checks)" >>"$B/results.tsv"
    log "   round $r $route: $t s"
}
ROUTES=(incremental full-reload fresh)
bad=0
for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) = 1 ]; then order=("${ROUTES[@]}"); else order=(fresh full-reload incremental); fi
    for route in "${order[@]}"; do timed "$route" "$r"; done
    want=$(fingerprint "incremental_$r")
    for route in full-reload fresh; do
        got=$(fingerprint "${route}_$r")
        if [ "$got" != "$want" ]; then
            log "MISMATCH round $r: $route's tables differ from the incremental run's"
            log "   incremental: $want"
            log "   $route: $got"
            bad=1
        fi
    done
    [ $bad = 0 ] && log "   round $r: the three routes' star tables are equal ($want)"
    for route in "${ROUTES[@]}"; do dropdb "${route}_$r"; done
done
[ $bad = 0 ] || die "the routes ended in different tables"

python3 - "$B/results.tsv" "$INC_EVENTS" "$INC_DAYS" "$DAY_EVENTS" "$SETUP" "$RUNS" "$INC_DAY" <<'EOF' | tee "$B/table.md"
import csv, statistics, sys
path, events, days, day_events, setup, runs, day = sys.argv[1:]
rows = list(csv.DictReader(open(path), delimiter="\t"))
def col(route, c):
    return [float(r[c]) for r in rows if r["route"] == route]
def med(route, c):
    if c == "load":  # the run without its data checks
        return statistics.median(float(r["seconds"]) - float(r["checks"]) for r in rows if r["route"] == route)
    return statistics.median(col(route, c))
what = {"incremental": "day %s's file (%s events)" % (day, format(int(day_events), ",")),
        "full-reload": "every file again (--full-reload) into the same warehouse",
        "fresh": "every file into an empty database"}
print("## Issue 14: a day's incremental run against a full reload\n")
print("%s events over %s days, examples/sparkify-daily on PostgreSQL; the warehouse holds every day but day %s "
      "(their first load took %s s) when that day's file arrives; medians of %s alternated rounds, wall "
      "clock around ./runner. `checks`: the data checks' own seconds (from --json; they run inside the "
      "publish transaction, over the whole warehouse); `without checks`: the run minus them. The star "
      "tables of the three routes were equal after every round.\n"
      % (format(int(events), ","), days, day, setup, runs))
print("| route | stages | median s | min s | max s | checks s | without checks s | x incremental | x incremental without checks |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
base, base_load = med("incremental", "seconds"), med("incremental", "load")
for route in ("incremental", "full-reload", "fresh"):
    ts = col(route, "seconds")
    print("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f |" % (
        route, what[route], med(route, "seconds"), min(ts), max(ts), med(route, "checks"),
        med(route, "load"), med(route, "seconds") / base, med(route, "load") / base_load))
EOF
exit 0
}
