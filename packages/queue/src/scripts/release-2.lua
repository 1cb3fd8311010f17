--[[
  Hand running executions back at once (graceful shutdown): running -> ready with the same id and lease
  dropped, instead of leaving them to expire. Not counted as a reclaim.

  KEYS[1] running  ZSET  executionId -> lease expiry ms
  KEYS[2] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs

  ARGV[1] workerId
  ARGV[2] executionPrefix  an execution's hash is ARGV[2] .. id (undeclared, same hash tag)
  ARGV[3..] pairs: executionId, claim ("" = any claim of this worker)

  Returns: {code1, code2, ...} per id: 1 released, -3 lease lost, -2 not queued at all.
]]
--- @include "execution"

local reply = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local code = leaseCheck(KEYS[1], ARGV[2], id, ARGV[1], ARGV[i + 1])
  if code == 1 then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', ARGV[2] .. id, 'owner')
    toReady(KEYS[2], ARGV[2], id)
  end
  reply[#reply + 1] = code
end
return reply
