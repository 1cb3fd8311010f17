--[[
  Put executions whose lease expired (expiry <= now: the worker died or stalled) back into ready with the
  same id (bounded); each one's reclaim count grows. dequeue does the same first.

  KEYS[1] running  ZSET  executionId -> lease expiry ms
  KEYS[2] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs

  ARGV[1] now              ms
  ARGV[2] max              move at most this many
  ARGV[3] executionPrefix  an execution's hash is ARGV[3] .. id (undeclared, same hash tag)

  Returns: the ids moved.
]]
--- @include "execution"

return reclaimExpired(KEYS[1], KEYS[2], ARGV[3], ARGV[1], tonumber(ARGV[2]))
