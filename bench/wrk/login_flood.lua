-- POST /api/v1/auth/token with a new unknown username each time, as if from
-- a new client address each time (X-Forwarded-For, believed because the
-- server trusts 127.0.0.1 as its proxy): every request reaches the password
-- check, none is turned away by the throttle.
wrk.method = "POST"
wrk.path = "/api/v1/auth/token"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
    n = n + 1
    local id = math.random(1, 2147483647)
    local address = string.format("10.%d.%d.%d", id % 251, math.floor(id / 251) % 251, n % 251)
    wrk.headers["X-Forwarded-For"] = address
    local body = string.format('{"username":"nobody-%d-%d","password":"guess-guess-guess"}', id, n)
    return wrk.format(nil, nil, nil, body)
end

done = function(summary, latency, requests)
    io.write(string.format("requests: %d in %.1f s (%.0f/s)\n", summary.requests,
        summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
    io.write(string.format("latency: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
