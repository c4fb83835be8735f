-- POST /api/v1/tasks/ with a fresh title per request. Every created task is then processed by
-- the service's workers (claim, timer, completion): that background work is part of the load.
-- Usage: wrk ... -s post.lua http://host:port
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local n = 0
wrk.method = "POST"
wrk.path = "/api/v1/tasks/"
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  -- titles of both parities, so that both outcomes (done, failed) occur
  return wrk.format(nil, nil, nil, string.format('{"title":"bench %d-%d"}', tid or 0, n))
end
