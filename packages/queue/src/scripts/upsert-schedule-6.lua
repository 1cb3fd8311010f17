--[[
  Upsert a schedule in the due-index and the conflict index, then report its conflicts: the API's write.
  One call per schedule write: the API runs it inside its Postgres transaction, holding the row lock.
  (The reconciler writes the same entries with repair-schedule-6.lua and force-repair-schedule-6.lua.)

  KEYS[1] due              ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion       HASH  scheduleId -> version of the row this entry was written from
  KEYS[3] scheduleMinutes  HASH  scheduleId -> "workflowId|profile" (current conflict-index membership)
  KEYS[4] conflictMinutes  ZSET  the "other" class of the schedule's workflow (conflict-index.lua)
  KEYS[5] dueClaims        ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[6] dueClaimInfo     HASH  scheduleId -> "<original score>|<version>|<workerId>"

  ARGV[1] scheduleId
  ARGV[2] version          integer; a write whose version is below the stored one changes nothing
  ARGV[3] nextRunAtMs      integer, or "" when the schedule has no next fire (paused/completed/expired)
  ARGV[4] workflowId
  ARGV[5] profile          the conflict profile (core conflictProfile: "", "D", "H<q,...>", "M<m,...>", "F<m,...>")
  ARGV[6] conflictPrefix   KEYS[4] must equal ARGV[6] .. "m:" .. ARGV[4]. The workflow's other conflict keys,
          and those of the workflow the schedule moves from (read from KEYS[3]), are built from it: not
          declared, but they share the hash tag of KEYS[4], so they are in the same Cluster slot.
  ARGV[7] maxIds           how many conflicting schedule ids to return at most
  ARGV[8] exactUpTo        the total is exact while at most this many schedules conflict
  ARGV[9] budget           index entries the conflict scan reads at most before answering a lower bound

  An applied write ends any claim of the schedule (due-entry.lua).

  Conflicts: other schedules of the same workflow with a fire minute within +-1 minute of one of this
  schedule's minutes (1439 and 0 are adjacent); cost bounded as conflict-query.lua says.

  Returns:
    {1, version, total, lowerBound, id1, ..., idN}  applied; lowerBound 1 when total is a lower bound; ids
                                        ascending, N <= maxIds
    {0, storedVersion}                  stale write: Redis holds a higher version; nothing changed
    {-1}                                KEYS[4] does not match ARGV[6] .. "m:" .. ARGV[4]; nothing changed
]]
--- @include "due-entry"
--- @include "conflict-query"

local scheduleId = ARGV[1]
local nextRunAtMs = ARGV[3]
local workflowId = ARGV[4]
local profile = ARGV[5]
local prefix = ARGV[6]

if KEYS[4] ~= prefix .. 'm:' .. workflowId then
  return {-1}
end

local storedRaw = redis.call('HGET', KEYS[2], scheduleId)
if storedRaw and tonumber(storedRaw) > tonumber(ARGV[2]) then
  return {0, storedRaw}
end

local membership = dueMembership(nextRunAtMs, workflowId, profile)
writeDueEntry(KEYS, prefix, scheduleId, ARGV[2], nextRunAtMs, membership)
if not membership then
  return {1, ARGV[2], 0, 0}
end

local total, lowerBound, ids = findConflicts(prefix, workflowId, scheduleId, profile, tonumber(ARGV[7]),
  tonumber(ARGV[8]), tonumber(ARGV[9]))
local reply = {1, ARGV[2], total, lowerBound and 1 or 0}
for i = 1, #ids do
  reply[#reply + 1] = ids[i]
end
return reply
