--[[
  Remove an execution from the queue whatever its state, payload included (the reconciler, for executions
  Postgres says are finished; a running one's lease holder then finds its lease lost).

  KEYS[1] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs
  KEYS[2] delayed  ZSET  executionId -> available-at ms
  KEYS[3] running  ZSET  executionId -> lease expiry ms

  ARGV[1] executionId
  ARGV[2] executionPrefix  an execution's hash is ARGV[2] .. id (undeclared, same hash tag)

  Returns: {1, "ready" | "delayed" | "running"} removed, {-2} not queued.
]]
local id = ARGV[1]
local state = false
if redis.call('ZREM', KEYS[1], id) == 1 then
  state = 'ready'
elseif redis.call('ZREM', KEYS[2], id) == 1 then
  state = 'delayed'
elseif redis.call('ZREM', KEYS[3], id) == 1 then
  state = 'running'
end
redis.call('DEL', ARGV[2] .. id)
if state then return {1, state} end
return {-2}
