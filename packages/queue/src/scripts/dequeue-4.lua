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

-- The loop keeps what it changes in Lua and writes the counters once at the end (nothing in the loop reads
-- them from Redis): caps and slots held per workflow and per tenant, ready counts, and the back of the
-- rotation (only this loop adds to `turns` while it runs, always at the back).
local capOf, wfRunning, wfClaimed = {}, {}, {}
local tenantRunning, tenantClaimed, tenantPopped = {}, {}, {}
local popped = 0
local function capOfWorkflow(workflowId)
  local cap = capOf[workflowId]
  if cap == nil then
    cap = tonumber(redis.call('HGET', base .. 'wf-cap', workflowId)) or false
    capOf[workflowId] = cap
  end
  return cap
end
-- capped() of includes/execution.lua, with the slots this call took.
local function cappedHere(workflowId)
  local cap = capOfWorkflow(workflowId)
  if not cap then return false end
  local running = wfRunning[workflowId]
  if running == nil then
    running = tonumber(redis.call('HGET', base .. 'wf-running', workflowId)) or 0
    wfRunning[workflowId] = running
  end
  return running >= cap
end
local function tenantFull(tenant)
  if tenantCap <= 0 then return false end
  local running = tenantRunning[tenant]
  if running == nil then
    running = tonumber(redis.call('HGET', tenantKey(base, tenant), 'running')) or 0
    tenantRunning[tenant] = running
  end
  return running >= tenantCap
end
-- syncHead() of includes/execution.lua for the tenant being served (it is in the rotation, at the front):
-- returns false when the tenant left the rotation (no head left).
local function syncServedHead(tenant, heads, workflowId)
  local first = redis.call('ZRANGE', rqKey(base, workflowId), 0, 0, 'WITHSCORES')
  if #first == 0 or cappedHere(workflowId) then
    redis.call('ZREM', heads, workflowId)
    if redis.call('EXISTS', heads) == 0 then
      redis.call('ZREM', turns, tenant)
      return false
    end
    return true
  end
  redis.call('ZADD', heads, first[2], workflowId)
  return true
end

-- Leases a popped ready id to this worker and appends it to the reply (a ready id without a hash has nothing
-- to run, only a hand edit leaves one: popping drops it). The slot counters are written after the loop.
local n, skips = 0, 0
local function claim(tenant, workflowId, id)
  popped = popped + 1
  tenantPopped[tenant] = (tenantPopped[tenant] or 0) + 1
  local key = execKey(base, id)
  local payload = payloadOf(key)
  if not payload[1] then return end
  local claimNo = (tonumber(payload[10]) or 0) + 1
  redis.call('ZADD', KEYS[2], leaseUntil, id)
  redis.call('HSET', key, 'claim', claimNo, 'owner', workerId, 'slot', '1')
  payload[10] = tostring(claimNo)
  payload[12] = workerId
  wfClaimed[workflowId] = (wfClaimed[workflowId] or 0) + 1
  if wfRunning[workflowId] ~= nil then wfRunning[workflowId] = wfRunning[workflowId] + 1 end
  tenantClaimed[tenant] = (tenantClaimed[tenant] or 0) + 1
  if tenantRunning[tenant] ~= nil then tenantRunning[tenant] = tenantRunning[tenant] + 1 end
  reply[#reply + 1] = id
  reply[#reply + 1] = leaseUntil
  append(reply, payload)
  n = n + 1
end

-- A tenant alone in the rotation with one workflow takes every turn of this call, one after the other: they
-- are taken with one pop, as many as the loop below would take one by one under the same caps.
if count > 1 and redis.call('ZCARD', turns) == 1 then
  local tenant = redis.call('ZRANGE', turns, 0, 0)[1]
  local heads = headsKey(base, tenant)
  if redis.call('ZCARD', heads) == 1 and not tenantFull(tenant) then
    local workflowId = redis.call('ZRANGE', heads, 0, 0)[1]
    local room = count
    if tenantCap > 0 then room = math.min(room, tenantCap - tenantRunning[tenant]) end
    if not cappedHere(workflowId) then
      local cap = capOfWorkflow(workflowId)
      if cap then room = math.min(room, cap - wfRunning[workflowId]) end
      local ids = redis.call('ZPOPMIN', rqKey(base, workflowId), room)
      for i = 1, #ids, 2 do claim(tenant, workflowId, ids[i]) end
      syncServedHead(tenant, heads, workflowId)
    end
  end
end

local back = redis.call('ZRANGE', turns, -1, -1, 'WITHSCORES')
local lastTenant, lastTurn = back[1], tonumber(back[2]) or 0
while n < count and skips <= maxSkips do
  local first = redis.call('ZRANGE', turns, 0, 0)
  if #first == 0 then break end
  local tenant = first[1]
  local heads = headsKey(base, tenant)
  local head = redis.call('ZRANGE', heads, 0, 0)
  if #head == 0 then
    redis.call('ZREM', turns, tenant)
  elseif tenantFull(tenant) then
    -- Out of the rotation until one of its slots frees (freeSlot) or new work of it becomes ready.
    redis.call('ZREM', turns, tenant)
    skips = skips + 1
  elseif cappedHere(head[1]) then
    syncServedHead(tenant, heads, head[1])
    skips = skips + 1
  else
    local workflowId = head[1]
    local id = redis.call('ZPOPMIN', rqKey(base, workflowId))[1]
    if id then claim(tenant, workflowId, id) end
    -- Served: to the back of the rotation (unless it has nothing left to claim).
    if syncServedHead(tenant, heads, workflowId) and lastTenant ~= tenant then
      lastTurn = lastTurn + 1
      lastTenant = tenant
      redis.call('ZADD', turns, lastTurn, tenant)
    end
  end
end
for tenant, k in pairs(tenantPopped) do counter(tenantKey(base, tenant), 'ready', -k) end
if popped > 0 then counter(base .. 'counts', 'ready', -popped) end
for tenant, k in pairs(tenantClaimed) do redis.call('HINCRBY', tenantKey(base, tenant), 'running', k) end
for workflowId, k in pairs(wfClaimed) do redis.call('HINCRBY', base .. 'wf-running', workflowId, k) end
reply[3] = n
if n < count and redis.call('EXISTS', turns) == 0 then
  local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #next > 0 then reply[4] = next[2] end
end
return reply
