--[[
  The next executions a dequeue would claim from ready, without claiming them (delayed ones that became
  due are not promoted: this only reads).

  KEYS[1] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs

  ARGV[1] count
  ARGV[2] executionPrefix  an execution's hash is ARGV[2] .. id (undeclared, same hash tag)

  Returns: {n, then per execution: id, <12 payload fields>}
]]
--- @include "execution"

local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local reply = {#ids}
for _, id in ipairs(ids) do
  reply[#reply + 1] = id
  append(reply, payloadOf(ARGV[2] .. id))
end
return reply
