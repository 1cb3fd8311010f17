--[[
  Put a running execution back for a later attempt (retry with backoff): running -> delayed until
  availableAtMs, with its attempt number updated and its lease dropped. Only the lease holder may do it.

  KEYS[1] running  ZSET  executionId -> lease expiry ms
  KEYS[2] delayed  ZSET  executionId -> available-at ms

  ARGV[1] executionId
  ARGV[2] workerId
  ARGV[3] claim            "" = any claim of this worker
  ARGV[4] availableAtMs
  ARGV[5] attempt          the attempt number the next run will have
  ARGV[6] executionPrefix  an execution's hash is ARGV[6] .. id (undeclared, same hash tag)

  Returns: {1} moved, {-3} lease lost, {-2} not queued at all.
]]
--- @include "execution"

local id = ARGV[1]
local code = leaseCheck(KEYS[1], ARGV[6], id, ARGV[2], ARGV[3])
if code ~= 1 then return {code} end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', ARGV[6] .. id, 'owner')
redis.call('HSET', ARGV[6] .. id, 'attempt', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], id)
return {1}
