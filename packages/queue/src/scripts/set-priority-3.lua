--[[
  Change a queued execution's priority. A ready one is re-scored at once (its place in its tenant's line
  changes; other tenants' turns do not); a delayed or running one keeps its place and uses the new priority
  when it next enters ready.

  KEYS[1] delayed      ZSET  executionId -> available-at ms
  KEYS[2] running      ZSET  executionId -> lease expiry ms
  KEYS[3] legacyReady  ZSET  the ready set of earlier versions (only drained)

  ARGV[1] executionId
  ARGV[2] priority         0-9
  ARGV[3] base             the deployment's key prefix `{prefix}:`

  Returns: {1, "ready" | "delayed" | "running"} updated, {-2} not queued.
]]
--- @include "execution"

local id = ARGV[1]
local base = ARGV[3]
local key = execKey(base, id)
local f = redis.call('HMGET', key, 'scheduledForMs', 'tenant', 'workflowId')
if not f[1] then return {-2} end
redis.call('HSET', key, 'priority', ARGV[2])
local state = whereIs({delayed = KEYS[1], running = KEYS[2], legacyReady = KEYS[3]}, base, id)
if state == 'ready' then
  if redis.call('ZSCORE', KEYS[3], id) then
    redis.call('ZADD', KEYS[3], readyScore(ARGV[2], f[1]), id)
  else
    redis.call('ZADD', rqKey(base, f[3]), readyScore(ARGV[2], f[1]), id)
    syncHead(base, f[2], f[3])
  end
end
return {1, state or 'running'}
