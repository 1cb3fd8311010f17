--[[
  Give a fire claim back (the claimer backs off, e.g. Postgres is down): the entry returns to `due` with
  its original score, unless the index moved on to another version or the schedule was removed meanwhile.

  KEYS[1] due           ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion    HASH  scheduleId -> version
  KEYS[3] dueClaims     ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[4] dueClaimInfo  HASH  scheduleId -> "<original score>|<version>|<workerId>"

  ARGV[1] scheduleId
  ARGV[2] workerId      only the claimer may release its claim

  Returns: {1, 1} restored to `due`, {1, 0} dropped (a newer version or a removal won),
           {-7} no claim of this worker (nothing changed)
]]
--- @include "due-claims"

local info = redis.call('HGET', KEYS[4], ARGV[1])
if not info then return {-7} end
local _, _, owner = parseClaim(info)
if owner ~= ARGV[2] then return {-7} end
return {1, restoreClaim(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], info)}
