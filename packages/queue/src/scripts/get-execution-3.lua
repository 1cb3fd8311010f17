--[[
  One queued execution: where it is, its score there and its payload (one consistent read).

  KEYS[1] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs
  KEYS[2] delayed  ZSET  executionId -> available-at ms
  KEYS[3] running  ZSET  executionId -> lease expiry ms

  ARGV[1] executionId
  ARGV[2] executionPrefix  an execution's hash is ARGV[2] .. id (undeclared, same hash tag)

  Returns: {1, state, score, <12 payload fields>}, or {-2} when not queued.
]]
--- @include "execution"

local id = ARGV[1]
local state, score = false, false
for i, name in ipairs({'ready', 'delayed', 'running'}) do
  score = redis.call('ZSCORE', KEYS[i], id)
  if score then
    state = name
    break
  end
end
if not state then return {-2} end
local reply = {1, state, score}
append(reply, payloadOf(ARGV[2] .. id))
return reply
