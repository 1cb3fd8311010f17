--[[
  complete-claim for a batch: the same compare-and-set on the version for each claim, in one call (a
  scheduler ends hundreds of claims per round; one script call instead of one per claim).

  KEYS[1] due              ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion       HASH  scheduleId -> version
  KEYS[3] dueClaims        ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[4] dueClaimInfo     HASH  scheduleId -> "<original score>|<version>|<workerId>"
  KEYS[5] scheduleMinutes  HASH  scheduleId -> "workflowId|m1,m2,..."

  ARGV[1] workerId                the claimer
  ARGV[2] conflictPrefix          as in complete-claim-5.lua
  ARGV[3..] 3 values per claim: scheduleId, version (the claim's), nextRunAtMs (integer, or "" for none)

  Returns one code per claim, in order: 1 rescheduled, 0 no next fire (out of `due`), -6 superseded (the index
  holds another version), -8 removed meanwhile, -7 no claim by this worker at this version.
]]
--- @include "due-claims"
--- @include "conflict-index"

local reply = {}
for i = 3, #ARGV, 3 do
  local scheduleId = ARGV[i]
  local version = tonumber(ARGV[i + 1])
  local code
  local info = redis.call('HGET', KEYS[4], scheduleId)
  local owner, claimVersion
  if info then
    local _
    _, claimVersion, owner = parseClaim(info)
  end
  if not info or owner ~= ARGV[1] or claimVersion ~= version then
    code = -7
  else
    dropClaim(KEYS[3], KEYS[4], scheduleId)
    local current = redis.call('HGET', KEYS[2], scheduleId)
    if not current then
      code = -8
    elseif tonumber(current) ~= version then
      code = -6
    elseif ARGV[i + 2] == '' then
      redis.call('ZREM', KEYS[1], scheduleId)
      setMembership(KEYS[5], ARGV[2], scheduleId, false)
      code = 0
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 2], scheduleId)
      code = 1
    end
  end
  reply[#reply + 1] = code
end
return reply
