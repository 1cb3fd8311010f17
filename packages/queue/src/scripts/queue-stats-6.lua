--[[
  Queue depths of the whole deployment, read in one consistent snapshot (a tenant's own: tenant:<tenant>).

  KEYS[1] delayed      ZSET  executionId -> available-at ms
  KEYS[2] running      ZSET  executionId -> lease expiry ms
  KEYS[3] due          ZSET  scheduleId -> next fire time (ms)
  KEYS[4] dueClaims    ZSET  scheduleId -> claim-lease expiry (ms)
  KEYS[5] counts       HASH  ready -> executions ready, all tenants
  KEYS[6] legacyReady  ZSET  the ready set of earlier versions (only drained)

  ARGV[1] now        ms, or "" to skip the time-dependent counts

  Returns: {ready, delayed, running, due, claims, delayedDue, expiredLeases, overdueSchedules, expiredClaims}
           (the last four are -1 when ARGV[1] is ""): delayedDue = delayed executions available by now,
           expiredLeases = running ones whose lease expired, overdueSchedules = due entries whose fire time
           has passed and that nobody claimed, expiredClaims = fire claims whose lease expired.
]]
local ready = (tonumber(redis.call('HGET', KEYS[5], 'ready')) or 0) + redis.call('ZCARD', KEYS[6])
local reply = {
  ready, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]),
  redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]), -1, -1, -1, -1,
}
if ARGV[1] ~= '' then
  reply[6] = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])
  reply[7] = redis.call('ZCOUNT', KEYS[2], '-inf', ARGV[1])
  reply[8] = redis.call('ZCOUNT', KEYS[3], '-inf', ARGV[1])
  reply[9] = redis.call('ZCOUNT', KEYS[4], '-inf', ARGV[1])
end
return reply
