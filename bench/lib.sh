# Shared helpers for the benchmark scripts (sourced, not run).
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Where cargo builds: CARGO_TARGET_DIR when set.
TARGET_DIR=${CARGO_TARGET_DIR:-$BENCH_ROOT/target}
BIN="$TARGET_DIR/release/redress"
BENCH_PASSWORD=bench-admin-password
export JWT_SECRET=${JWT_SECRET:-bench-secret-bench-secret-bench-secret-0123}
# The seeded records go back six years, so the daily retention run would
# anonymise many of them at start, in the middle of the measurements.
export RETENTION_RUN_AT=${RETENTION_RUN_AT:-off}

build_release() {
    (cd "$BENCH_ROOT" && cargo build --release --quiet)
}

# wrk, installed from Debian when it is missing and we may; fails without it.
# The scripts that replay a Lua mix need wrk itself.
ensure_wrk() {
    if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || true
    fi
    command -v wrk >/dev/null 2>&1
}

# What a comparison of two builds on one seeded database needs: this
# build, the seeding example, and wrk (or it stops).
comparison_tools() {
    build_release
    (cd "$BENCH_ROOT" && cargo build --release --quiet --example seed)
    ensure_wrk || { echo "the comparison needs wrk (apt-get install wrk)"; exit 1; }
}

# A load generator: oha or wrk if installed, else wrk from Debian or oha from crates.io.
ensure_load_tool() {
    if command -v oha >/dev/null 2>&1; then
        return
    fi
    ensure_wrk || cargo install --quiet oha
}

# fresh_database BACKEND DIR: export DATABASE_URL for an empty database, a
# file in DIR on SQLite, or the database redress_bench made anew on the
# local PostgreSQL (started when it is down).
fresh_database() {
    if [ "$1" = sqlite ]; then
        export DATABASE_URL="sqlite://$2/bench.db"
    else
        pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
        psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS redress_bench WITH (FORCE)" -c "CREATE DATABASE redress_bench"
        export DATABASE_URL="postgres://postgres@127.0.0.1:5432/redress_bench"
    fi
}

# drop_database BACKEND: drop what fresh_database made.
drop_database() {
    if [ "$1" = postgres ]; then
        psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS redress_bench WITH (FORCE)"
    else
        rm -f "${DATABASE_URL#sqlite://}" "${DATABASE_URL#sqlite://}"-wal "${DATABASE_URL#sqlite://}"-shm
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# spawn_timed LOG URL CMD...: start CMD in the background (output to LOG),
# poll URL every millisecond until it answers 200, and print "PID MS": the
# server's pid and the milliseconds from exec to its first 200.
spawn_timed() {
    python3 - "$@" <<'PY'
import subprocess, sys, time, urllib.request
log, url, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
start = time.monotonic()
proc = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
while time.monotonic() - start < 30:
    try:
        if urllib.request.urlopen(url, timeout=1).status == 200:
            print(proc.pid, round((time.monotonic() - start) * 1000))
            sys.exit(0)
    except Exception:
        if proc.poll() is not None:
            sys.exit(f"server exited: see {log}")
        time.sleep(0.001)
sys.exit("server not ready after 30 s")
PY
}

# wait_ready URL: poll until it answers 200 (1 ms steps, 30 s at most).
wait_ready() {
    python3 - "$1" <<'PY'
import sys, time, urllib.request
url = sys.argv[1]
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        if urllib.request.urlopen(url, timeout=1).status == 200:
            sys.exit(0)
    except Exception:
        time.sleep(0.001)
sys.exit(1)
PY
}

# token BASE USER PASSWORD: print an access token.
token() {
    curl -fsS -X POST "$1/api/v1/auth/token" -H 'content-type: application/json' \
        -d "{\"username\":\"$2\",\"password\":\"$3\"}" |
        python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])'
}

rss_mb() {
    awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"
}

# load URL SECONDS CONNECTIONS [header...]: print requests per second and latency.
load() {
    local url=$1 seconds=$2 connections=$3
    shift 3
    local args=()
    for h in "$@"; do args+=(-H "$h"); done
    if command -v oha >/dev/null 2>&1; then
        oha --no-tui -z "${seconds}s" -c "$connections" "${args[@]}" "$url"
    else
        # One client thread: wrk shares the 2 cores with the server.
        wrk -t1 -c"$connections" -d"${seconds}s" --latency "${args[@]}" "$url"
    fi
}

# ensure_schemathesis: print the path of `st`, installing schemathesis from
# PyPI into a virtual environment under .ci/.cache on first use.
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
    local venv="$BENCH_ROOT/.ci/.cache/venv"
    if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
    fi
    echo "$venv/bin/st"
}

# ensure_postgres: start the local PostgreSQL cluster when it is down.
ensure_postgres() {
    pg_isready -q -h 127.0.0.1 && return
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && return; sleep 1; done
}

# fresh_pg_database NAME: (re)create an empty database and print its URL.
fresh_pg_database() {
    ensure_postgres
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >&2
    echo "postgres://postgres@127.0.0.1:5432/$1"
}

# drop_pg_database NAME: drop it if PostgreSQL is up and it exists.
drop_pg_database() {
    if [ "${DATABASE_URL:-}" = "postgres://postgres@127.0.0.1:5432/$1" ]; then
        psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true
    fi
}

# sqlite_copy FROM TO: a consistent copy of a SQLite database (with its
# write-ahead log).
sqlite_copy() {
    python3 -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' "$1" "$2"
}

# wrk_rate: the requests a second of wrk's report on standard input.
wrk_rate() { awk '/Requests\/sec/ {print $2}'; }

# best A [B]: the larger of two rates.
best() { awk -v a="$1" -v b="${2:-0}" 'BEGIN {print (a > b ? a : b)}'; }
