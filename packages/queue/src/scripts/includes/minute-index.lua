-- The per-minute conflict index: HASH scheduleMinutes (scheduleId -> "workflowId|m1,m2,...") and one ZSET per
-- workflow (prefix .. workflowId) with members "mmmm:scheduleId" scored by minute. The workflow key is built
-- from the prefix: not declared, but it shares the hash tag, so it is in the same Cluster slot.
--- @include "chunked"

-- {minute1, "mmmm:id", minute2, "mmmm:id", ...} for a comma-separated minute list.
local function minuteMembers(csv, id)
  local members = {}
  for m in string.gmatch(csv, '%d+') do
    members[#members + 1] = tonumber(m)
    members[#members + 1] = string.format('%04d:%s', tonumber(m), id)
  end
  return members
end

local function membersOnly(scoredMembers)
  local members = {}
  for i = 2, #scoredMembers, 2 do members[#members + 1] = scoredMembers[i] end
  return members
end

-- Replaces the schedule's membership by `membership` ("workflowId|csv", or false for none).
-- Returns true when something changed.
local function setMembership(scheduleMinutesKey, prefix, scheduleId, membership)
  local old = redis.call('HGET', scheduleMinutesKey, scheduleId)
  if old == membership then return false end
  if old then
    local sep = string.find(old, '|', 1, true)
    chunkedCall('ZREM', prefix .. string.sub(old, 1, sep - 1), membersOnly(minuteMembers(string.sub(old, sep + 1), scheduleId)))
  end
  if membership then
    local sep = string.find(membership, '|', 1, true)
    zaddPairs(prefix .. string.sub(membership, 1, sep - 1), minuteMembers(string.sub(membership, sep + 1), scheduleId))
    redis.call('HSET', scheduleMinutesKey, scheduleId, membership)
  else
    redis.call('HDEL', scheduleMinutesKey, scheduleId)
  end
  return true
end
