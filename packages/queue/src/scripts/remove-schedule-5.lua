--[[
  Remove a schedule from the due-index, its fire claim and the conflict index (schedule deleted).
  Ending the claim here means a claimer that is still working on the schedule cannot put it back: its
  completeClaim / releaseClaim find no claim, and an expired claim has nothing to restore.

  KEYS[1] due              ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion       HASH  scheduleId -> version
  KEYS[3] scheduleMinutes  HASH  scheduleId -> "workflowId|profile"
  KEYS[4] dueClaims        ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[5] dueClaimInfo     HASH  scheduleId -> "<original score>|<version>|<workerId>"

  ARGV[1] scheduleId
  ARGV[2] conflictPrefix   the workflow's conflict keys are built from it (conflict-index.lua; workflowId read from KEYS[3]);
          not declared, but it shares the hash tag of KEYS[1..5], so it is in the same Cluster slot.

  Returns: {1} when anything was removed, {0} when the schedule was not indexed.
]]
--- @include "conflict-index"

local scheduleId = ARGV[1]
local removed = redis.call('ZREM', KEYS[1], scheduleId) + redis.call('HDEL', KEYS[2], scheduleId)
  + redis.call('ZREM', KEYS[4], scheduleId) + redis.call('HDEL', KEYS[5], scheduleId)
if setMembership(KEYS[3], ARGV[2], scheduleId, false) then removed = removed + 1 end

if removed > 0 then return {1} end
return {0}
