"""A day's work from the Python client the CRM generates
(openapi-python-client): log in, create a record (idempotently), change it
with If-Match, list, read the statistics and the annual report as JSON.

Usage: python flow.py BASE_URL USERNAME PASSWORD (the generated package
`redress_client` on the path)."""

import sys
import time

from redress_client import AuthenticatedClient, Client
from redress_client.api.auth import create_token
from redress_client.api.feedback import create_feedback, get_feedback_history, list_feedback, update_feedback
from redress_client.api.reports import get_annual_report
from redress_client.api.statistics import get_complaint_statistics
from redress_client.models import (
    AnnualReport,
    ComplaintStatistics,
    Feedback,
    FeedbackInput,
    FeedbackPatch,
    TokenRequest,
)
from redress_client.types import Unset

base, username, password = sys.argv[1], sys.argv[2], sys.argv[3]

login = create_token.sync(client=Client(base_url=base), body=TokenRequest(username=username, password=password))
client = AuthenticatedClient(base_url=base, token=login.access_token)

body = FeedbackInput.from_dict({
    "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
    "category": "Charging", "received_on": "2026-11-02",
    "complainant": {"name": "Mr B Example", "email": "b.example@example.org"},
})
created = create_feedback.sync_detailed(client=client, body=body, idempotency_key=f"flow-py-{time.time()}")
assert created.status_code == 201, (created.status_code, created.content)
record = created.parsed
assert isinstance(record, Feedback), record
etag = created.headers["etag"]

patch = FeedbackPatch.from_dict({"acknowledged_on": "2026-11-03", "team": "Financial Assessments"})
changed = update_feedback.sync_detailed(record.id, client=client, body=patch, if_match=etag)
assert changed.status_code == 200, (changed.status_code, changed.content)
# A field every answer carries is required (None meaning "none"), never Unset.
due_on = changed.parsed.timeliness.due_on
assert not isinstance(due_on, Unset), due_on
stale = update_feedback.sync_detailed(record.id, client=client, body=patch, if_match=etag)
assert stale.status_code == 412, stale.status_code

history = get_feedback_history.sync(record.id, client=client)
change = history.items[-1].changes["acknowledged_on"]  # oldest first: the patch is last
assert (change.from_, change.to) == (None, "2026-11-03"), change

page = list_feedback.sync(client=client, directorate="adults", sort="-updated_at,id", limit=10)
assert any(item.id == record.id for item in page.items), "the new record is not listed"

statistics = get_complaint_statistics.sync(client=client, year=2026, directorate="adults")
assert isinstance(statistics, ComplaintStatistics), statistics
upheld: int = statistics.outcomes.upheld  # a map keyed by an enum has its keys as fields
assert isinstance(upheld, int), upheld

report = get_annual_report.sync(client=client, year=2026, directorate="adults")
assert isinstance(report, AnnualReport), type(report)
print(f"python: record {record.reference} created and changed (due {due_on}); "
      f"{statistics.received} complaints received in 2026-27, {upheld} upheld; report for {report.period.label}")
