--[[
  Claim up to `count` executions for a worker, best first (priority, then scheduledFor), each leased until
  now + leaseMs. First, bounded: expired leases go back to ready with the same id, then delayed executions
  available at or before now are promoted, so both compete for this claim.

  KEYS[1] ready    ZSET  executionId -> (9 - priority) * 2^42 + scheduledForMs
  KEYS[2] delayed  ZSET  executionId -> available-at ms
  KEYS[3] running  ZSET  executionId -> lease expiry ms

  ARGV[1] workerId
  ARGV[2] count            claim at most this many (0 = only reclaim and promote)
  ARGV[3] leaseMs
  ARGV[4] now              ms
  ARGV[5] maxReclaim       move at most this many expired leases first
  ARGV[6] maxPromote       move at most this many due delayed executions first
  ARGV[7] executionPrefix  an execution's hash is ARGV[7] .. id (undeclared, same hash tag)

  Returns: {reclaimed, promoted, n, nextAt, then per claimed execution: id, leaseExpiresAtMs, <12 payload
           fields>}; payload fields in the order of PAYLOAD_FIELDS (includes/execution.lua). nextAt: when the
           ready set is left empty, the earliest available-at of the delayed set ("" when none, or when ready
           work remains), so an idle claimer can sleep until exactly then instead of polling.
]]
--- @include "execution"

local workerId = ARGV[1]
local count = tonumber(ARGV[2])
local prefix = ARGV[7]
local leaseUntil = string.format('%.0f', tonumber(ARGV[4]) + tonumber(ARGV[3]))

local reclaimed = reclaimExpired(KEYS[3], KEYS[1], prefix, ARGV[4], tonumber(ARGV[5]))
local promoted = promoteDue(KEYS[2], KEYS[1], prefix, ARGV[4], tonumber(ARGV[6]))

local reply = {#reclaimed, #promoted, 0, ''}
local function nextAt()
  if redis.call('ZCARD', KEYS[1]) > 0 then return '' end
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if #first == 0 then return '' end
  return first[2]
end
if count <= 0 then
  reply[4] = nextAt()
  return reply
end
local popped = redis.call('ZPOPMIN', KEYS[1], count)
local n = 0
for i = 1, #popped, 2 do
  local id = popped[i]
  local key = prefix .. id
  -- A ready id without a hash has nothing to run (only a hand edit leaves one): popping drops it.
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', KEYS[3], leaseUntil, id)
    redis.call('HINCRBY', key, 'claim', 1)
    redis.call('HSET', key, 'owner', workerId)
    reply[#reply + 1] = id
    reply[#reply + 1] = leaseUntil
    append(reply, payloadOf(key))
    n = n + 1
  end
end
reply[3] = n
if n < count then reply[4] = nextAt() end
return reply
