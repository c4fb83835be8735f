-- A walk through the cursor pages: GET /api/v1/tasks/?START, then the "next" link of each answer,
-- and back to START after the last page. Each thread walks on its own (its connections share
-- the thread's position), so the walk covers page after page at the depth START gives.
-- Usage: wrk ... -s cursor.lua http://host:port -- "cursor=&page_size=20"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local start
local path
init = function(args)
  start = "/api/v1/tasks/?" .. (args[1] or "cursor=")
  path = start
end

request = function()
  return wrk.format("GET", path)
end

response = function(status, headers, body)
  local next = status == 200 and body:match('"next":"https?://[^/"]+(/[^"]*)"')
  path = next or start
end
