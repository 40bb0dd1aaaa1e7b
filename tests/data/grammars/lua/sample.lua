local json = require("json")
local Store = require "store.backend"

local MAX_ENTRIES = 100
local hits

local Cache = {}
Cache.__index = Cache

function Cache.new(backend, limit)
  local self = setmetatable({}, Cache)
  self.backend = backend
  self.entries = {}
  self.limit = limit or MAX_ENTRIES
  return self
end

function Cache:get(key)
  local value = self.entries[key]
  if value == nil then
    value = self.backend:load(key)
  elseif hits then
    hits = hits + 1
  else
    hits = 1
  end
  self.entries[key] = value
  for k in pairs(self.entries) do
    if #self.entries <= self.limit then
      break
    end
    self.entries[k] = nil
  end
  return value
end

local function dump(cache, path)
  local file = assert(io.open(path, "w"))
  file:write(json.encode(cache.entries))
  file:close()
end

Cache.size = function(self)
  local n = 0
  while n < #self.entries do
    n = n + 1
  end
  return n
end

return { Cache = Cache, dump = dump, Store = Store }
