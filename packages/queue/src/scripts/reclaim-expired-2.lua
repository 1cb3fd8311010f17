--[[
  Put executions whose lease expired (expiry <= now: the worker died or stalled) back into ready with the
  same id (bounded): their slots come back and each one's reclaim count grows. dequeue does the same first.

  KEYS[1] running  ZSET  executionId -> lease expiry ms
  KEYS[2] turns    ZSET  tenant -> turn number (includes/execution.lua has the whole layout)

  ARGV[1] now              ms
  ARGV[2] max              move at most this many
  ARGV[3] base             the deployment's key prefix `{prefix}:`

  Returns: the ids moved.
]]
--- @include "execution"

return reclaimExpired(KEYS[1], ARGV[3], ARGV[1], tonumber(ARGV[2]))
