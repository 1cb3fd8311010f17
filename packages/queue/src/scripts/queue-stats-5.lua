--[[
  Queue depths, read in one consistent snapshot.

  KEYS[1] ready      ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs
  KEYS[2] delayed    ZSET  executionId -> available-at ms
  KEYS[3] running    ZSET  executionId -> lease expiry ms
  KEYS[4] due        ZSET  scheduleId -> next fire time (ms)
  KEYS[5] dueClaims  ZSET  scheduleId -> claim-lease expiry (ms)

  ARGV[1] now        ms, or "" to skip the time-dependent counts

  Returns: {ready, delayed, running, due, claims, delayedDue, expiredLeases, overdueSchedules, expiredClaims}
           (the last four are -1 when ARGV[1] is ""): delayedDue = delayed executions available by now,
           expiredLeases = running ones whose lease expired, overdueSchedules = due entries whose fire time
           has passed and that nobody claimed, expiredClaims = fire claims whose lease expired.
]]
local reply = {
  redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]),
  redis.call('ZCARD', KEYS[4]), redis.call('ZCARD', KEYS[5]), -1, -1, -1, -1,
}
if ARGV[1] ~= '' then
  reply[6] = redis.call('ZCOUNT', KEYS[2], '-inf', ARGV[1])
  reply[7] = redis.call('ZCOUNT', KEYS[3], '-inf', ARGV[1])
  reply[8] = redis.call('ZCOUNT', KEYS[4], '-inf', ARGV[1])
  reply[9] = redis.call('ZCOUNT', KEYS[5], '-inf', ARGV[1])
end
return reply
