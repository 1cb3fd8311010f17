--[[
  Move delayed executions available at or before now into ready (bounded). dequeue does the same first;
  this is for a maintenance loop that keeps ready accurate while no worker dequeues.

  KEYS[1] delayed  ZSET  executionId -> available-at ms
  KEYS[2] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs

  ARGV[1] now              ms
  ARGV[2] max              move at most this many
  ARGV[3] executionPrefix  an execution's hash is ARGV[3] .. id (undeclared, same hash tag)

  Returns: the ids moved.
]]
--- @include "execution"

return promoteDue(KEYS[1], KEYS[2], ARGV[3], ARGV[1], tonumber(ARGV[2]))
