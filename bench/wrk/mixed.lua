-- The realistic mix of issue 6: 70% reads of one record, 20% filtered list
-- pages, 10% creates. RECORDS says how many records were seeded.
local records = tonumber(os.getenv("RECORDS") or "250000")
local pages = {
  "/api/v1/feedback?directorate=adults&kind=complaint&received_from=2024-04-01&received_to=2025-03-31&sort=-received_on&limit=50",
  "/api/v1/feedback?directorate=children&status=open&sort=-received_on&limit=50",
  "/api/v1/feedback?kind=mp_enquiry&responded_from=2023-04-01&responded_to=2024-03-31&limit=50&offset=100",
  "/api/v1/feedback?directorate=corporate&overdue=true&sort=due_on&limit=50",
  "/api/v1/feedback?directorate=adults&kind=senior_manager_review&outcome=upheld&limit=50",
}
local create = [[{"directorate":"adults","kind":"complaint","procedure":"statutory_adults","stage":1,
"received_on":"2025-06-02","category":"Charging","sub_category":"Outcome of financial assessment",
"summary":"Unhappy with the outcome of a financial assessment.","channel":"email",
"complainant":{"name":"Test Person","relationship":"representative","advocate_assisted":false}}]]
local json

init = function(args)
  math.randomseed(os.time())
  -- wrk.format replaces wrk.headers (which hold the -H token) when given headers.
  json = { ["Content-Type"] = "application/json" }
  for name, value in pairs(wrk.headers) do json[name] = value end
end

request = function()
  local roll = math.random(100)
  if roll <= 70 then
    return wrk.format("GET", "/api/v1/feedback/" .. math.random(1, records))
  elseif roll <= 90 then
    return wrk.format("GET", pages[math.random(#pages)])
  end
  return wrk.format("POST", "/api/v1/feedback", json, create)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("requests: %d in %.1f s = %.0f req/s\n", summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("errors: %d (connect %d, read %d, write %d, timeout %d, non-2xx %d)\n",
    e.connect + e.read + e.write + e.timeout + e.status, e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
