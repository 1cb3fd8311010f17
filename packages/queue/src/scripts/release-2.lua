--[[
  Hand running executions back at once (graceful shutdown): running -> ready with the same id, lease and
  slots dropped, instead of leaving them to expire. Not counted as a reclaim.

  KEYS[1] running  ZSET  executionId -> lease expiry ms
  KEYS[2] turns    ZSET  tenant -> turn number

  ARGV[1] workerId
  ARGV[2] base             the deployment's key prefix `{prefix}:`
  ARGV[3] readyChannel     published to ("1") when something went back to ready ("" = never)
  ARGV[4..] pairs: executionId, claim ("" = any claim of this worker)

  Returns: {code1, code2, ...} per id: 1 released, -3 lease lost, -2 not queued at all.
]]
--- @include "execution"

local base = ARGV[2]
local reply = {}
local readied = false
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local code = leaseCheck(KEYS[1], base, id, ARGV[1], ARGV[i + 1])
  if code == 1 then
    redis.call('ZREM', KEYS[1], id)
    freeSlot(base, id)
    redis.call('HDEL', execKey(base, id), 'owner')
    if toReady(base, id) then readied = true end
  end
  reply[#reply + 1] = code
end
if readied and ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], '1') end
return reply
