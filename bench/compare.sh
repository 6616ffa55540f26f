#!/usr/bin/env bash
# Compare this build with an earlier revision in one run, so the machine's
# noise falls on both alike (issue 10: the record-core refactoring must not
# be slower). Both binaries serve copies of one seeded database, in turn:
# GET /api/v1/feedback/{id} and POST /api/v1/feedback throughput, then each
# statistics endpoint against the hand-tuned SQL (bench/timing.py).
# Usage: bench/compare.sh [REV] [sqlite|postgres] [RECORDS] [CASES]
#   REV defaults to 0fb569f (the last commit before the record core).
#   ONLY_RECORDS=1 compares GET and POST /feedback only, without the
#   statistics.
source "$(dirname "$0")/lib.sh"

rev=${1:-0fb569f}
backend=${2:-sqlite}
export RECORDS=${3:-200000}
cases=${4:-5000}
comparison_tools
work=$(mktemp -d)
pid=
cleanup() {
    kill $pid 2>/dev/null || true
    git -C "$BENCH_ROOT" worktree remove --force "$work/old" 2>/dev/null || true
    if [ "$backend" = postgres ]; then
        psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS redress_cmp_run WITH (FORCE)" \
            -c "DROP DATABASE IF EXISTS redress_cmp_seed WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== building $rev (its own target directory, kept for next time)"
git -C "$BENCH_ROOT" worktree add -q --detach "$work/old" "$rev"
(cd "$work/old" && CARGO_TARGET_DIR="$BENCH_ROOT/target/compare" cargo build --release --quiet)
OLD="$BENCH_ROOT/target/compare/release/redress"

echo "== seeding $RECORDS records and $cases Ombudsman cases ($backend)"
if [ "$backend" = postgres ]; then
    seed_url=$(fresh_pg_database redress_cmp_seed)
else
    seed_url="sqlite://$work/seed.db"
fi
DATABASE_URL=$seed_url "$TARGET_DIR/release/examples/seed" "$RECORDS" "$cases" >/dev/null 2>&1

# A fresh copy of the seeded database for one binary.
copy_database() {
    if [ "$backend" = postgres ]; then
        psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS redress_cmp_run WITH (FORCE)" \
            -c "CREATE DATABASE redress_cmp_run TEMPLATE redress_cmp_seed" >&2
        echo "postgres://postgres@127.0.0.1:5432/redress_cmp_run"
    else
        rm -f "$work"/run.db*
        sqlite_copy "$work/seed.db" "$work/run.db"
        echo "sqlite://$work/run.db"
    fi
}

declare -A result
# Two rounds, alternating, so that neither binary always runs first; each
# keeps its better round.
for which in before after before after; do
    binary=$BIN
    [ "$which" = before ] && binary=$OLD
    export DATABASE_URL=$(copy_database)
    port=$(free_port)
    base="http://127.0.0.1:$port"
    export BIND_ADDR="127.0.0.1:$port" BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn
    read -r pid _ < <(spawn_timed "$work/$which.log" "$base/readyz" "$binary" serve)
    TOKEN=$(token "$base" admin "$BENCH_PASSWORD")
    auth="Authorization: Bearer $TOKEN"
    echo "== $which ($([ "$which" = before ] && echo "$rev" || git -C "$BENCH_ROOT" rev-parse --short HEAD))"
    get=$(wrk -t1 -c16 -d10s -s "$BENCH_ROOT/bench/wrk/get_feedback.lua" -H "$auth" "$base" | wrk_rate)
    post=$(wrk -t1 -c16 -d10s -s "$BENCH_ROOT/bench/wrk/create_feedback.lua" -H "$auth" "$base" | wrk_rate)
    echo "GET /feedback/{id}: $get req/s; POST /feedback: $post req/s"
    result[$which.get]=$(best "$get" "${result[$which.get]:-}")
    result[$which.post]=$(best "$post" "${result[$which.post]:-}")
    if [ -n "${ONLY_RECORDS:-}" ]; then
        kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
        continue
    fi
    python3 "$BENCH_ROOT/bench/timing.py" "$base" "$TOKEN" "$DATABASE_URL" | tee "$work/$which.timing.new"
    # Keep the round whose statistics were quicker in all (the quieter one).
    total() { awk 'NR > 1 {for (i = 1; i <= NF; i++) if ($i ~ /ms$/) {sub(/ms/, "", $i); t += $i; break}} END {print t + 0}' "$1"; }
    if [ ! -f "$work/$which.timing" ] ||
        awk -v a="$(total "$work/$which.timing.new")" -v b="$(total "$work/$which.timing")" 'BEGIN {exit !(a < b)}'; then
        mv "$work/$which.timing.new" "$work/$which.timing"
    fi
    kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
done

echo "== after / before (each the better of two rounds)"
awk -v a="${result[after.get]}" -v b="${result[before.get]}" 'BEGIN {printf "GET /feedback/{id} throughput: %.2f\n", a / b}'
awk -v a="${result[after.post]}" -v b="${result[before.post]}" 'BEGIN {printf "POST /feedback throughput:     %.2f\n", a / b}'
[ -n "${ONLY_RECORDS:-}" ] && exit 0
paste "$work/before.timing" "$work/after.timing" | awk -F'\t' 'NR > 1 {
    split($1, b, / +/); split($2, a, / +/); name = $1; sub(/ +[0-9].*/, "", name)
    for (i = 1; i <= length(b); i++) if (b[i] ~ /ms$/) { bm = b[i]; break }
    for (i = 1; i <= length(a); i++) if (a[i] ~ /ms$/) { am = a[i]; break }
    sub(/ms/, "", bm); sub(/ms/, "", am)
    if (bm > 0) printf "%-24s median %7.1f ms -> %7.1f ms (%.2f)\n", name, bm, am, am / bm }'
