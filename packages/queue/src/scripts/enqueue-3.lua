--[[
  Enqueue executions (a batch). Idempotent: an id already ready, delayed or running is left as it is and
  reported, so a retried enqueue or a reconciler re-enqueue never duplicates or resets an execution.

  KEYS[1] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs
  KEYS[2] delayed  ZSET  executionId -> available-at ms
  KEYS[3] running  ZSET  executionId -> lease expiry ms

  ARGV[1] now              ms; an item available after now goes to delayed, otherwise to ready
  ARGV[2] executionPrefix  an execution's hash is ARGV[2] .. id (undeclared, same hash tag)
  ARGV[3] readyChannel     published to ("1") when an item went to ready, waking idle runners ("" = never)
  ARGV[4..] 10 values per item: id, priority (0-9), scheduledForMs, availableAtMs ("" = now), attempt,
          tenant, workflowId, kind, scheduleId ("" = none), meta (JSON text, "" = none)

  Returns: {code1, state1, code2, state2, ...} per item, in order:
           code 1 = enqueued (state "ready" | "delayed"), -4 = already queued (state "ready" | "delayed" |
           "running")
]]
--- @include "execution"

local now = tonumber(ARGV[1])
local prefix = ARGV[2]
local reply = {}
local readied = false
for i = 4, #ARGV, 10 do
  local id = ARGV[i]
  local key = prefix .. id
  if redis.call('EXISTS', key) == 1 then
    local state = 'ready'
    if redis.call('ZSCORE', KEYS[3], id) then
      state = 'running'
    elseif redis.call('ZSCORE', KEYS[2], id) then
      state = 'delayed'
    end
    reply[#reply + 1] = -4
    reply[#reply + 1] = state
  else
    local priority, scheduledForMs, availableAtMs = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    redis.call('HSET', key, 'priority', priority, 'scheduledForMs', scheduledForMs, 'attempt', ARGV[i + 4],
      'tenant', ARGV[i + 5], 'workflowId', ARGV[i + 6], 'kind', ARGV[i + 7], 'scheduleId', ARGV[i + 8],
      'meta', ARGV[i + 9], 'enqueuedAtMs', ARGV[1], 'claim', 0, 'reclaims', 0)
    if availableAtMs ~= '' and tonumber(availableAtMs) > now then
      redis.call('ZADD', KEYS[2], availableAtMs, id)
      reply[#reply + 1] = 1
      reply[#reply + 1] = 'delayed'
    else
      redis.call('ZADD', KEYS[1], readyScore(priority, scheduledForMs), id)
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
