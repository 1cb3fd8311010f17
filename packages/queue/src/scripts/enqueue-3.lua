--[[
  Enqueue executions (a batch). Idempotent: an id already ready, delayed or running is left as it is and
  reported, so a retried enqueue or a reconciler re-enqueue never duplicates or resets an execution. A ready
  one goes to its workflow's queue, and its tenant into the rotation (includes/execution.lua).

  KEYS[1] delayed  ZSET  executionId -> available-at ms
  KEYS[2] running  ZSET  executionId -> lease expiry ms
  KEYS[3] turns    ZSET  tenant -> turn number

  ARGV[1] now              ms; an item available after now goes to delayed, otherwise to ready
  ARGV[2] base             the deployment's key prefix `{prefix}:`
  ARGV[3] readyChannel     published to ("1") when an item went to ready, waking idle runners ("" = never)
  ARGV[4..] 10 values per item: id, priority (0-9), scheduledForMs, availableAtMs ("" = now), attempt,
          tenant, workflowId, kind, scheduleId ("" = none), meta (JSON text, "" = none)

  Returns: {code1, state1, code2, state2, ...} per item, in order:
           code 1 = enqueued (state "ready" | "delayed"), -4 = already queued (state "ready" | "delayed" |
           "running")
]]
--- @include "execution"

local now = tonumber(ARGV[1])
local base = ARGV[2]
local reply = {}
local readied = false
for i = 4, #ARGV, 10 do
  local id = ARGV[i]
  local key = execKey(base, id)
  if redis.call('EXISTS', key) == 1 then
    local state = 'ready'
    if redis.call('ZSCORE', KEYS[2], id) then
      state = 'running'
    elseif redis.call('ZSCORE', KEYS[1], id) then
      state = 'delayed'
    end
    reply[#reply + 1] = -4
    reply[#reply + 1] = state
  else
    local availableAtMs, tenant = ARGV[i + 3], ARGV[i + 5]
    redis.call('HSET', key, 'priority', ARGV[i + 1], 'scheduledForMs', ARGV[i + 2], 'attempt', ARGV[i + 4],
      'tenant', tenant, 'workflowId', ARGV[i + 6], 'kind', ARGV[i + 7], 'scheduleId', ARGV[i + 8],
      'meta', ARGV[i + 9], 'enqueuedAtMs', ARGV[1], 'claim', 0, 'reclaims', 0)
    if availableAtMs ~= '' and tonumber(availableAtMs) > now then
      redis.call('ZADD', KEYS[1], availableAtMs, id)
      counter(tenantKey(base, tenant), 'delayed', 1)
      reply[#reply + 1] = 1
      reply[#reply + 1] = 'delayed'
    else
      toReadyWith(base, id, ARGV[i + 1], ARGV[i + 2], tenant, ARGV[i + 6])
      readied = true
      reply[#reply + 1] = 1
      reply[#reply + 1] = 'ready'
    end
  end
end
if readied and ARGV[3] ~= '' then
  redis.call('PUBLISH', ARGV[3], '1')
end
return reply
