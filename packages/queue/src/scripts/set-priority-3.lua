--[[
  Change a queued execution's priority. A ready one is re-scored at once (its place in line changes); a
  delayed or running one keeps its place and uses the new priority when it next enters ready.

  KEYS[1] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs
  KEYS[2] delayed  ZSET  executionId -> available-at ms
  KEYS[3] running  ZSET  executionId -> lease expiry ms

  ARGV[1] executionId
  ARGV[2] priority         0-9
  ARGV[3] executionPrefix  an execution's hash is ARGV[3] .. id (undeclared, same hash tag)

  Returns: {1, "ready" | "delayed" | "running"} updated, {-2} not queued.
]]
--- @include "execution"

local id = ARGV[1]
local key = ARGV[3] .. id
local scheduledForMs = redis.call('HGET', key, 'scheduledForMs')
if not scheduledForMs then return {-2} end
redis.call('HSET', key, 'priority', ARGV[2])
if redis.call('ZSCORE', KEYS[1], id) then
  redis.call('ZADD', KEYS[1], readyScore(ARGV[2], scheduledForMs), id)
  return {1, 'ready'}
end
if redis.call('ZSCORE', KEYS[2], id) then return {1, 'delayed'} end
return {1, 'running'}
