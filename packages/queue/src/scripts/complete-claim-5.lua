--[[
  Finish a fire claim by compare-and-set on the version: when the index still holds the version the claim
  was taken at, the schedule's next fire becomes its due score (or it leaves `due` and the conflict index
  when it has none: completed, expired); when the API wrote a newer version meanwhile (already in `due`, or
  deliberately absent), that one wins and the claim is only dropped.

  KEYS[1] due              ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion       HASH  scheduleId -> version
  KEYS[3] dueClaims        ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[4] dueClaimInfo     HASH  scheduleId -> "<original score>|<version>|<workerId>"
  KEYS[5] scheduleMinutes  HASH  scheduleId -> "workflowId|m1,m2,..."

  ARGV[1] scheduleId
  ARGV[2] workerId         the claimer
  ARGV[3] version          the version the claim carried
  ARGV[4] nextRunAtMs      integer, or "" when the schedule has no next fire
  ARGV[5] newVersion       "" to keep the version, or the version the claimer wrote to the row (>= ARGV[3])
  ARGV[6] conflictPrefix   for leaving the conflict index (workflow keys built from KEYS[3]'s value;
          undeclared, same hash tag)

  Returns:
    {1, 1}             rescheduled at nextRunAtMs
    {1, 0}             no next fire: out of `due` (the version is kept, so older writes stay ignored)
    {-6, version}      superseded: the index holds another version; the claim was dropped
    {-8}               the schedule was removed meanwhile; the claim was dropped
    {-7}               no claim by this worker at this version (it expired and was ended, or the API ended
                       it with a newer write or a delete): nothing changed
]]
--- @include "due-claims"
--- @include "conflict-index"

local scheduleId = ARGV[1]
local version = tonumber(ARGV[3])

local info = redis.call('HGET', KEYS[4], scheduleId)
if not info then return {-7} end
local _, claimVersion, owner = parseClaim(info)
if owner ~= ARGV[2] or claimVersion ~= version then return {-7} end
dropClaim(KEYS[3], KEYS[4], scheduleId)

local current = redis.call('HGET', KEYS[2], scheduleId)
if not current then return {-8} end
if tonumber(current) ~= version then return {-6, current} end

if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], scheduleId, ARGV[5]) end
if ARGV[4] == '' then
  redis.call('ZREM', KEYS[1], scheduleId)
  setMembership(KEYS[5], ARGV[6], scheduleId, false)
  return {1, 0}
end
redis.call('ZADD', KEYS[1], ARGV[4], scheduleId)
return {1, 1}
