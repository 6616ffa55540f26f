-- Free-text search (`q`): a substring of the reference, summary or name.
local records = tonumber(os.getenv("RECORDS") or "1000000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/feedback?q=Person%20" .. math.random(1, records) .. "&limit=20")
end
