--[[
  Claim due schedules for firing: entries of `due` with a score at or before now + lookahead move to the
  claim set, leased to this worker until now + leaseMs. Expired claims are ended first (bounded), so a
  crashed claimer's schedules are claimed again here.

  KEYS[1] due           ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion    HASH  scheduleId -> version
  KEYS[3] dueClaims     ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[4] dueClaimInfo  HASH  scheduleId -> "<original score>|<version>|<workerId>"

  ARGV[1] workerId
  ARGV[2] now           ms
  ARGV[3] lookaheadMs   claim entries due up to now + lookaheadMs
  ARGV[4] max           claim at most this many entries
  ARGV[5] leaseMs       claim lease
  ARGV[6] maxReclaim    end at most this many expired claims first

  An entry without a version breaks the due-index contract (a fire needs the version to check the row at);
  it is dropped from `due` and counted, and the reconciler writes it again from Postgres.

  Returns: {restored, dropped, invalid, n, id1, fireAt1, version1, ..., idN, fireAtN, versionN}
           ordered by fire time, then id (bytes); restored/dropped: expired claims ended first.
]]
--- @include "due-claims"

local workerId = ARGV[1]
local now = tonumber(ARGV[2])
local horizon = now + tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local leaseUntil = now + tonumber(ARGV[5])

local restored, dropped = reclaimExpiredClaims(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[2], tonumber(ARGV[6]))

local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', horizon), 'WITHSCORES', 'LIMIT', 0, max)
local reply = {restored, dropped, 0, 0}
local invalid = 0
local claimed = 0
local lease = string.format('%.0f', leaseUntil)
for i = 1, #found, 2 do
  local id, score = found[i], found[i + 1]
  redis.call('ZREM', KEYS[1], id)
  local version = redis.call('HGET', KEYS[2], id)
  if version then
    redis.call('ZADD', KEYS[3], lease, id)
    redis.call('HSET', KEYS[4], id, score .. '|' .. version .. '|' .. workerId)
    reply[#reply + 1] = id
    reply[#reply + 1] = score
    reply[#reply + 1] = version
    claimed = claimed + 1
  else
    invalid = invalid + 1
  end
end
reply[3] = invalid
reply[4] = claimed
return reply
