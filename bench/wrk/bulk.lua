-- POST /api/v1/tasks/bulk/ with the same prepared body (a JSON array of task bodies) each time.
-- Usage: wrk ... -s bulk.lua http://host:port -- BODY_FILE
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

wrk.method = "POST"
wrk.path = "/api/v1/tasks/bulk/"
wrk.headers["Content-Type"] = "application/json"

init = function(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.body = f:read("*a")
  f:close()
end

request = function()
  return wrk.format()
end
