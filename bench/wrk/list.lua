-- GET /api/v1/tasks/?QUERY, rotating over the query strings given as arguments
-- (e.g. "status=done&page_size=20" "page=5000&page_size=20"); no argument means no query.
-- Usage: wrk ... -s list.lua http://host:port -- QUERY [QUERY...]
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local paths = {}
local i = 0
init = function(args)
  for _, query in ipairs(args) do
    table.insert(paths, "/api/v1/tasks/" .. (query ~= "" and ("?" .. query) or ""))
  end
  if #paths == 0 then
    paths = { "/api/v1/tasks/" }
  end
end

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
