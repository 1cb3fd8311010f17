--[[
  Acknowledge executions as done (a batch): each one whose running lease this worker still holds leaves
  the queue entirely, and its slots come back. A lease no longer held is refused and changes nothing: the
  execution was reclaimed (it runs again elsewhere) or removed, so the caller must not report it a second time.

  KEYS[1] running  ZSET  executionId -> lease expiry ms
  KEYS[2] turns    ZSET  tenant -> turn number (a freed slot may put its tenant back)

  ARGV[1] workerId
  ARGV[2] base             the deployment's key prefix `{prefix}:`
  ARGV[3] readyChannel     published to ("1") when a freed slot made held-back work claimable ("" = never)
  ARGV[4..] pairs: executionId, claim ("" = any claim of this worker)

  Returns: {code1, code2, ...} per id: 1 acked, -3 lease lost, -2 not queued at all.
]]
--- @include "execution"

local base = ARGV[2]
local reply = {}
local woke = false
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local code = leaseCheck(KEYS[1], base, id, ARGV[1], ARGV[i + 1])
  if code == 1 then
    redis.call('ZREM', KEYS[1], id)
    if freeSlot(base, id) then woke = true end
    redis.call('DEL', execKey(base, id))
  end
  reply[#reply + 1] = code
end
if woke and ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], '1') end
return reply
