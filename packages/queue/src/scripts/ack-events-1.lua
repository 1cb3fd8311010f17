--[[
  Acknowledge system events as handled (a batch) and delete them from the stream: what they started is
  committed in Postgres, so no consumer needs them again. The stream therefore only holds events not yet
  handled (no trimming by length, which could drop unread ones).

  KEYS[1] events  STREAM of system events

  ARGV[1] consumer group
  ARGV[2..] stream entry ids

  Returns: the number of entries deleted.
]]
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
return redis.call('XDEL', KEYS[1], unpack(ids))
