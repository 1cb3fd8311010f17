--[[
  Adds n requests to a fixed-window rate-limit counter and reports the window's state.

  KEYS[1] the counter (under the rate-limit prefix of keys.ts)
  ARGV[1] n: requests to add (>= 0; 0 only reads)
  ARGV[2] windowMs: the window length, set when the counter is created

  Returns { current, ttlMs }.
]]
local n = tonumber(ARGV[1])
local current = redis.call('INCRBY', KEYS[1], n)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return { current, ttl }
