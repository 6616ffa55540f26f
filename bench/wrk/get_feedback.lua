-- GET /api/v1/feedback/{id} for random ids among the seeded records.
local records = tonumber(os.getenv("RECORDS") or "1000000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/feedback/" .. math.random(1, records))
end
