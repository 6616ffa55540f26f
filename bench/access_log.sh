#!/usr/bin/env bash
# The access log's cost (issue 14: GET by id within 10% of its figure
# without the log). Admin GET /api/v1/feedback/{id}, whose every read is
# logged, served by this revision and by the same revision built with
# `AccessLog::record` returning at once, in turn on copies of one seeded
# SQLite database; prints each run and the ratio of the better rounds.
# The build without the log is made in a git worktree of HEAD (committed
# code only), in target/compare, kept for next time.
# Usage: bench/access_log.sh [RECORDS] [SECONDS] [ROUNDS]
source "$(dirname "$0")/lib.sh"

export RECORDS=${1:-200000}
seconds=${2:-10}
rounds=${3:-2}
comparison_tools
work=$(mktemp -d)
pid=
cleanup() {
    kill $pid 2>/dev/null || true
    git -C "$BENCH_ROOT" worktree remove --force "$work/nolog" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== building $(git -C "$BENCH_ROOT" rev-parse --short HEAD) without the access log"
git -C "$BENCH_ROOT" worktree add -q --detach "$work/nolog" HEAD
python3 - "$work/nolog/src/access/mod.rs" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
start = text.index("    pub fn record<")
body = text.index("    {\n", start) + len("    {\n")
text = text[:body] + "        return;\n" + text[body:]
open(path, "w").write(text)
PY
(cd "$work/nolog" && CARGO_TARGET_DIR="$BENCH_ROOT/target/compare" cargo build --release --quiet --bin redress 2>/dev/null)
NOLOG="$BENCH_ROOT/target/compare/release/redress"

echo "== seeding $RECORDS records"
DATABASE_URL="sqlite://$work/seed.db" "$TARGET_DIR/release/examples/seed" "$RECORDS" 0 >/dev/null 2>&1

declare -A result
for round in $(seq "$rounds"); do
    for which in log nolog; do
        binary=$BIN
        [ "$which" = nolog ] && binary=$NOLOG
        rm -f "$work"/run.db*
        sqlite_copy "$work/seed.db" "$work/run.db"
        port=$(free_port)
        base="http://127.0.0.1:$port"
        export DATABASE_URL="sqlite://$work/run.db" BIND_ADDR="127.0.0.1:$port"
        export BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn
        read -r pid _ < <(spawn_timed "$work/$which.log" "$base/readyz" "$binary" serve)
        auth="Authorization: Bearer $(token "$base" admin "$BENCH_PASSWORD")"
        get=$(wrk -t1 -c16 -d"${seconds}s" -s "$BENCH_ROOT/bench/wrk/get_feedback.lua" -H "$auth" "$base" | wrk_rate)
        echo "round $round, $which: GET /feedback/{id} $get req/s"
        result[$which]=$(best "$get" "${result[$which]:-}")
        kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    done
done
awk -v a="${result[log]}" -v b="${result[nolog]}" \
    'BEGIN {printf "with the log / without (the better round of each): %.2f (target >= 0.90)\n", a / b}'
