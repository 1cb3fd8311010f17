--[[
  Forget the consumers of the system event group that hold no pending entry and have not read for a long
  time (workers that died or stopped; their pending entries were claimed by others already). Atomic, so a
  consumer is never deleted with an entry it was just given.

  KEYS[1] events  STREAM of system events

  ARGV[1] consumer group
  ARGV[2] idle ms: consumers idle at least this long are candidates

  Returns: the number of consumers deleted (0 when the stream or group does not exist).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return 0 end
local idleMs = tonumber(ARGV[2])
local deleted = 0
for _, c in ipairs(consumers) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if tonumber(info['pending']) == 0 and tonumber(info['idle']) >= idleMs then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    deleted = deleted + 1
  end
end
return deleted
