-- Counts the other schedules of a workflow that fire within one minute of a schedule's profile, from the
-- conflict index (see conflict-index.lua). The cost is bounded whatever the workflow holds:
--   dense schedules conflict with every schedule that fires: counted (ZCARD), never scanned;
--   a class all of whose entries are near the profile is counted from n:<wf>, never scanned;
--   frequent schedules are counted exactly by one BITOP OR of the bitmaps of the minutes near the profile
--   (at most 1,440 bitmaps of one bit per slot), never read one by one;
--   otherwise only the entries near the profile are read, in chunks, and the scan stops once more than
--   `exactUpTo` distinct schedules were found or `budget` entries were read: the total is then a lower bound.
--   An hourly or other schedule has at most 96 entries near any profile (core CONFLICT_FREQUENT_MINUTES), so
--   with a budget of at least (exactUpTo + 1) * 96 the scan finds more than exactUpTo schedules before the
--   budget runs out: the total is exact up to exactUpTo whatever the shapes.
-- Returns total, lowerBound (boolean), ids (at most maxIds of the schedules found, ascending in byte order).
--- @include "conflict-index"

local SCAN_CHUNK = 500

-- Lua's '<' on strings uses strcoll (Redis runs with the environment's LC_COLLATE), so compare bytes.
local byte = string.byte
local function byteLess(a, b)
  for i = 1, math.min(#a, #b), 8 do
    local a1, a2, a3, a4, a5, a6, a7, a8 = byte(a, i, i + 7)
    local b1, b2, b3, b4, b5, b6, b7, b8 = byte(b, i, i + 7)
    if a1 ~= b1 then return a1 < b1 end
    if a2 ~= b2 then return (a2 or -1) < (b2 or -1) end
    if a3 ~= b3 then return (a3 or -1) < (b3 or -1) end
    if a4 ~= b4 then return (a4 or -1) < (b4 or -1) end
    if a5 ~= b5 then return (a5 or -1) < (b5 or -1) end
    if a6 ~= b6 then return (a6 or -1) < (b6 or -1) end
    if a7 ~= b7 then return (a7 or -1) < (b7 or -1) end
    if a8 ~= b8 then return (a8 or -1) < (b8 or -1) end
  end
  return #a < #b
end

-- Runs {from, to} of the flagged values in 0..size-1 after widening each by one on both sides (circular).
-- Returns the runs, or nil when they cover every value.
local function dilatedRuns(flags, size)
  local near = {}
  local covered = 0
  for v = 0, size - 1 do
    if flags[v] or flags[(v + 1) % size] or flags[(v + size - 1) % size] then
      near[v] = true
      covered = covered + 1
    end
  end
  if covered == size then return nil end
  local runs = {}
  local v = 0
  while v < size do
    if near[v] then
      local from = v
      while v + 1 < size and near[v + 1] do v = v + 1 end
      runs[#runs + 1] = {from, v}
    end
    v = v + 1
  end
  return runs
end

local function findConflicts(prefix, workflowId, selfId, profile, maxIds, exactUpTo, budget)
  local kind = string.sub(profile, 1, 1)
  local values = {}
  for v in string.gmatch(string.sub(profile, 2), '%d+') do values[#values + 1] = tonumber(v) end

  local total = 0
  local lowerBound = false
  local top = {}
  local seen = {}
  local function offer(id)
    if seen[id] then return end
    seen[id] = true
    if #top >= maxIds and not byteLess(id, top[#top]) then return end
    local pos = #top + 1
    while pos > 1 and byteLess(id, top[pos - 1]) do
      top[pos] = top[pos - 1]
      pos = pos - 1
    end
    top[pos] = id
    if #top > maxIds then top[#top] = nil end
  end

  -- A class that conflicts as a whole: counted, with a sample of its smallest members as ids.
  local function wholeClass(key, count, width)
    total = total + count
    if count <= 0 or maxIds <= 0 then return end
    local members = redis.call('ZRANGE', key, 0, 4 * maxIds)
    for _, member in ipairs(members) do
      local id = width > 0 and string.sub(member, width + 2) or member
      if id ~= selfId then offer(id) end
    end
  end

  -- Reads the entries of lexicographic ZSET `key` whose value (first `width` digits) is in one of `runs`.
  -- Returns false when it stopped early.
  local read = 0
  local function scan(key, runs, width)
    local fmt = '%0' .. width .. 'd'
    for _, run in ipairs(runs) do
      local min = '[' .. string.format(fmt, run[1]) .. ':'
      local max = '(' .. string.format(fmt, run[2] + 1)
      while true do
        local members = redis.call('ZRANGEBYLEX', key, min, max, 'LIMIT', 0, SCAN_CHUNK)
        read = read + #members
        for _, member in ipairs(members) do
          local id = string.sub(member, width + 2)
          -- A schedule is in one class only, so `seen` (the ids offered so far) tells a repeat of this scan.
          if id ~= selfId and not seen[id] then
            total = total + 1
            offer(id)
            if total > exactUpTo then return false end
          end
        end
        if #members < SCAN_CHUNK then break end
        if read >= budget then return false end
        min = '(' .. members[#members]
      end
    end
    return true
  end

  -- The frequent schedules with a fire minute in `runs` (nil: all of them), counted from their bitmaps; a
  -- sample of them offered (the first slots found).
  local frequentKey = cfxKey(prefix, 'f', workflowId)
  local function frequent(count, runs)
    if count <= 0 then return end
    if not runs then return wholeClass(frequentKey, count, 0) end
    local keys = {}
    for _, run in ipairs(runs) do
      for m = run[1], run[2] do keys[#keys + 1] = bitmapKey(prefix, workflowId, m) end
    end
    local found = cfxKey(prefix, 'ft', workflowId)
    for i = 1, #keys, 480 do
      local last = math.min(i + 479, #keys)
      if i == 1 then
        redis.call('BITOP', 'OR', found, unpack(keys, i, last))
      else
        redis.call('BITOP', 'OR', found, found, unpack(keys, i, last))
      end
    end
    local selfSlot = kind == 'F' and redis.call('ZSCORE', frequentKey, selfId) or false
    local n = redis.call('BITCOUNT', found)
    if selfSlot and redis.call('GETBIT', found, tonumber(selfSlot)) == 1 then n = n - 1 end
    total = total + n
    -- A sample: the ids of the first set bits, a byte at a time (bit 0 is a byte's most significant bit).
    local offered = 0
    local from = 0
    while offered < 4 * maxIds do
      local pos = redis.call('BITPOS', found, 1, from)
      if pos < 0 then break end
      local at = math.floor(pos / 8)
      local value = string.byte(redis.call('GETRANGE', found, at, at))
      for i = 0, 7 do
        if math.floor(value / 2 ^ (7 - i)) % 2 == 1 then
          local slot = at * 8 + i
          local id = redis.call('ZRANGEBYSCORE', frequentKey, slot, slot)[1]
          if id and id ~= selfId then
            offer(id)
            offered = offered + 1
          end
        end
      end
      from = at + 1
    end
    redis.call('DEL', found)
  end

  local denseKey = cfxKey(prefix, 'd', workflowId)
  wholeClass(denseKey, redis.call('ZCARD', denseKey) - (kind == 'D' and 1 or 0), 0)
  local counts = redis.call('HMGET', cfxKey(prefix, 'n', workflowId), 'H', 'M', 'F')
  local hourlyCount = (tonumber(counts[1]) or 0) - (kind == 'H' and 1 or 0)
  local minutesCount = (tonumber(counts[2]) or 0) - (kind == 'M' and 1 or 0)
  local frequentCount = (tonumber(counts[3]) or 0) - (kind == 'F' and 1 or 0)
  local hourlyKey = cfxKey(prefix, 'h', workflowId)
  local minutesKey = cfxKey(prefix, 'm', workflowId)

  if kind == 'D' then
    wholeClass(hourlyKey, hourlyCount, 2)
    wholeClass(minutesKey, minutesCount, 4)
    frequent(frequentCount, nil)
    return total, false, top
  end

  -- Minutes of the hour the schedule fires at, widened by one: what an hourly schedule must hit.
  local ofHour = {}
  for _, v in ipairs(values) do ofHour[kind == 'H' and v or v % 60] = true end
  local hourRuns = dilatedRuns(ofHour, 60)

  -- Minutes of the day near a fire: what an "other" schedule must hit.
  local dayRuns
  if kind == 'H' then
    if hourRuns then
      dayRuns = {}
      for h = 0, 23 do
        for _, run in ipairs(hourRuns) do dayRuns[#dayRuns + 1] = {h * 60 + run[1], h * 60 + run[2]} end
      end
    end
  else
    local ofDay = {}
    for _, v in ipairs(values) do ofDay[v] = true end
    dayRuns = dilatedRuns(ofDay, 1440)
  end

  -- Whole classes first (exact and cheap), then the scans, which may stop early: not even started when the
  -- whole classes already passed the bound.
  if hourlyCount > 0 and not hourRuns then wholeClass(hourlyKey, hourlyCount, 2) end
  if minutesCount > 0 and not dayRuns then wholeClass(minutesKey, minutesCount, 4) end
  frequent(frequentCount, dayRuns)
  local toScan = (hourlyCount > 0 and hourRuns) or (minutesCount > 0 and dayRuns)
  if toScan and total > exactUpTo then return total, true, top end
  if hourlyCount > 0 and hourRuns and not scan(hourlyKey, hourRuns, 2) then return total, true, top end
  if minutesCount > 0 and dayRuns and not scan(minutesKey, dayRuns, 4) then return total, true, top end
  return total, false, top
end
