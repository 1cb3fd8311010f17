--[[
  Cancel a queued execution: out of ready or delayed, payload deleted. A running one is left alone and
  reported with its lease owner: the caller aborts it (the owner then acks it).

  KEYS[1] delayed      ZSET  executionId -> available-at ms
  KEYS[2] running      ZSET  executionId -> lease expiry ms
  KEYS[3] legacyReady  ZSET  the ready set of earlier versions (only drained)

  ARGV[1] executionId
  ARGV[2] base             the deployment's key prefix `{prefix}:`

  Returns: {1, "ready" | "delayed"} cancelled, {-5, ownerWorkerId} running, {-2} not queued.
]]
--- @include "execution"

local id = ARGV[1]
local base = ARGV[2]
local key = execKey(base, id)
if redis.call('ZSCORE', KEYS[2], id) then
  return {-5, redis.call('HGET', key, 'owner') or ''}
end
local f = redis.call('HMGET', key, 'tenant', 'workflowId')
local state = false
if f[1] and outOfReady(base, id, f[1], f[2]) then
  state = 'ready'
elseif redis.call('ZREM', KEYS[3], id) == 1 then
  state = 'ready'
elseif redis.call('ZREM', KEYS[1], id) == 1 then
  state = 'delayed'
  if f[1] then counter(tenantKey(base, f[1]), 'delayed', -1) end
end
redis.call('DEL', key)
if state then return {1, state} end
return {-2}
