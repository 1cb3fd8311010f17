-- Fire claims on the due-index: ZSET dueClaims (scheduleId -> claim-lease expiry ms) and HASH dueClaimInfo
-- (scheduleId -> "<original due score>|<version>|<workerId>"). A claimed entry is out of `due`; the info is
-- what puts it back when the claimer lets go or disappears.

local function parseClaim(info)
  local score, version, owner = string.match(info, '^([^|]*)|([^|]*)|(.*)$')
  return score, tonumber(version), owner
end

local function dropClaim(claimsKey, infoKey, scheduleId)
  redis.call('ZREM', claimsKey, scheduleId)
  redis.call('HDEL', infoKey, scheduleId)
end

-- Ends a claim. Its entry goes back to `due` with the original score only if the index still holds the
-- version the claim was taken at: a newer version (the API wrote it; it is already in `due`, or it has no
-- next fire) wins, and a removed schedule (no version) stays removed. An entry `due` already holds is kept.
-- Returns 1 when restored, 0 when dropped.
local function restoreClaim(dueKey, versionKey, claimsKey, infoKey, scheduleId, info)
  dropClaim(claimsKey, infoKey, scheduleId)
  if not info then return 0 end
  local score, version = parseClaim(info)
  local current = redis.call('HGET', versionKey, scheduleId)
  if current and tonumber(current) == version then
    redis.call('ZADD', dueKey, 'NX', score, scheduleId)
    return 1
  end
  return 0
end

-- Ends at most `max` claims whose lease expired (expiry <= now). Returns {restored, dropped}.
local function reclaimExpiredClaims(dueKey, versionKey, claimsKey, infoKey, now, max)
  local restored, dropped = 0, 0
  if max <= 0 then return restored, dropped end
  local ids = redis.call('ZRANGEBYSCORE', claimsKey, '-inf', now, 'LIMIT', 0, max)
  for _, id in ipairs(ids) do
    local info = redis.call('HGET', infoKey, id)
    if restoreClaim(dueKey, versionKey, claimsKey, infoKey, id, info) == 1 then
      restored = restored + 1
    else
      dropped = dropped + 1
    end
  end
  return restored, dropped
end
