--[[
  Acknowledge executions as done (a batch): each one whose running lease this worker still holds leaves
  the queue entirely. A lease no longer held is refused and changes nothing: the execution was reclaimed
  (it runs again elsewhere) or removed, so the caller must not report it a second time.

  KEYS[1] running  ZSET  executionId -> lease expiry ms

  ARGV[1] workerId
  ARGV[2] executionPrefix  an execution's hash is ARGV[2] .. id (undeclared, same hash tag)
  ARGV[3..] pairs: executionId, claim ("" = any claim of this worker)

  Returns: {code1, code2, ...} per id: 1 acked, -3 lease lost, -2 not queued at all.
]]
--- @include "execution"

local reply = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local code = leaseCheck(KEYS[1], ARGV[2], id, ARGV[1], ARGV[i + 1])
  if code == 1 then
    redis.call('ZREM', KEYS[1], id)
    redis.call('DEL', ARGV[2] .. id)
  end
  reply[#reply + 1] = code
end
return reply
