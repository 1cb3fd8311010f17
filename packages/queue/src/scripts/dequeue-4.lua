--[[
  Claim up to `count` executions for a worker, in fair turns: the tenant first in the rotation gives one
  execution (its best: priority, then scheduledFor, over its workflows under their caps) and goes to the
  back, so a dequeue of n takes at most one turn per tenant per round whatever their backlogs. Each claim is
  leased until now + leaseMs and holds a slot of its tenant and of its workflow until the lease ends, so the
  caps hold across every worker, claim-ahead included. First, bounded: expired leases go back to ready with
  the same id (their slots freed), then delayed executions available at or before now are promoted, then
  entries of the single ready set of earlier versions are moved to their workflows' queues.

  KEYS[1] delayed      ZSET  executionId -> available-at ms
  KEYS[2] running      ZSET  executionId -> lease expiry ms
  KEYS[3] turns        ZSET  tenant -> turn number (includes/execution.lua has the whole layout)
  KEYS[4] legacyReady  ZSET  the ready set of earlier versions (only drained)

  ARGV[1] workerId
  ARGV[2] count            claim at most this many (0 = only reclaim and promote)
  ARGV[3] leaseMs
  ARGV[4] now              ms
  ARGV[5] maxReclaim       move at most this many expired leases first
  ARGV[6] maxPromote       move at most this many due delayed executions (and old ready entries) first
  ARGV[7] base             the deployment's key prefix `{prefix}:`
  ARGV[8] tenantMaxRunning slots per tenant (TENANT_MAX_RUNNING; 0 = no cap)
  ARGV[9] maxSkips         stop after passing over this many tenants or workflows held back by a cap

  Returns: {reclaimed, promoted, n, nextAt, then per claimed execution: id, leaseExpiresAtMs, <12 payload
           fields>}; payload fields in the order of PAYLOAD_FIELDS (includes/execution.lua). nextAt: when no
           tenant is left in the rotation, the earliest available-at of the delayed set ("" when none, or
           when claimable work remains), so an idle claimer can sleep until exactly then instead of polling.
]]
--- @include "execution"

local workerId = ARGV[1]
local count = tonumber(ARGV[2])
local now = ARGV[4]
local base = ARGV[7]
local tenantCap = tonumber(ARGV[8])
local maxSkips = tonumber(ARGV[9])
local turns = KEYS[3]
local leaseUntil = string.format('%.0f', tonumber(now) + tonumber(ARGV[3]))

local reclaimed = reclaimExpired(KEYS[2], base, now, tonumber(ARGV[5]))
local promoted = promoteDue(KEYS[1], base, now, tonumber(ARGV[6]))
local legacy = redis.call('ZRANGE', KEYS[4], 0, tonumber(ARGV[6]) - 1)
for _, id in ipairs(legacy) do toReady(base, id) end
if #legacy > 0 then chunkedCall('ZREM', KEYS[4], legacy) end

local reply = {#reclaimed, #promoted, 0, ''}

-- How many more claims the caps let in for this workflow of this tenant (math.huge: no cap).
local function room(tenant, workflowId)
  local left = math.huge
  local cap = tonumber(redis.call('HGET', base .. 'wf-cap', workflowId))
  if cap then left = cap - (tonumber(redis.call('HGET', base .. 'wf-running', workflowId)) or 0) end
  if tenantCap > 0 then
    left = math.min(left, tenantCap - (tonumber(redis.call('HGET', tenantKey(base, tenant), 'running')) or 0))
  end
  return left
end

local n, skips = 0, 0
while n < count and skips <= maxSkips do
  local first = redis.call('ZRANGE', turns, 0, 0)
  if #first == 0 then break end
  local tenant = first[1]
  local heads = headsKey(base, tenant)
  local head = redis.call('ZRANGE', heads, 0, 0)
  if #head == 0 then
    redis.call('ZREM', turns, tenant)
  else
    local workflowId = head[1]
    local left = room(tenant, workflowId)
    if left <= 0 then
      skips = skips + 1
      if capped(base, workflowId) then
        syncHead(base, tenant, workflowId)
      else
        -- At TENANT_MAX_RUNNING: out of the rotation until one of its slots frees (freeSlot) or new work
        -- of it becomes ready.
        redis.call('ZREM', turns, tenant)
      end
    else
      -- One turn is one execution. Alone in the rotation with one claimable workflow, the tenant's next
      -- turns are all that workflow's: take them in one pop (a burst of fires of one schedule set).
      local take = 1
      if redis.call('ZCARD', turns) == 1 and redis.call('ZCARD', heads) == 1 then
        take = math.min(count - n, left)
      end
      local popped = redis.call('ZPOPMIN', rqKey(base, workflowId), take)
      local leases = {}
      for i = 1, #popped, 2 do
        local id = popped[i]
        local key = execKey(base, id)
        -- A ready id without a hash has nothing to run (only a hand edit leaves one): popping drops it.
        if redis.call('EXISTS', key) == 1 then
          leases[#leases + 1] = leaseUntil
          leases[#leases + 1] = id
          redis.call('HINCRBY', key, 'claim', 1)
          redis.call('HSET', key, 'owner', workerId, 'slot', '1')
          reply[#reply + 1] = id
          reply[#reply + 1] = leaseUntil
          append(reply, payloadOf(key))
        end
      end
      local got = #leases / 2
      if #popped > 0 then countReady(base, tenant, -#popped / 2) end
      if got > 0 then
        zaddPairs(KEYS[2], leases)
        redis.call('HINCRBY', tenantKey(base, tenant), 'running', got)
        redis.call('HINCRBY', base .. 'wf-running', workflowId, got)
        n = n + got
      end
      syncHead(base, tenant, workflowId)
      -- Served: to the back of the rotation (syncHead took it out if it has nothing left to claim).
      if redis.call('ZCARD', turns) > 1 and redis.call('ZSCORE', turns, tenant) then
        local last = redis.call('ZRANGE', turns, -1, -1, 'WITHSCORES')
        if last[1] ~= tenant then redis.call('ZADD', turns, tonumber(last[2]) + 1, tenant) end
      end
    end
  end
end
reply[3] = n
if n < count and redis.call('EXISTS', turns) == 0 then
  local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #next > 0 then reply[4] = next[2] end
end
return reply
