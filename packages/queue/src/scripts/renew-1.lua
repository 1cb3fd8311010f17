--[[
  Renew running leases: each lease still held by this worker (and, when given, under that claim number) is
  extended to now + leaseMs; the others are reported lost (the execution was reclaimed, possibly claimed by
  another worker, cancelled or removed) and the caller must stop treating them as its own.

  KEYS[1] running  ZSET  executionId -> lease expiry ms

  ARGV[1] workerId
  ARGV[2] leaseMs
  ARGV[3] now              ms
  ARGV[4] base             the deployment's key prefix `{prefix}:`
  ARGV[5..] pairs: executionId, claim ("" = any claim of this worker)

  Returns: {code1, code2, ...} per id: 1 renewed, -3 lease lost, -2 not queued at all; then the new expiry
           as the last element.
]]
--- @include "execution"

local leaseUntil = string.format('%.0f', tonumber(ARGV[3]) + tonumber(ARGV[2]))
local reply = {}
for i = 5, #ARGV, 2 do
  local code = leaseCheck(KEYS[1], ARGV[4], ARGV[i], ARGV[1], ARGV[i + 1])
  if code == 1 then redis.call('ZADD', KEYS[1], 'XX', leaseUntil, ARGV[i]) end
  reply[#reply + 1] = code
end
reply[#reply + 1] = leaseUntil
return reply
