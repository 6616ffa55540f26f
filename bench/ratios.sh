#!/usr/bin/env bash
# Redress against its ceilings (issue 17): the framework's (a do-nothing
# actix-web JSON handler, examples/noop.rs) and the database's (a tight
# insert loop, examples/insert_loop.rs; on PostgreSQL also pgbench with
# bench/pgbench/), each run back to back with its Redress counterpart, with
# the same load tool and flags, in one run, so the machine's noise cancels
# out. Prints each ratio against its target.
#
# On SQLite it also measures list pages with their totals, whose target
# (2,000 a second at 250,000 records) is a rate, not a ratio.
#
# Usage: bench/ratios.sh [sqlite|postgres|both] [RECORDS]   (default: sqlite 200000)
#   DURATION=10s  how long each measurement runs
source "$(dirname "$0")/lib.sh"

backends=${1:-sqlite}
export RECORDS=${2:-200000}
DURATION=${DURATION:-10s}
seconds=${DURATION%s}
[ "$backends" = both ] && backends="sqlite postgres"
build_release
(cd "$BENCH_ROOT" && cargo build --release --quiet --example seed --example noop --example insert_loop)
ensure_wrk || { echo "bench/ratios.sh needs wrk"; exit 1; }
EXAMPLES="$TARGET_DIR/release/examples"
WRK="$BENCH_ROOT/bench/wrk"
work=$(mktemp -d)
pid= noop_pid=
trap 'kill $pid $noop_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# The same load for every HTTP figure: wrk, two threads, 64 connections
# (16 for creates, as the earlier benchmarks).
rps() { # CONNECTIONS URL [wrk args...] -> requests/s, and a warning on errors
    local connections=$1 url=$2
    shift 2
    local out
    out=$(wrk -t2 -c"$connections" -d"$DURATION" --latency "$@" "$url")
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        grep -E 'Non-2xx|Socket errors' <<<"$out" | sed 's/^/    warning: /' >&2
    fi
    awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out"
}
tps() { # pgbench tps, without the connection time
    awk '/^tps = / {printf "%.0f", $3}'
}

noop_port=$(free_port)
"$EXAMPLES/noop" "127.0.0.1:$noop_port" >"$work/noop.log" 2>&1 &
noop_pid=$!
wait_ready "http://127.0.0.1:$noop_port/noop"
noop() { rps 64 "http://127.0.0.1:$noop_port/noop"; }

rows=()
row() { # WHAT CEILING REDRESS TARGET ("-": none, shown for comparison)
    local ratio met target
    ratio=$(python3 -c "print(f'{$3 / $2:.2f}')")
    if [ "$4" = - ]; then
        target="none" met=""
    else
        target="≥ $4"
        met=$(python3 -c "print('met' if $3 / $2 >= $4 else 'NOT met')")
    fi
    rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$1" "$2" "$3" "$ratio" "$target" "$met")")
    echo "   $1: ceiling $2, Redress $3, ratio $ratio (target $target${met:+: $met})"
}

absolute() { # WHAT REDRESS TARGET: a figure with a target of its own, not a ratio
    local met
    met=$(python3 -c "print('met' if $2 >= $3 else 'NOT met')")
    rows+=("$(printf '| %s | | %s | | ≥ %s/s | %s |' "$1" "$2" "$3" "$met")")
    echo "   $1: $2/s (target ≥ $3/s: $met)"
}

for backend in $backends; do
    port=$(free_port)
    base="http://127.0.0.1:$port"
    fresh_database "$backend" "$work"
    echo "== $backend: seeding $RECORDS records"
    "$EXAMPLES/seed" "$RECORDS" >/dev/null
    export BIND_ADDR="127.0.0.1:$port" BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn
    read -r pid _ < <(spawn_timed "$work/log" "$base/readyz" "$BIN" serve)
    TOKEN=$(token "$base" admin "$BENCH_PASSWORD")
    auth="Authorization: Bearer $TOKEN"
    # Warm both servers (caches, connections, the page cache).
    rps 64 "$base/api/v1/feedback/1" -H "$auth" >/dev/null
    noop >/dev/null

    # The targets against the framework are SQLite's; PostgreSQL's are
    # against pgbench (below), and its figures here are for comparison.
    if [ "$backend" = sqlite ]; then targets=(0.6 0.5); else targets=(- -); fi
    echo "== $backend: wrk -t2 -c64 -d$DURATION, the do-nothing handler then Redress"
    ceiling=$(noop)
    me=$(rps 64 "$base/api/v1/me" -H "$auth")
    row "$backend: GET /api/v1/me / do-nothing handler" "$ceiling" "$me" "${targets[0]}"
    ceiling=$(noop)
    get=$(rps 64 "$base" -s "$WRK/get_feedback.lua" -H "$auth")
    row "$backend: GET /api/v1/feedback/{id} / do-nothing handler" "$ceiling" "$get" "${targets[1]}"
    if [ "$backend" = sqlite ]; then
        # Issue 17's list target (at 250,000 records): pages with `total`.
        echo "== $backend: list pages with total, wrk -t2 -c64 -d$DURATION"
        list=$(rps 64 "$base/api/v1/feedback?limit=50" -H "$auth")
        absolute "$backend: GET /api/v1/feedback?limit=50 (every record, with total)" "$list" 2000
        list=$(rps 64 "$base" -s "$WRK/list_feedback.lua" -H "$auth")
        absolute "$backend: GET /api/v1/feedback, bench/wrk/list_feedback.lua (filtered, with totals)" "$list" 2000
    fi

    if [ "$backend" = postgres ]; then
        echo "== $backend: pgbench (64 clients) select by id, then GET /feedback/{id}"
        ceiling=$(pgbench -n -h 127.0.0.1 -U postgres -c 64 -j 2 -T "$seconds" -D records="$RECORDS" \
            -f "$BENCH_ROOT/bench/pgbench/select_by_id.sql" redress_bench 2>/dev/null | tps)
        get=$(rps 64 "$base" -s "$WRK/get_feedback.lua" -H "$auth")
        row "$backend: GET /api/v1/feedback/{id} / pgbench select by id" "$ceiling" "$get" 0.5
        echo "== $backend: pgbench (16 clients) two-insert transaction, then POST /feedback"
        ceiling=$(pgbench -n -h 127.0.0.1 -U postgres -c 16 -j 2 -T "$seconds" \
            -f "$BENCH_ROOT/bench/pgbench/two_inserts.sql" redress_bench 2>/dev/null | tps)
        post=$(rps 16 "$base" -s "$WRK/create_feedback.lua" -H "$auth")
        row "$backend: POST /api/v1/feedback / pgbench two inserts" "$ceiling" "$post" 0.5
        echo "   (the insert loop example, 16 threads: $("$EXAMPLES/insert_loop" "$seconds" 16))"
    else
        echo "== $backend: the insert loop, then POST /feedback (16 connections)"
        kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
        ceiling=$("$EXAMPLES/insert_loop" "$seconds" | awk '{printf "%.0f", $(NF-1)}')
        read -r pid _ < <(spawn_timed "$work/log" "$base/readyz" "$BIN" serve)
        post=$(rps 16 "$base" -s "$WRK/create_feedback.lua" -H "$auth")
        row "$backend: POST /api/v1/feedback / insert loop" "$ceiling" "$post" 0.8
    fi
    kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    drop_database "$backend"
done

echo
echo "| what | ceiling (/s) | Redress (/s) | ratio | target | |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
