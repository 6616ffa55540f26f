"""Time statistics endpoints against the same aggregates as hand-tuned SQL.

Usage: timing.py BASE_URL TOKEN DATABASE_URL
Prints, per endpoint, the median and slowest of N requests, the median of
the hand-tuned query run directly against the database, and their ratio.
"""
import datetime
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse

RUNS = int(os.environ.get("RUNS", "10"))
base, token, database_url = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))


_parsed = urllib.parse.urlsplit(base)
_connection = http.client.HTTPConnection(_parsed.hostname, _parsed.port)  # kept alive, as a browser would


def fetch(path, accept="application/json"):
    global _connection
    started = time.perf_counter()
    try:
        _connection.request("GET", path, headers={"Authorization": "Bearer " + token, "Accept": accept})
        response = _connection.getresponse()
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        # The server closes a keep-alive connection left idle (while the
        # hand SQL ran): open a new one and time the request on it.
        _connection.close()
        _connection = http.client.HTTPConnection(_parsed.hostname, _parsed.port)
        started = time.perf_counter()
        _connection.request("GET", path, headers={"Authorization": "Bearer " + token, "Accept": accept})
        response = _connection.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}: {body[:300]!r}")
    return time.perf_counter() - started, body


def time_endpoint(path, accept="application/json"):
    fetch(path, accept)  # warm
    times = [fetch(path, accept)[0] for _ in range(RUNS)]
    return statistics.median(times), max(times)


KINDS = ["compliment", "comment", "enquiry", "councillor_enquiry", "mp_enquiry", "representation",
         "informal_complaint", "complaint", "dissatisfaction", "senior_manager_review"]
YEARS = [("2024-04-01", "2025-03-31"), ("2023-04-01", "2024-03-31"), ("2022-04-01", "2023-03-31"), ("2021-04-01", "2022-03-31")]


def feedback_sql():
    """Hand-tuned feedback volumes: one count per kind, year and date column,
    each an index range scan (grouping four years of records is ten times slower)."""
    parts = [
        f"SELECT '{column}', '{kind}', {i}, COUNT(*) FROM feedback WHERE directorate = 'adults' AND kind = '{kind}' "
        f"AND {column} BETWEEN '{start}' AND '{end}'"
        for column in ("received_on", "responded_on") for kind in KINDS for i, (start, end) in enumerate(YEARS)
    ]
    parts.append("SELECT 'decided', NULL, NULL, COUNT(*) FROM ombudsman_cases WHERE directorate = 'adults' "
                 "AND decision IS NOT NULL AND decided_on BETWEEN '2021-04-01' AND '2025-03-31'")
    return " UNION ALL ".join(parts)


def sql_text(name, horizon):
    if name == "feedback":
        return feedback_sql()
    with open(os.path.join(here, "sql", name + ".sql")) as f:
        text = "\n".join(line for line in f.read().splitlines() if not line.startswith("--"))
    return text.replace(":horizon", horizon)


def time_sql(text):
    if database_url.startswith("sqlite://"):
        conn = sqlite3.connect(database_url[len("sqlite://"):])
        conn.execute("PRAGMA mmap_size = 1073741824")
        conn.execute(text).fetchall()  # warm
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            conn.execute(text).fetchall()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    # PostgreSQL: the server's own timing of each run, through one psql session.
    script = "\\timing on\n" + (text.rstrip().rstrip(";") + ";\n") * (RUNS + 1)
    out = subprocess.run(["psql", "-X", "-q", "-d", database_url], input=script, capture_output=True, text=True, check=True).stdout
    times = [float(line.split()[1]) / 1000 for line in out.splitlines() if line.startswith("Time:")]
    return statistics.median(times[1:])


overdue = json.loads(fetch("/api/v1/statistics/overdue?directorate=adults&limit=1")[1])
as_of = datetime.date.fromisoformat(overdue["as_of"])
# The service's horizon: 5 working days after today (weekends only here; close enough for timing).
horizon, added = as_of, 0
while added < 5:
    horizon += datetime.timedelta(days=1)
    if horizon.weekday() < 5:
        added += 1

# The statements that together answer what an endpoint answers.
HAND = {
    "complaints": ["complaints", "complaints_caseload", "complaints_escalated"],
    "feedback": ["feedback", "feedback_caseload"],
    "ombudsman": ["ombudsman", "ombudsman_caseload"],
}

rows = [
    ("ombudsman", "/api/v1/statistics/ombudsman?year=2024&directorate=adults", "ombudsman"),
    ("feedback", "/api/v1/statistics/feedback?year=2024&directorate=adults", "feedback"),
    ("complaints", "/api/v1/statistics/complaints?year=2024&directorate=adults", "complaints"),
    ("overdue", "/api/v1/statistics/overdue?directorate=adults", "overdue"),
]
print(f"{'endpoint':<24}{'median':>10}{'slowest':>10}{'hand SQL':>10}{'ratio':>8}")
for name, path, sql in rows:
    median, slowest = time_endpoint(path)
    hand = sum(time_sql(sql_text(part, horizon.isoformat())) for part in HAND.get(sql, [sql]))
    print(f"{name:<24}{median * 1000:>8.1f}ms{slowest * 1000:>8.1f}ms{hand * 1000:>8.1f}ms{median / hand:>7.2f}x")
# group_by: the analysis and its breakdown, against the analysis's hand SQL
# plus a hand-written statement for the breakdown (issue 12: within 1.5x).
ALL_KINDS = ",".join(KINDS)
grouped = [
    ("group_by=service_area", "group_by=service_area", "group_service_area"),
    ("group_by=theme", "group_by=theme", "group_theme"),
    ("group_by=quarter,kind", f"kind={ALL_KINDS}&group_by=quarter,kind", "group_quarter_kind"),
]
complaints_hand = sum(time_sql(sql_text(part, horizon.isoformat())) for part in HAND["complaints"])
# The analysis of every kind at once, for the breakdown that asks for them.
kinds_in = "kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")"
every_kind_hand = sum(
    time_sql(sql_text(part, horizon.isoformat()).replace("kind = 'complaint'", kinds_in))
    for part in HAND["complaints"]
)
for name, query, sql in grouped:
    median, slowest = time_endpoint(f"/api/v1/statistics/complaints?year=2024&directorate=adults&{query}")
    base = every_kind_hand if query.startswith("kind=") else complaints_hand
    hand = base + time_sql(sql_text(sql, horizon.isoformat()))
    print(f"{name:<24}{median * 1000:>8.1f}ms{slowest * 1000:>8.1f}ms{hand * 1000:>8.1f}ms{median / hand:>7.2f}x")
median, slowest = time_endpoint("/api/v1/statistics/complaints?year=2024&directorate=adults", "text/csv")
print(f"{'complaints (CSV)':<24}{median * 1000:>8.1f}ms{slowest * 1000:>8.1f}ms")
median, slowest = time_endpoint("/api/v1/reports/annual?year=2024&directorate=adults", "text/html")
print(f"{'annual report (HTML)':<24}{median * 1000:>8.1f}ms{slowest * 1000:>8.1f}ms")
median, slowest = time_endpoint("/api/v1/reports/annual?year=2024", "text/html")
print(f"{'annual report, council':<24}{median * 1000:>8.1f}ms{slowest * 1000:>8.1f}ms")
