-- POST /api/v1/tasks/ like post.lua, but each connection waits THINK_MS between its requests, so
-- that N connections offer about N * 1000 / THINK_MS requests per second however slow the
-- answers get (as long as they come back well within THINK_MS); quick 503s then keep the offered
-- load up instead of letting a slow server throttle its clients. The answers by status are
-- printed at the end (STATUS 201=… 503=…).
-- Usage: wrk ... -s post-paced.lua http://host:port -- THINK_MS
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local think = 100
local n = 0
counts = {}
local threads_list = {}
wrk.method = "POST"
wrk.path = "/api/v1/tasks/"
wrk.headers["Content-Type"] = "application/json"

local base_setup = setup
setup = function(thread)
  base_setup(thread)
  table.insert(threads_list, thread)
end

init = function(args)
  think = tonumber(args[1] or "100")
  counts = {}
end

delay = function()
  -- spread the connections' phases, so that they do not fire in lockstep
  return think * (0.5 + math.random())
end

request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format('{"title":"overload %d-%d"}', tid or 0, n))
end

response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

local base_done = done
done = function(summary, latency, requests)
  base_done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads_list) do
    local c = t:get("counts")
    for status, k in pairs(c or {}) do
      total[status] = (total[status] or 0) + k
    end
  end
  local line = "STATUS"
  for status, k in pairs(total) do
    line = line .. string.format(" %d=%d", status, k)
  end
  io.write(line .. "\n")
end
