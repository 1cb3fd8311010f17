--[[
  Remove an execution from the queue whatever its state, payload included (the reconciler, for executions
  Postgres says are finished; a running one's slots come back and its lease holder finds its lease lost).

  KEYS[1] delayed      ZSET  executionId -> available-at ms
  KEYS[2] running      ZSET  executionId -> lease expiry ms
  KEYS[3] legacyReady  ZSET  the ready set of earlier versions (only drained)

  ARGV[1] executionId
  ARGV[2] base             the deployment's key prefix `{prefix}:`
  ARGV[3] readyChannel     published to ("1") when a freed slot made held-back work claimable ("" = never)

  Returns: {1, "ready" | "delayed" | "running"} removed, {-2} not queued.
]]
--- @include "execution"

local id = ARGV[1]
local base = ARGV[2]
local key = execKey(base, id)
local f = redis.call('HMGET', key, 'tenant', 'workflowId')
local state = false
if f[1] and outOfReady(base, id, f[1], f[2]) then
  state = 'ready'
elseif redis.call('ZREM', KEYS[3], id) == 1 then
  state = 'ready'
elseif redis.call('ZREM', KEYS[1], id) == 1 then
  state = 'delayed'
  if f[1] then counter(tenantKey(base, f[1]), 'delayed', -1) end
elseif redis.call('ZREM', KEYS[2], id) == 1 then
  state = 'running'
  if freeSlot(base, id) and ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], '1') end
end
redis.call('DEL', key)
if state then return {1, state} end
return {-2}
