"""Crash safety (issue 6): concurrent creates, SIGKILL mid-load, restart, verify.

Each round starts `redress serve` on the same database, drives concurrent
creates from THREADS clients (feedback records with remedies and themes, and
Ombudsman cases with recommendations: each a multi-row write with its audit
entry), kills the server with SIGKILL at a random moment, and waits for the
clients to notice. After the last round the server is started once more and
every record is checked:

- every create that was answered 201 is there, field for field as sent
  (child rows included) with its `create` audit entry: anything else is lost
  or corrupt;
- every record the database holds is one that was sent, whole: a record that
  was never answered may exist only if its request was in flight at the kill,
  and then it must be complete too (nothing half-written).

Usage: python3 crash.py BIN [ROUNDS] [THREADS]; DATABASE_URL says where.
Exit status 0 only when nothing was lost, corrupt or half-written.
"""

import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

BIN = sys.argv[1]
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
THREADS = int(sys.argv[3]) if len(sys.argv) > 3 else 16
PASSWORD = "crash-admin-password"
SEQUENCE = itertools.count(1)
random.seed(int(os.environ.get("SEED", "42")))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `redress serve` process on the shared database."""

    def __init__(self, log):
        self.port = free_port()
        env = dict(os.environ, BIND_ADDR=f"127.0.0.1:{self.port}",
                   BOOTSTRAP_ADMIN_PASSWORD=PASSWORD, RUST_LOG="warn")
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        started = time.monotonic()
        while True:
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    self.ready_ms = round((time.monotonic() - started) * 1000)
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() - started > 60:
                sys.exit("the server did not start: see the log")
            time.sleep(0.01)
        status, body = self.request("POST", "/api/v1/auth/token",
                                    {"username": "admin", "password": PASSWORD})
        assert status == 200, (status, body)
        self.token = body["access_token"]

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, body=None, conn=None, token=None):
        own = conn is None
        conn = conn or self.connection()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            res = conn.getresponse()
            data = res.read()
            return res.status, json.loads(data) if data else None
        finally:
            if own:
                conn.close()

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def feedback_body(n):
    return {
        "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults",
        "stage": 1, "received_on": "2025-06-02", "category": "Charging",
        "sub_category": "Outcome of financial assessment",
        "summary": f"Crash test {n}: naïve café, “quotes”, 'apostrophes' & <b>tags</b>; DROP TABLE feedback;--",
        "themes": ["communication", f"theme-{n % 7}"], "channel": "email",
        "external_ref": f"crash-{n}",
        "complainant": {"name": f"Person {n}", "relationship": "representative"},
        "remedies": [
            {"kind": "apology", "description": f"Apology {n}"},
            {"kind": "financial_redress", "amount_pence": n, "agreed_on": "2025-06-10"},
        ],
    }


def case_body(n):
    return {
        "reference": f"{n // 1_000_000 % 100:02d} {n // 1000 % 1000:03d} {n % 1000:03d}",
        "directorate": "adults", "received_on": "2025-01-06", "category": "Adult care services",
        "summary": f"Crash case {n}", "decision": "upheld", "decided_on": "2025-02-03",
        "recommendations": [
            {"kind": "apology", "description": f"Apologise ({n})", "due_on": "2025-03-03"},
            {"kind": "financial_redress", "amount_pence": 100 + n, "due_on": "2025-03-03"},
            {"kind": "staff_training", "description": f"Train staff ({n})"},
        ],
    }


COLLECTIONS = {"feedback": "/api/v1/feedback", "case": "/api/v1/ombudsman-cases"}


class Ledger:
    """What the clients sent and what they were told, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}        # key -> (kind, body)
        self.acked = {}       # key -> id
        self.in_flight = set()  # keys whose request never got an answer
        self.rejected = 0     # answers other than 201 (none are expected)


def client(server, ledger, stop):
    conn = server.connection()
    while not stop.is_set():
        n = next(SEQUENCE)
        kind = "case" if n % 4 == 0 else "feedback"
        body = case_body(n) if kind == "case" else feedback_body(n)
        with ledger.lock:
            ledger.sent[n] = (kind, body)
        try:
            status, answer = server.request("POST", COLLECTIONS[kind], body, conn, server.token)
        except (OSError, http.client.HTTPException, ValueError):
            with ledger.lock:
                ledger.in_flight.add(n)
            return
        with ledger.lock:
            if status == 201:
                ledger.acked[n] = answer["id"]
            else:
                ledger.rejected += 1
                print(f"unexpected {status}: {answer}", file=sys.stderr)


def same(sent, stored):
    """Every field that was sent is stored exactly (child rows included)."""
    for field, value in sent.items():
        got = stored.get(field)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            if len(got or []) != len(value):
                return False
            if any(not same(a, b) for a, b in zip(value, got)):
                return False
        elif isinstance(value, dict):
            if not isinstance(got, dict) or not same(value, got):
                return False
        elif got != value:
            return False
    return True


def all_records(server, kind):
    """Every record of a kind, paged through the list endpoint."""
    records, offset = [], 0
    while True:
        status, page = server.request("GET", f"{COLLECTIONS[kind]}?limit=500&offset={offset}&sort=id",
                                      token=server.token)
        assert status == 200, (status, page)
        records += page["items"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return records


def key_of(kind, record):
    if kind == "feedback":
        ref = record.get("external_ref") or ""
        return int(ref[len("crash-"):]) if ref.startswith("crash-") else None
    digits = record["reference"].replace(" ", "")
    return int(digits) if digits.isdigit() else None


def main():
    ledger = Ledger()
    log = open(os.environ.get("CRASH_LOG", "/dev/null"), "a")
    kills = []
    for round_ in range(1, ROUNDS + 1):
        server = Server(log)
        stop = threading.Event()
        before = len(ledger.acked)
        threads = [threading.Thread(target=client, args=(server, ledger, stop)) for _ in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(2.0, 5.0))
        server.kill()
        stop.set()
        for t in threads:
            t.join()
        kills.append(len(ledger.acked) - before)
        print(f"round {round_}: started in {server.ready_ms} ms, {kills[-1]} creates answered 201, "
              f"then SIGKILL with {THREADS} clients mid-request")

    server = Server(log)
    print(f"restarted after the last kill in {server.ready_ms} ms; verifying")
    lost = corrupt = unaudited = 0
    stored_keys = set()
    for kind in COLLECTIONS:
        for record in all_records(server, kind):
            key = key_of(kind, record)
            if key is None:
                continue
            stored_keys.add(key)
            sent = ledger.sent.get(key)
            if sent is None or sent[0] != kind or not same(sent[1], record):
                corrupt += 1
                print(f"half-written or unknown {kind}: {json.dumps(record)[:300]}", file=sys.stderr)
                continue
            if key not in ledger.acked and key not in ledger.in_flight:
                corrupt += 1
                print(f"stored but never in flight: {kind} {key}", file=sys.stderr)
    for key, id_ in ledger.acked.items():
        kind, body = ledger.sent[key]
        status, record = server.request("GET", f"{COLLECTIONS[kind]}/{id_}", token=server.token)
        if status != 200:
            lost += 1
            print(f"lost: {kind} {id_} ({key})", file=sys.stderr)
            continue
        if not same(body, record):
            corrupt += 1
            continue
        status, history = server.request("GET", f"{COLLECTIONS[kind]}/{id_}/history", token=server.token)
        if status != 200 or not any(e["action"] == "create" for e in history["items"]):
            unaudited += 1
    server.stop()

    acked = len(ledger.acked)
    committed_unanswered = len(stored_keys & ledger.in_flight)
    print(f"creates sent: {len(ledger.sent)}; answered 201: {acked}; other answers: {ledger.rejected}; "
          f"in flight at a kill: {len(ledger.in_flight)} (of which committed: {committed_unanswered})")
    print(f"records stored: {len(stored_keys)}; lost: {lost}; corrupt or half-written: {corrupt}; "
          f"without their audit entry: {unaudited}")
    ok = lost == 0 and corrupt == 0 and unaudited == 0 and ledger.rejected == 0 \
        and len(stored_keys) == acked + committed_unanswered
    print("crash safety: " + ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
