-- A schedule's due entry (ZSET due + HASH dueVersion) and its conflict-index membership, as the API's
-- upsert (upsert-schedule-6.lua) and the reconciler's repairs (repair-schedule-6.lua,
-- force-repair-schedule-6.lua) write them. The three scripts take the same six keys, in this order:
--   keys[1] due, keys[2] dueVersion, keys[3] scheduleMinutes, keys[4] conflictMinutes of the workflow,
--   keys[5] dueClaims, keys[6] dueClaimInfo
--- @include "conflict-index"

-- The conflict-index membership "workflowId|profile" of a schedule that fires; false when it does not.
local function dueMembership(nextRunAtMs, workflowId, profile)
  if nextRunAtMs ~= '' and profile ~= '' then
    return workflowId .. '|' .. profile
  end
  return false
end

-- Writes the entry at `version` (a string, stored as given). An applied write ends any claim of the
-- schedule: the claimer's later completeClaim or the claim's expiry then changes nothing, so the newest
-- write always survives (a pause is never undone by a claimer).
local function writeDueEntry(keys, prefix, scheduleId, version, nextRunAtMs, membership)
  redis.call('HSET', keys[2], scheduleId, version)
  if nextRunAtMs == '' then
    redis.call('ZREM', keys[1], scheduleId)
  else
    redis.call('ZADD', keys[1], nextRunAtMs, scheduleId)
  end
  redis.call('ZREM', keys[5], scheduleId)
  redis.call('HDEL', keys[6], scheduleId)
  setMembership(keys[3], prefix, scheduleId, membership)
end

-- A repair of an entry Redis holds at the row's own version: 3 (SKIPPED) when a scheduler has claimed it,
-- 2 (UNCHANGED) when the score and the membership already match, else nil and the current due score (or
-- false) for the caller's own rule.
local function sameVersionRepair(keys, scheduleId, nextRunAtMs, membership)
  if redis.call('ZSCORE', keys[5], scheduleId) then return 3 end
  local current = redis.call('ZSCORE', keys[1], scheduleId)
  local sameDue = (nextRunAtMs == '' and not current)
    or (nextRunAtMs ~= '' and current and tonumber(current) == tonumber(nextRunAtMs))
  if sameDue and redis.call('HGET', keys[3], scheduleId) == membership then return 2 end
  return nil, current
end
