#!/usr/bin/env bash
# Generated clients (issues 13 and 16): the clients the frontend team and the
# CRM generate work against a running service. openapi-python-client and
# openapi-typescript (with openapi-fetch, compiled under tsc --strict) are
# generated from openapi/openapi.json; with each, the examples in clients/
# upload a PDF to a record and download it whole, then log in, create a
# record, patch it with If-Match, list, and read the statistics and the
# report as JSON.
#
# Usage: proof/clients.sh   (the tools are installed under .ci/.cache on first use)
source "$(dirname "$0")/../bench/lib.sh"

PYTHON_CLIENT_VERSION=0.29.1
OPENAPI_TYPESCRIPT_VERSION=7.13.0
OPENAPI_FETCH_VERSION=0.17.0
TYPESCRIPT_VERSION=5.9.3
TYPES_NODE_VERSION=20.19.43
SERVER=${SERVER:-${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/debug/redress}

[ -n "${SKIP_BUILD:-}" ] || (cd "$BENCH_ROOT" && cargo build --quiet)

venv="$BENCH_ROOT/.ci/.cache/clients-venv"
if ! "$venv/bin/openapi-python-client" --version 2>/dev/null | grep -q "$PYTHON_CLIENT_VERSION"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-python-client==$PYTHON_CLIENT_VERSION"
fi
npm_dir="$BENCH_ROOT/.ci/.cache/clients-npm"
npm_pins="openapi-typescript@$OPENAPI_TYPESCRIPT_VERSION openapi-fetch@$OPENAPI_FETCH_VERSION typescript@$TYPESCRIPT_VERSION @types/node@$TYPES_NODE_VERSION"
if [ "$(cat "$npm_dir/pins" 2>/dev/null)" != "$npm_pins" ]; then
    rm -rf "$npm_dir" && mkdir -p "$npm_dir"
    # shellcheck disable=SC2086
    npm install --prefix "$npm_dir" --no-audit --no-fund --silent $npm_pins >/dev/null
    echo "$npm_pins" >"$npm_dir/pins"
fi

work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$BENCH_ROOT"/clients/* "$work/"
ln -s "$npm_dir/node_modules" "$work/node_modules"
echo '{"type": "module"}' >"$work/package.json"

echo "== generating the clients from openapi/openapi.json"
"$venv/bin/openapi-python-client" generate --path "$BENCH_ROOT/openapi/openapi.json" \
    --output-path "$work/redress_client" --meta none >"$work/python-generate.log" 2>&1 ||
    { cat "$work/python-generate.log"; exit 1; }
(cd "$work" && node generate.mjs "$BENCH_ROOT/openapi/openapi.json" schema.d.ts &&
    node_modules/.bin/tsc -p tsconfig.json)

port=$(free_port)
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/clients.db" DOCUMENTS_DIR="$work/documents"
export BIND_ADDR="127.0.0.1:$port" BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=${RUST_LOG:-warn}
read -r pid _ < <(spawn_timed "$work/server.log" "$base/readyz" "$SERVER" serve)
TOKEN=$(token "$base" admin "$BENCH_PASSWORD")
record=$(curl -fsS -X POST "$base/api/v1/feedback" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' \
    -d '{"directorate": "adults", "kind": "complaint", "procedure": "corporate", "stage": 1, "received_on": "2026-03-02"}' |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')

echo "== uploading with each client to record $record"
(cd "$work" && PYTHONPATH="$work" "$venv/bin/python" upload.py "$base" "$TOKEN" "$record")
(cd "$work" && node upload.js "$base" "$TOKEN" "$record")

echo "== a day's work with each client: log in, create, patch with If-Match, list, statistics, the report as JSON"
(cd "$work" && PYTHONPATH="$work" "$venv/bin/python" flow.py "$base" admin "$BENCH_PASSWORD")
(cd "$work" && node flow.js "$base" admin "$BENCH_PASSWORD")
