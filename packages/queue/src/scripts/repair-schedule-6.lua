--[[
  Repair a schedule's due entry and conflict membership from a Postgres read (the reconciler, without the
  rows' locks). A higher version in Redis may be an API write about to commit: it is kept. At the same
  version a claimed entry is left to its claimer, and the due score only moves forward (a worker may have
  advanced it after the reconciler's read). No conflict report.

  KEYS[1] due              ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion       HASH  scheduleId -> version of the row this entry was written from
  KEYS[3] scheduleMinutes  HASH  scheduleId -> "workflowId|profile" (current conflict-index membership)
  KEYS[4] conflictMinutes  ZSET  the "other" class of the schedule's workflow (conflict-index.lua)
  KEYS[5] dueClaims        ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[6] dueClaimInfo     HASH  scheduleId -> "<original score>|<version>|<workerId>"

  ARGV[1] scheduleId
  ARGV[2] version          integer, the row's
  ARGV[3] nextRunAtMs      integer, or "" when the row has no next fire (paused/completed/expired)
  ARGV[4] workflowId
  ARGV[5] profile          the conflict profile (core conflictProfile: "", "D", "H<q,...>", "M<m,...>", "F<m,...>")
  ARGV[6] conflictPrefix   KEYS[4] must equal ARGV[6] .. "m:" .. ARGV[4] (as in upsert-schedule-6.lua)

  An applied write ends any claim of the schedule (due-entry.lua).

  Returns:
    {1, version}        written
    {0, storedVersion}  Redis holds a higher version; nothing changed
    {-1}                KEYS[4] does not match ARGV[6] .. "m:" .. ARGV[4]; nothing changed
    {2}                 already up to date; nothing changed
    {3}                 claimed at this version, or Redis ahead at this version; nothing changed
]]
--- @include "due-entry"

local scheduleId = ARGV[1]
local version = tonumber(ARGV[2])
local nextRunAtMs = ARGV[3]
local workflowId = ARGV[4]
local prefix = ARGV[6]

if KEYS[4] ~= prefix .. 'm:' .. workflowId then
  return {-1}
end

local membership = dueMembership(nextRunAtMs, workflowId, ARGV[5])
local storedRaw = redis.call('HGET', KEYS[2], scheduleId)
local stored = storedRaw and tonumber(storedRaw)
if stored and stored > version then
  return {0, storedRaw}
end
if stored == version then
  local code, current = sameVersionRepair(KEYS, scheduleId, nextRunAtMs, membership)
  if code then return {code} end
  if nextRunAtMs ~= '' and current and tonumber(nextRunAtMs) < tonumber(current) then
    return {3}
  end
end

writeDueEntry(KEYS, prefix, scheduleId, ARGV[2], nextRunAtMs, membership)
return {1, ARGV[2]}
