--[[
  Upsert a schedule in the due-index and the conflict index, then report its conflicts.
  One call per schedule write: the API runs it inside its Postgres transaction, holding the row lock.
  The reconciler runs it too ("repair"/"force" modes), without the conflict report.

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
  ARGV[5] profile          the conflict profile (core conflictProfile: "", "D", "H<q,...>", "M<m,...>")
  ARGV[6] conflictPrefix   KEYS[4] must equal ARGV[6] .. "m:" .. ARGV[4]. The workflow's other conflict keys,
          and those of the workflow the schedule moves from (read from KEYS[3]), are built from it: not
          declared, but they share the hash tag of KEYS[4], so they are in the same Cluster slot.
  ARGV[7] maxIds           how many conflicting schedule ids to return at most
  ARGV[8] mode             "" (the API), "repair" or "force" (the reconciler, from a Postgres read):
          repair: a claimed entry at the same version is left to its claimer; at the same version the due
                  score only moves forward (a worker may have advanced it after the reconciler's read);
                  no conflict report.
          force:  as repair, but a higher version in Redis is overwritten too (the caller holds the rows'
                  locks, so such a version can only be left by an API write that was rolled back).
  ARGV[9] exactUpTo        the total is exact while at most this many schedules conflict
  ARGV[10] budget          index entries the conflict scan reads at most before answering a lower bound

  An applied write ends any claim of the schedule: the claimer's later completeClaim or the claim's expiry
  then changes nothing, so the newest write always survives (a pause is never undone by a claimer).

  Conflicts: other schedules of the same workflow with a fire minute within +-1 minute of one of this
  schedule's minutes (1439 and 0 are adjacent); cost bounded as conflict-query.lua says.

  Returns:
    {1, version, total, lowerBound, id1, ..., idN}  applied; lowerBound 1 when total is a lower bound; ids
                                        ascending, N <= maxIds (repair/force: {1, version, 0, 0})
    {0, storedVersion}                  stale write: Redis holds a higher version; nothing changed
    {-1}                                KEYS[4] does not match ARGV[6] .. "m:" .. ARGV[4]; nothing changed
    {2}                                 repair/force: already up to date; nothing changed
    {3}                                 repair/force: claimed at this version, or Redis ahead at this version
]]
--- @include "conflict-query"

local scheduleId = ARGV[1]
local version = tonumber(ARGV[2])
local nextRunAtMs = ARGV[3]
local workflowId = ARGV[4]
local profile = ARGV[5]
local prefix = ARGV[6]
local maxIds = tonumber(ARGV[7])
local mode = ARGV[8]

if KEYS[4] ~= prefix .. 'm:' .. workflowId then
  return {-1}
end

local membership = false
if nextRunAtMs ~= '' and profile ~= '' then
  membership = workflowId .. '|' .. profile
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

if mode ~= '' or not membership then
  return {1, ARGV[2], 0, 0}
end

local total, lowerBound, ids = findConflicts(prefix, workflowId, scheduleId, profile, maxIds,
  tonumber(ARGV[9]), tonumber(ARGV[10]))
local reply = {1, ARGV[2], total, lowerBound and 1 or 0}
for i = 1, #ids do
  reply[#reply + 1] = ids[i]
end
return reply
