--[[
  Cancel a queued execution: out of ready or delayed, payload deleted. A running one is left alone and
  reported with its lease owner: the caller aborts it (the owner then acks it).

  KEYS[1] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs
  KEYS[2] delayed  ZSET  executionId -> available-at ms
  KEYS[3] running  ZSET  executionId -> lease expiry ms

  ARGV[1] executionId
  ARGV[2] executionPrefix  an execution's hash is ARGV[2] .. id (undeclared, same hash tag)

  Returns: {1, "ready" | "delayed"} cancelled, {-5, ownerWorkerId} running, {-2} not queued.
]]
local id = ARGV[1]
local key = ARGV[2] .. id
if redis.call('ZSCORE', KEYS[3], id) then
  return {-5, redis.call('HGET', key, 'owner') or ''}
end
local state = false
if redis.call('ZREM', KEYS[1], id) == 1 then
  state = 'ready'
elseif redis.call('ZREM', KEYS[2], id) == 1 then
  state = 'delayed'
end
redis.call('DEL', key)
if state then return {1, state} end
return {-2}
