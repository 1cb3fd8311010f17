--[[
  Move delayed executions available at or before now into ready (bounded). dequeue does the same first;
  this is for a maintenance loop that keeps ready accurate while no worker dequeues.

  KEYS[1] delayed  ZSET  executionId -> available-at ms
  KEYS[2] turns    ZSET  tenant -> turn number (includes/execution.lua has the whole layout)

  ARGV[1] now              ms
  ARGV[2] max              move at most this many
  ARGV[3] base             the deployment's key prefix `{prefix}:`

  Returns: the ids moved.
]]
--- @include "execution"

return promoteDue(KEYS[1], ARGV[3], ARGV[1], tonumber(ARGV[2]))
