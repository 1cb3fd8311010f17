--[[
  Put a running execution back for a later attempt (retry with backoff): running -> delayed until
  availableAtMs, with its attempt number updated and its lease dropped: while it waits it holds no slot.
  Only the lease holder may do it.

  KEYS[1] running  ZSET  executionId -> lease expiry ms
  KEYS[2] delayed  ZSET  executionId -> available-at ms
  KEYS[3] turns    ZSET  tenant -> turn number (a freed slot may put its tenant back)

  ARGV[1] executionId
  ARGV[2] workerId
  ARGV[3] claim            "" = any claim of this worker
  ARGV[4] availableAtMs
  ARGV[5] attempt          the attempt number the next run will have
  ARGV[6] base             the deployment's key prefix `{prefix}:`
  ARGV[7] readyChannel     published to ("1") when the freed slot made held-back work claimable ("" = never)

  Returns: {1} moved, {-3} lease lost, {-2} not queued at all.
]]
--- @include "execution"

local id = ARGV[1]
local base = ARGV[6]
local code = leaseCheck(KEYS[1], base, id, ARGV[2], ARGV[3])
if code ~= 1 then return {code} end
local key = execKey(base, id)
redis.call('ZREM', KEYS[1], id)
local woke = freeSlot(base, id)
redis.call('HDEL', key, 'owner')
redis.call('HSET', key, 'attempt', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], id)
counter(tenantKey(base, redis.call('HGET', key, 'tenant')), 'delayed', 1)
if woke and ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[7], '1') end
return {1}
