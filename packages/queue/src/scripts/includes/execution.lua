-- Executions: ZSETs ready (score below), delayed (available-at ms), running (lease expiry ms), and one HASH
-- per execution (prefix .. id) with its payload and lease. The hash exists exactly while the id is in one of
-- the three sets. Hash keys are built from the prefix: not declared, but they share the hash tag, so they
-- are in the same Cluster slot.
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

-- Puts an execution into ready (scored from its hash). False when it has no hash (nothing to run).
local function toReady(readyKey, prefix, id)
  local f = redis.call('HMGET', prefix .. id, 'priority', 'scheduledForMs')
  if not f[1] then return false end
  redis.call('ZADD', readyKey, readyScore(f[1], f[2]), id)
  return true
end

-- delayed -> ready for at most `max` entries available at or before `now`. Returns the ids moved.
local function promoteDue(delayedKey, readyKey, prefix, now, max)
  if max <= 0 then return {} end
  local ids = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', now, 'LIMIT', 0, max)
  if #ids == 0 then return ids end
  -- One ZADD per chunk rather than one per id (a burst of fires recorded ahead is promoted at once).
  local scored = {}
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', prefix .. id, 'priority', 'scheduledForMs')
    if f[1] then
      scored[#scored + 1] = readyScore(f[1], f[2])
      scored[#scored + 1] = id
    end
  end
  zaddPairs(readyKey, scored)
  chunkedCall('ZREM', delayedKey, ids)
  return ids
end

-- running -> ready, keeping the id, for at most `max` leases expired at `now` (expiry <= now): the owner
-- is forgotten and the execution's reclaim count grows. Returns the ids moved.
local function reclaimExpired(runningKey, readyKey, prefix, now, max)
  if max <= 0 then return {} end
  local ids = redis.call('ZRANGEBYSCORE', runningKey, '-inf', now, 'LIMIT', 0, max)
  if #ids == 0 then return ids end
  for _, id in ipairs(ids) do
    if toReady(readyKey, prefix, id) then
      redis.call('HDEL', prefix .. id, 'owner')
      redis.call('HINCRBY', prefix .. id, 'reclaims', 1)
    end
  end
  chunkedCall('ZREM', runningKey, ids)
  return ids
end

-- Whether `workerId` (and, when claim ~= '', that claim number) holds the running lease of `id`.
-- Returns OK (1), LEASE_LOST (-3: queued again or running under another lease) or NOT_FOUND (-2).
local function leaseCheck(runningKey, prefix, id, workerId, claim)
  local key = prefix .. id
  if redis.call('ZSCORE', runningKey, id) then
    local lease = redis.call('HMGET', key, 'owner', 'claim')
    if lease[1] == workerId and (claim == '' or lease[2] == claim) then return 1 end
    return -3
  end
  if redis.call('EXISTS', key) == 1 then return -3 end
  return -2
end
