-- Executions, served to workers in fair turns between tenants (keys.ts has the same layout; every key is
-- built from `base`, the deployment's `{prefix}:`, so all share one hash tag and one Cluster slot):
--   exec:<id>       HASH  payload and lease of one queued execution; exists exactly while the id is ready,
--                         delayed or running. `slot` = "1" while a running lease holds its caps' slots.
--   rq:<workflow>   ZSET  id -> ready score (below): a workflow's ready executions, best first
--   heads:<tenant>  ZSET  workflowId -> its best ready score: the tenant's workflows with ready work that
--                         are under their cap (a capped one leaves until one of its slots frees)
--   turns           ZSET  tenant -> turn number: the tenants with a head, served lowest first; a tenant
--                         served goes to the back. A tenant at TENANT_MAX_RUNNING is dropped by dequeue and
--                         rejoins when one of its slots frees (or when new work of it becomes ready).
--   tenant:<tenant> HASH  ready / delayed / running: the tenant's own queue depths (running = slots held)
--   wf-running      HASH  workflowId -> slots held;  wf-cap HASH workflowId -> maxConcurrency
--   counts          HASH  ready -> executions ready, all tenants (delayed and running are ZCARDs)
--   delayed         ZSET  id -> available-at ms;     running ZSET id -> lease expiry ms
--   ready           ZSET  the single ready set before fair turns: only ever drained (dequeue).
--- @include "chunked"

-- (9 - priority) * 2^42 + scheduledForMs: priority 9 first, then the earliest scheduledFor. Below 10 * 2^42
-- (< 2^53), so exact in a double; formatted without an exponent, which ZADD would read back rounded.
local PRIORITY_STEP = 4398046511104
local function readyScore(priority, scheduledForMs)
  return string.format('%.0f', (9 - tonumber(priority)) * PRIORITY_STEP + tonumber(scheduledForMs))
end

-- The fields a worker needs to start, in the order execution-queue.ts reads them.
local PAYLOAD_FIELDS = {
  'priority', 'scheduledForMs', 'attempt', 'tenant', 'workflowId', 'kind', 'scheduleId', 'meta',
  'enqueuedAtMs', 'claim', 'reclaims', 'owner',
}
local function payloadOf(key)
  return redis.call('HMGET', key, unpack(PAYLOAD_FIELDS))
end

-- Appends every element of `values` to `reply`.
local function append(reply, values)
  for i = 1, #values do reply[#reply + 1] = values[i] end
end

local function execKey(base, id) return base .. 'exec:' .. id end
local function rqKey(base, workflowId) return base .. 'rq:' .. workflowId end
local function headsKey(base, tenant) return base .. 'heads:' .. tenant end
local function tenantKey(base, tenant) return base .. 'tenant:' .. tenant end

-- HINCRBY that never leaves a field at or below zero (the field is deleted instead).
local function counter(key, field, by)
  if redis.call('HINCRBY', key, field, by) <= 0 then redis.call('HDEL', key, field) end
end

-- Ready counters of one tenant and of the deployment.
local function countReady(base, tenant, by)
  counter(tenantKey(base, tenant), 'ready', by)
  counter(base .. 'counts', 'ready', by)
end

-- Whether the workflow holds as many slots as its cap allows (false when it has no cap).
local function capped(base, workflowId)
  local cap = redis.call('HGET', base .. 'wf-cap', workflowId)
  if not cap then return false end
  return (tonumber(redis.call('HGET', base .. 'wf-running', workflowId)) or 0) >= tonumber(cap)
end

-- Puts the tenant at the back of the rotation unless it is in it. Returns true when it was not.
local function joinTurns(base, tenant)
  local turns = base .. 'turns'
  if redis.call('ZSCORE', turns, tenant) then return false end
  local last = redis.call('ZRANGE', turns, -1, -1, 'WITHSCORES')
  redis.call('ZADD', turns, (tonumber(last[2]) or 0) + 1, tenant)
  return true
end

-- Makes the workflow's head exact (its best ready score while it has ready work under its cap, else none)
-- and the tenant's place in the rotation follow (in it while it has a head). Returns true when the tenant
-- joined the rotation.
local function syncHead(base, tenant, workflowId)
  local heads = headsKey(base, tenant)
  local first = redis.call('ZRANGE', rqKey(base, workflowId), 0, 0, 'WITHSCORES')
  if #first == 0 or capped(base, workflowId) then
    redis.call('ZREM', heads, workflowId)
    if redis.call('EXISTS', heads) == 0 then redis.call('ZREM', base .. 'turns', tenant) end
    return false
  end
  redis.call('ZADD', heads, first[2], workflowId)
  return joinTurns(base, tenant)
end

-- Puts executions of one workflow into its ready queue: `scored` is {score1, id1, score2, id2, ...} and `best`
-- its lowest score. Those not there yet are counted; the head and the tenant's turn follow.
local function toReadyGroup(base, tenant, workflowId, scored, best)
  local added = zaddPairs(rqKey(base, workflowId), scored)
  if added > 0 then countReady(base, tenant, added) end
  -- New members can only improve the head (LT); a capped workflow stays out until a slot frees.
  if not capped(base, workflowId) then
    redis.call('ZADD', headsKey(base, tenant), 'LT', best, workflowId)
    joinTurns(base, tenant)
  end
end

-- Puts an execution into its workflow's ready queue, its payload fields given (enqueue has them at hand).
local function toReadyWith(base, id, priority, scheduledForMs, tenant, workflowId)
  local score = readyScore(priority, scheduledForMs)
  toReadyGroup(base, tenant, workflowId, {score, id}, score)
end

-- Puts an execution into its workflow's ready queue (scored from its hash). False when it has no hash.
local function toReady(base, id)
  local f = redis.call('HMGET', execKey(base, id), 'priority', 'scheduledForMs', 'tenant', 'workflowId')
  if not f[1] then return false end
  toReadyWith(base, id, f[1], f[2], f[3], f[4])
  return true
end

-- Takes an execution out of its workflow's ready queue. Returns true when it was there.
local function outOfReady(base, id, tenant, workflowId)
  if redis.call('ZREM', rqKey(base, workflowId), id) == 0 then return false end
  countReady(base, tenant, -1)
  syncHead(base, tenant, workflowId)
  return true
end

-- A running lease ended (ack, retry, hand-back, reclaim, removal): its tenant's and workflow's slots come
-- back, and work a cap held back rejoins the rotation. Returns true when that made a tenant claimable again.
local function freeSlot(base, id)
  local key = execKey(base, id)
  local f = redis.call('HMGET', key, 'tenant', 'workflowId', 'slot')
  if f[3] ~= '1' then return false end
  redis.call('HDEL', key, 'slot')
  counter(tenantKey(base, f[1]), 'running', -1)
  counter(base .. 'wf-running', f[2], -1)
  -- A capped workflow's head may come back with the slot; an uncapped one's is exact already (every change
  -- of its ready queue syncs it), so only its tenant's place in the rotation can change.
  if redis.call('HEXISTS', base .. 'wf-cap', f[2]) == 1 and syncHead(base, f[1], f[2]) then return true end
  if redis.call('EXISTS', headsKey(base, f[1])) == 1 then return joinTurns(base, f[1]) end
  return false
end

-- delayed -> ready for at most `max` entries available at or before `now`. Returns the ids moved.
-- What toReady does per id, grouped: one HMGET per id, then toReadyGroup per workflow (one chunked ZADD, one
-- head update) and one delayed-counter write per tenant; the tenants join the rotation in the order of their
-- first promoted id (a burst of a thousand due fires costs about a thousand commands, not nine thousand).
local function promoteDue(delayedKey, base, now, max)
  if max <= 0 then return {} end
  local ids = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', now, 'LIMIT', 0, max)
  if #ids == 0 then return ids end
  local groups, order, delayedOf = {}, {}, {}
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', execKey(base, id), 'priority', 'scheduledForMs', 'tenant', 'workflowId')
    if f[1] then
      local tenant, workflowId = f[3], f[4]
      delayedOf[tenant] = (delayedOf[tenant] or 0) + 1
      local g = groups[workflowId]
      if not g then
        g = { tenant = tenant, members = {}, best = nil }
        groups[workflowId] = g
        order[#order + 1] = workflowId
      end
      local score = readyScore(f[1], f[2])
      g.members[#g.members + 1] = score
      g.members[#g.members + 1] = id
      if not g.best or tonumber(score) < tonumber(g.best) then g.best = score end
    end
  end
  for tenant, k in pairs(delayedOf) do counter(tenantKey(base, tenant), 'delayed', -k) end
  for _, workflowId in ipairs(order) do
    local g = groups[workflowId]
    toReadyGroup(base, g.tenant, workflowId, g.members, g.best)
  end
  chunkedCall('ZREM', delayedKey, ids)
  return ids
end

-- running -> ready, keeping the id, for at most `max` leases expired at `now` (expiry <= now): the slots
-- come back, the owner is forgotten and the execution's reclaim count grows. Returns the ids moved.
local function reclaimExpired(runningKey, base, now, max)
  if max <= 0 then return {} end
  local ids = redis.call('ZRANGEBYSCORE', runningKey, '-inf', now, 'LIMIT', 0, max)
  if #ids == 0 then return ids end
  chunkedCall('ZREM', runningKey, ids)
  for _, id in ipairs(ids) do
    freeSlot(base, id)
    if toReady(base, id) then
      redis.call('HDEL', execKey(base, id), 'owner')
      redis.call('HINCRBY', execKey(base, id), 'reclaims', 1)
    end
  end
  return ids
end

-- Whether `workerId` (and, when claim ~= '', that claim number) holds the running lease of `id`.
-- Returns OK (1), LEASE_LOST (-3: queued again or running under another lease) or NOT_FOUND (-2).
local function leaseCheck(runningKey, base, id, workerId, claim)
  local key = execKey(base, id)
  if redis.call('ZSCORE', runningKey, id) then
    local lease = redis.call('HMGET', key, 'owner', 'claim')
    if lease[1] == workerId and (claim == '' or lease[2] == claim) then return 1 end
    return -3
  end
  if redis.call('EXISTS', key) == 1 then return -3 end
  return -2
end

-- Where a queued execution is: 'ready' (its workflow's queue or the old single set), 'delayed', 'running',
-- or false; with its score there.
local function whereIs(keys, base, id)
  local score = redis.call('ZSCORE', keys.running, id)
  if score then return 'running', score end
  score = redis.call('ZSCORE', keys.delayed, id)
  if score then return 'delayed', score end
  local workflowId = redis.call('HGET', execKey(base, id), 'workflowId')
  if workflowId then
    score = redis.call('ZSCORE', rqKey(base, workflowId), id)
    if score then return 'ready', score end
  end
  if keys.legacyReady then
    score = redis.call('ZSCORE', keys.legacyReady, id)
    if score then return 'ready', score end
  end
  return false, false
end
