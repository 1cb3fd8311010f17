--[[
  End fire claims whose lease expired (their claimer died or stalled): each entry returns to `due` with its
  original score, unless the API wrote a newer version meanwhile (the newer entry wins) or removed the
  schedule (the claim is dropped).

  KEYS[1] due           ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion    HASH  scheduleId -> version
  KEYS[3] dueClaims     ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[4] dueClaimInfo  HASH  scheduleId -> "<original score>|<version>|<workerId>"

  ARGV[1] now           ms; a claim expiring at or before now has expired
  ARGV[2] max           end at most this many claims

  Returns: {restored, dropped}
]]
--- @include "due-claims"

local restored, dropped = reclaimExpiredClaims(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]))
return {restored, dropped}
