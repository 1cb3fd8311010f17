--[[
  Read a schedule's due entry and version together (one consistent snapshot).

  KEYS[1] due         ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion  HASH  scheduleId -> version

  ARGV[1] scheduleId

  Returns: {1, score or false, version or false}
]]
return {1, redis.call('ZSCORE', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[1])}
