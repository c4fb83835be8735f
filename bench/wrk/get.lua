-- GET /api/v1/tasks/{id}/ with ids drawn uniformly from [min_id, max_id] (existing rows).
-- Usage: wrk ... -s get.lua http://host:port -- MIN_ID MAX_ID
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local min_id, max_id
init = function(args)
  min_id = tonumber(args[1]) or 1
  max_id = tonumber(args[2]) or min_id
  -- every thread its own sequence
  math.randomseed(os.time() * 1000 + (tid or 0))
end

request = function()
  return wrk.format("GET", "/api/v1/tasks/" .. math.random(min_id, max_id) .. "/")
end
