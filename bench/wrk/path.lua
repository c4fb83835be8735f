-- GET one or more paths in turn (e.g. /api/v1/queues/).
-- Usage: wrk ... -s path.lua http://host:port -- PATH [PATH...]
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local paths = {}
local i = 0
init = function(args)
  for _, p in ipairs(args) do
    table.insert(paths, p)
  end
  if #paths == 0 then
    paths = { "/" }
  end
end

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
