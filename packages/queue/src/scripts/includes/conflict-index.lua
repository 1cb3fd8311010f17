-- The conflict index ("fires within a minute of another schedule of the same workflow"), see keys.ts and
-- core's conflict-profile.ts. HASH scheduleMinutes holds each indexed schedule's "workflowId|profile", so any
-- write can take the schedule's old entries out exactly. Per workflow, under the prefix (`{p}:cfx:`):
--   d:<wf>  ZSET  dense schedules (score 0, member id): they conflict with every schedule that fires
--   h:<wf>  ZSET  hourly schedules, score 0, members "qq:id" (minute of the hour), lexicographic order
--   m:<wf>  ZSET  other schedules, score 0, members "mmmm:id" (UTC minute of the day), lexicographic order
--   f:<wf>  ZSET  frequent schedules (an "other" profile of over 96 minutes): member id, score its slot
--   fb:<wf>:<minute>  STRING  bitmap: bit <slot> set when that frequent schedule fires in that UTC minute
--   ff:<wf> ZSET  slots given back by frequent schedules that left (score = member = slot), reused lowest first
--   n:<wf>  HASH  H -> number of hourly schedules, M -> number of other schedules, F -> number of frequent
--                 ones, FN -> slots handed out so far (the next new slot)
-- When the last frequent schedule leaves, its workflow's bitmaps, free slots and FN go with it.
-- Keys are built from the prefix: not declared, but they share the hash tag, so they are in the same slot.
-- Before conflict classes a membership was "workflowId|m1,m2,..." with members "mmmm:id" scored by minute in
-- `{p}:workflow-minutes:<wf>`; such a membership is only ever taken out (the reconciler rewrites it).
--- @include "chunked"

local function cfxKey(prefix, kind, workflowId)
  return prefix .. kind .. ':' .. workflowId
end

local function bitmapKey(prefix, workflowId, minute)
  return prefix .. 'fb:' .. workflowId .. ':' .. minute
end

local function legacyKey(prefix, workflowId)
  return string.sub(prefix, 1, #prefix - 4) .. 'workflow-minutes:' .. workflowId
end

local function splitMembership(value)
  local sep = string.find(value, '|', 1, true)
  return string.sub(value, 1, sep - 1), string.sub(value, sep + 1)
end

-- {"0017:id", ...} for a comma-separated value list, zero-padded to `width` digits.
local function profileMembers(csv, width, id)
  local members = {}
  local fmt = '%0' .. width .. 'd:%s'
  for v in string.gmatch(csv, '%d+') do
    members[#members + 1] = string.format(fmt, tonumber(v), id)
  end
  return members
end

-- A frequent schedule's bit in the bitmap of each minute it fires in: set (sign 1, taking a slot) or cleared
-- (sign -1, giving the slot back). O(its minutes).
local function applyFrequent(prefix, workflowId, id, csv, sign)
  local membersKey = cfxKey(prefix, 'f', workflowId)
  local freeKey = cfxKey(prefix, 'ff', workflowId)
  local countKey = cfxKey(prefix, 'n', workflowId)
  local slot
  if sign > 0 then
    local free = redis.call('ZPOPMIN', freeKey)
    if free[1] then
      slot = tonumber(free[1])
    else
      slot = redis.call('HINCRBY', countKey, 'FN', 1) - 1
    end
    redis.call('ZADD', membersKey, slot, id)
  else
    local score = redis.call('ZSCORE', membersKey, id)
    if not score then return end
    slot = tonumber(score)
    redis.call('ZREM', membersKey, id)
  end
  local bit = sign > 0 and 1 or 0
  for v in string.gmatch(csv, '%d+') do
    redis.call('SETBIT', bitmapKey(prefix, workflowId, tonumber(v)), slot, bit)
  end
  if redis.call('HINCRBY', countKey, 'F', sign) > 0 then
    if sign < 0 then redis.call('ZADD', freeKey, slot, slot) end
    return
  end
  -- The last one left: every bitmap of the workflow is zero now.
  redis.call('HDEL', countKey, 'F', 'FN')
  redis.call('DEL', freeKey)
  for from = 0, 1439, 480 do
    local keys = {}
    for m = from, from + 479 do keys[#keys + 1] = bitmapKey(prefix, workflowId, m) end
    redis.call('DEL', unpack(keys))
  end
end

-- Adds (sign 1) or takes out (sign -1) one schedule's entries for `profile` in its workflow's index.
local function applyProfile(prefix, workflowId, id, profile, sign)
  local kind = string.sub(profile, 1, 1)
  if kind == 'F' then
    applyFrequent(prefix, workflowId, id, string.sub(profile, 2), sign)
  elseif kind == 'D' then
    if sign > 0 then
      redis.call('ZADD', cfxKey(prefix, 'd', workflowId), 0, id)
    else
      redis.call('ZREM', cfxKey(prefix, 'd', workflowId), id)
    end
  elseif kind == 'H' or kind == 'M' then
    local key = cfxKey(prefix, kind == 'H' and 'h' or 'm', workflowId)
    local members = profileMembers(string.sub(profile, 2), kind == 'H' and 2 or 4, id)
    if sign > 0 then
      local scored = {}
      for i, member in ipairs(members) do
        scored[2 * i - 1] = 0
        scored[2 * i] = member
      end
      zaddPairs(key, scored)
    else
      chunkedCall('ZREM', key, members)
    end
    local countKey = cfxKey(prefix, 'n', workflowId)
    if redis.call('HINCRBY', countKey, kind, sign) <= 0 then redis.call('HDEL', countKey, kind) end
  elseif sign < 0 and profile ~= '' then
    chunkedCall('ZREM', legacyKey(prefix, workflowId), profileMembers(profile, 4, id))
  end
end

-- Replaces the schedule's membership by `membership` ("workflowId|profile", or false for none).
-- Returns true when something changed.
local function setMembership(scheduleMinutesKey, prefix, scheduleId, membership)
  local old = redis.call('HGET', scheduleMinutesKey, scheduleId)
  if old == membership then return false end
  if old then
    local workflowId, profile = splitMembership(old)
    applyProfile(prefix, workflowId, scheduleId, profile, -1)
  end
  if membership then
    local workflowId, profile = splitMembership(membership)
    applyProfile(prefix, workflowId, scheduleId, profile, 1)
    redis.call('HSET', scheduleMinutesKey, scheduleId, membership)
  else
    redis.call('HDEL', scheduleMinutesKey, scheduleId)
  end
  return true
end
