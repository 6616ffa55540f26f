"""Sort-key probe (issue 9): every list, asked to sort by 5 and by 50 keys
(the same key repeated, as an attacker would), must answer 422 within
50 ms. Prints one line per request and exits non-zero on any miss.
Usage: python3 proof/sort_probe.py BASE_URL TOKEN"""
import sys
import time
import urllib.error
import urllib.request

LISTS = [
    ("/api/v1/feedback", "id"),
    ("/api/v1/users", "id"),
    ("/api/v1/ombudsman-cases", "id"),
    ("/api/v1/service-improvements", "id"),
    ("/api/v1/directorates", "code"),
    ("/api/v1/calendar/holidays", "date"),
]
LIMIT_MS = 50.0


def probe(base, token, path, keys):
    request = urllib.request.Request(
        f"{base}{path}?sort={','.join(keys)}",
        headers={"Authorization": f"Bearer {token}"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def main():
    base, token = sys.argv[1], sys.argv[2]
    failures = 0
    worst = 0.0
    for path, key in LISTS:
        for count in (5, 50):
            # Warm the connection path once, then measure the median of five.
            probe(base, token, path, [key] * count)
            runs = sorted(probe(base, token, path, [key] * count) for _ in range(5))
            status, ms = runs[2]
            worst = max(worst, max(r[1] for r in runs))
            ok = all(r[0] == 422 for r in runs) and ms < LIMIT_MS
            failures += not ok
            print(f"{path:32} {count:2} keys: {status} in {ms:6.2f} ms (median of 5) {'ok' if ok else 'FAILED'}")
    print(f"slowest single answer: {worst:.2f} ms; limit {LIMIT_MS:.0f} ms")
    sys.exit(1 if failures else 0)


main()
