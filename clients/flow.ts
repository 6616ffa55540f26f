// A day's work from the TypeScript client the frontend team generates:
// openapi-typescript's types with openapi-fetch, compiled under
// `tsc --strict`. Logs in, creates a record (idempotently), changes it
// with If-Match, lists, reads the statistics and the annual report as JSON.
//
// Usage: node flow.js BASE_URL USERNAME PASSWORD
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Feedback = components["schemas"]["Feedback"];

const [base, username, password] = process.argv.slice(2);
const anonymous = createClient<paths>({ baseUrl: base });

const login = await anonymous.POST("/api/v1/auth/token", { body: { username, password } });
if (login.data === undefined) throw new Error(`login failed: ${login.response.status}`);
// The second type argument types each answer by its JSON alone (the
// reports and statistics also answer HTML, CSV, XLSX or PDF when asked).
const client = createClient<paths, "application/json">({
  baseUrl: base,
  headers: { Authorization: `Bearer ${login.data.access_token}` },
});

const created = await client.POST("/api/v1/feedback", {
  params: { header: { "Idempotency-Key": `flow-ts-${Date.now()}` } },
  body: {
    directorate: "adults",
    kind: "complaint",
    procedure: "statutory_adults",
    stage: 1,
    category: "Charging",
    received_on: "2026-11-02",
    complainant: { name: "Mrs A Example", email: "a.example@example.org" },
  },
});
if (created.data === undefined) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
const record: Feedback = created.data;
const etag = created.response.headers.get("ETag") ?? "";

const patched = await client.PATCH("/api/v1/feedback/{id}", {
  params: { path: { id: record.id }, header: { "If-Match": etag } },
  body: { acknowledged_on: "2026-11-03", team: "Financial Assessments" },
});
if (patched.data === undefined) throw new Error(`patch failed: ${JSON.stringify(patched.error)}`);
// A second change with the old ETag is refused.
const stale = await client.PATCH("/api/v1/feedback/{id}", {
  params: { path: { id: record.id }, header: { "If-Match": etag } },
  body: { team: "Someone else" },
});
if (stale.response.status !== 412) throw new Error(`stale If-Match gave ${stale.response.status}`);

const list = await client.GET("/api/v1/feedback", {
  params: { query: { directorate: "adults", sort: "-updated_at,id", limit: 10 } },
});
if (list.data === undefined || !list.data.items.some((item: Feedback) => item.id === record.id)) {
  throw new Error("the new record is not listed");
}

const statistics = await client.GET("/api/v1/statistics/complaints", {
  params: { query: { year: 2026, directorate: "adults" } },
});
if (statistics.data === undefined) throw new Error(`statistics failed: ${statistics.response.status}`);
const received: number = statistics.data.received;
// A field every answer carries is required, null meaning "none"; a map keyed
// by an enum is typed by its keys.
const dueOn: string | null = patched.data.timeliness.due_on;
const upheld: number = statistics.data.outcomes.upheld;
// @ts-expect-error: not an outcome
void statistics.data.outcomes.not_an_outcome;

// JSON by default: openapi-fetch sends no Accept of its own.
const report = await client.GET("/api/v1/reports/annual", {
  params: { query: { year: 2026, directorate: "adults" } },
});
if (report.data === undefined) {
  throw new Error(`the report is not JSON: ${report.response.headers.get("content-type")}`);
}
console.log(
  `typescript: record ${record.reference} created and changed (due ${dueOn}); ${received} complaints received in 2026-27, ${upheld} upheld; report for ${report.data.period.label}`,
);
