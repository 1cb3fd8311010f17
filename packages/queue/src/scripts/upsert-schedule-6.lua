--[[
  Upsert a schedule in the due-index and the per-minute conflict index, then report its conflicts.
  One call per schedule write: the API runs it inside its Postgres transaction, holding the row lock.
  The reconciler runs it too ("repair"/"force" modes), without the conflict report.

  KEYS[1] due              ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion       HASH  scheduleId -> version of the row this entry was written from
  KEYS[3] scheduleMinutes  HASH  scheduleId -> "workflowId|m1,m2,..." (current conflict-index membership)
  KEYS[4] workflowMinutes  ZSET  of the schedule's workflow: members "mmmm:scheduleId" scored by minute
  KEYS[5] dueClaims        ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[6] dueClaimInfo     HASH  scheduleId -> "<original score>|<version>|<workerId>"

  ARGV[1] scheduleId
  ARGV[2] version          integer; a write whose version is below the stored one changes nothing
  ARGV[3] nextRunAtMs      integer, or "" when the schedule has no next fire (paused/completed/expired)
  ARGV[4] workflowId
  ARGV[5] fireMinutes      distinct UTC minutes-of-day (0..1439), comma-separated, ascending; may be ""
  ARGV[6] workflowMinutesPrefix  KEYS[4] must equal ARGV[6] .. ARGV[4]. When the schedule moved from another
          workflow, the old workflow's key is built as ARGV[6] .. oldWorkflowId (read from KEYS[3]). That key is
          not declared, but it starts with the same hash tag as KEYS[4], so it is in the same Cluster slot.
  ARGV[7] maxIds           how many conflicting schedule ids to return at most
  ARGV[8] mode             "" (the API), "repair" or "force" (the reconciler, from a Postgres read):
          repair: a claimed entry at the same version is left to its claimer; at the same version the due
                  score only moves forward (a worker may have advanced it after the reconciler's read);
                  no conflict report.
          force:  as repair, but a higher version in Redis is overwritten too (the caller holds the rows'
                  locks, so such a version can only be left by an API write that was rolled back).

  An applied write ends any claim of the schedule: the claimer's later completeClaim or the claim's expiry
  then changes nothing, so the newest write always survives (a pause is never undone by a claimer).

  Conflicts: other schedules of the same workflow with a fire minute within +-1 minute of one of this
  schedule's minutes (1439 and 0 are adjacent). Cost: one ZRANGEBYSCORE per contiguous run of the dilated
  minute set, so it grows with the neighbours found, not with the size of the workflow.

  Returns:
    {1, version, total, id1, ..., idN}  applied; ids ascending, N <= maxIds, total = distinct conflicts
                                        (repair/force: {1, version, 0})
    {0, storedVersion}                  stale write: Redis holds a higher version; nothing changed
    {-1}                                KEYS[4] does not match ARGV[6] .. ARGV[4]; nothing changed
    {2}                                 repair/force: already up to date; nothing changed
    {3}                                 repair/force: claimed at this version, or Redis ahead at this version
]]
--- @include "minute-index"

local scheduleId = ARGV[1]
local version = tonumber(ARGV[2])
local nextRunAtMs = ARGV[3]
local workflowId = ARGV[4]
local minutesCsv = ARGV[5]
local prefix = ARGV[6]
local maxIds = tonumber(ARGV[7])
local mode = ARGV[8]

if KEYS[4] ~= prefix .. workflowId then
  return {-1}
end

local minutes = {}
if nextRunAtMs ~= '' then
  for m in string.gmatch(minutesCsv, '%d+') do
    minutes[#minutes + 1] = tonumber(m)
  end
end
local membership = false
if #minutes > 0 then
  membership = workflowId .. '|' .. minutesCsv
end

local storedRaw = redis.call('HGET', KEYS[2], scheduleId)
local stored = storedRaw and tonumber(storedRaw)
if mode == '' then
  if stored and stored > version then
    return {0, storedRaw}
  end
else
  if stored and stored > version and mode ~= 'force' then
    return {0, storedRaw}
  end
  if stored == version then
    if redis.call('ZSCORE', KEYS[5], scheduleId) then return {3} end
    local current = redis.call('ZSCORE', KEYS[1], scheduleId)
    local sameDue = (nextRunAtMs == '' and not current)
      or (nextRunAtMs ~= '' and current and tonumber(current) == tonumber(nextRunAtMs))
    if sameDue and redis.call('HGET', KEYS[3], scheduleId) == membership then return {2} end
    if mode == 'repair' and nextRunAtMs ~= '' and current and tonumber(nextRunAtMs) < tonumber(current) then
      return {3}
    end
  end
end

redis.call('HSET', KEYS[2], scheduleId, ARGV[2])
if nextRunAtMs == '' then
  redis.call('ZREM', KEYS[1], scheduleId)
else
  redis.call('ZADD', KEYS[1], nextRunAtMs, scheduleId)
end
redis.call('ZREM', KEYS[5], scheduleId)
redis.call('HDEL', KEYS[6], scheduleId)
setMembership(KEYS[3], prefix, scheduleId, membership)

if mode ~= '' then
  return {1, ARGV[2], 0}
end

if #minutes == 0 then
  return {1, ARGV[2], 0}
end

-- Dilate each minute by +-1 (wrapping at midnight) into [from, to] ranges, then merge touching ranges.
local ranges = {}
for _, m in ipairs(minutes) do
  local from, to = m - 1, m + 1
  if from < 0 then
    ranges[#ranges + 1] = {1439, 1439}
    from = 0
  end
  if to > 1439 then
    ranges[#ranges + 1] = {0, 0}
    to = 1439
  end
  ranges[#ranges + 1] = {from, to}
end
table.sort(ranges, function(a, b) return a[1] < b[1] end)
local merged = {}
for _, r in ipairs(ranges) do
  local last = merged[#merged]
  if last and r[1] <= last[2] + 1 then
    if r[2] > last[2] then last[2] = r[2] end
  else
    merged[#merged + 1] = {r[1], r[2]}
  end
end

-- Keep the maxIds smallest ids in byte order. Lua's '<' on strings uses strcoll, and Redis runs with the
-- environment's LC_COLLATE, which may order ids differently from bytes; so compare bytes, 8 at a time.
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

local seen = {}
local total = 0
local top = {}
local function offer(id)
  local pos = #top + 1
  while pos > 1 and byteLess(id, top[pos - 1]) do
    top[pos] = top[pos - 1]
    pos = pos - 1
  end
  top[pos] = id
  if #top > maxIds then top[#top] = nil end
end

for _, r in ipairs(merged) do
  -- Members of one minute come back sorted by scheduleId (equal scores order by bytes), so once an id of a
  -- minute cannot enter the top, no later id of that minute can: skip the comparisons for the rest.
  local found = redis.call('ZRANGEBYSCORE', KEYS[4], r[1], r[2])
  local minute = nil
  local closed = false
  for _, member in ipairs(found) do
    local m = string.sub(member, 1, 4)
    if m ~= minute then
      minute = m
      closed = maxIds <= 0
    end
    local id = string.sub(member, 6)
    if id ~= scheduleId and not seen[id] then
      seen[id] = true
      total = total + 1
      if not closed then
        if #top < maxIds or byteLess(id, top[#top]) then
          offer(id)
        else
          closed = true
        end
      end
    end
  end
end

local reply = {1, ARGV[2], total}
for i = 1, #top do
  reply[#reply + 1] = top[i]
end
return reply
