--[[
  Repair a schedule's due entry and conflict membership from a Postgres read taken under the rows' locks
  (the reconciler, still holding them): Postgres is authoritative, so a higher version in Redis is
  overwritten too (it can only be left by an API write that was rolled back after indexing). At the same
  version a claimed entry is still left to its claimer. No conflict report.

  The keys and arguments of repair-schedule-6.lua (which describes them):
  KEYS[1] due, KEYS[2] dueVersion, KEYS[3] scheduleMinutes, KEYS[4] conflictMinutes of the workflow,
  KEYS[5] dueClaims, KEYS[6] dueClaimInfo
  ARGV[1] scheduleId, ARGV[2] version (the row's), ARGV[3] nextRunAtMs ("" when the row has no next fire),
  ARGV[4] workflowId, ARGV[5] profile, ARGV[6] conflictPrefix (KEYS[4] must equal ARGV[6] .. "m:" .. ARGV[4])

  An applied write ends any claim of the schedule (due-entry.lua).

  Returns:
    {1, version}  written
    {-1}          KEYS[4] does not match ARGV[6] .. "m:" .. ARGV[4]; nothing changed
    {2}           already up to date; nothing changed
    {3}           claimed at this version; nothing changed
]]
--- @include "due-entry"

local scheduleId = ARGV[1]
local nextRunAtMs = ARGV[3]
local workflowId = ARGV[4]
local prefix = ARGV[6]

if KEYS[4] ~= prefix .. 'm:' .. workflowId then
  return {-1}
end

local membership = dueMembership(nextRunAtMs, workflowId, ARGV[5])
local storedRaw = redis.call('HGET', KEYS[2], scheduleId)
if storedRaw and tonumber(storedRaw) == tonumber(ARGV[2]) then
  local code = sameVersionRepair(KEYS, scheduleId, nextRunAtMs, membership)
  if code then return {code} end
end

writeDueEntry(KEYS, prefix, scheduleId, ARGV[2], nextRunAtMs, membership)
return {1, ARGV[2]}
