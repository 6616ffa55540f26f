#!/usr/bin/env bash
# Crash safety (issue 6): concurrent creates, SIGKILL mid-load, restart, and
# a check that every create answered 201 is there, intact, and nothing
# half-written is. See proof/crash.py for what is checked.
# Usage: proof/crash.sh [sqlite|postgres|both] [ROUNDS] [THREADS]
source "$(dirname "$0")/../bench/lib.sh"

backends=${1:-both}
rounds=${2:-3}
threads=${3:-16}
[ "$backends" = both ] && backends="sqlite postgres"
build_release
work=$(mktemp -d)
trap 'drop_pg_database redress_crash; rm -rf "$work"' EXIT
status=0
for backend in $backends; do
    if [ "$backend" = postgres ]; then
        export DATABASE_URL=$(fresh_pg_database redress_crash)
    else
        export DATABASE_URL="sqlite://$work/crash.db"
    fi
    echo "== crash safety on $backend: $rounds rounds of $threads concurrent creators, SIGKILL mid-load"
    CRASH_LOG="$work/server.log" python3 "$BENCH_ROOT/proof/crash.py" "$BIN" "$rounds" "$threads" || status=1
    drop_pg_database redress_crash
done
exit $status
