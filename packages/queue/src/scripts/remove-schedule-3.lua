--[[
  Remove a schedule from the due-index and the per-minute conflict index (schedule deleted).

  KEYS[1] due              ZSET  scheduleId -> next fire time (ms)
  KEYS[2] dueVersion       HASH  scheduleId -> version
  KEYS[3] scheduleMinutes  HASH  scheduleId -> "workflowId|m1,m2,..."

  ARGV[1] scheduleId
  ARGV[2] workflowMinutesPrefix  the workflow's ZSET is ARGV[2] .. workflowId (workflowId read from KEYS[3]);
          not declared, but it shares the hash tag of KEYS[1..3], so it is in the same Cluster slot.

  Returns: {1} when anything was removed, {0} when the schedule was not indexed.
]]
local scheduleId = ARGV[1]
local removed = redis.call('ZREM', KEYS[1], scheduleId) + redis.call('HDEL', KEYS[2], scheduleId)

local old = redis.call('HGET', KEYS[3], scheduleId)
if old then
  local sep = string.find(old, '|', 1, true)
  local key = ARGV[2] .. string.sub(old, 1, sep - 1)
  local batch = {}
  for m in string.gmatch(string.sub(old, sep + 1), '%d+') do
    batch[#batch + 1] = string.format('%04d:%s', tonumber(m), scheduleId)
    if #batch == 500 then
      redis.call('ZREM', key, unpack(batch))
      batch = {}
    end
  end
  if #batch > 0 then redis.call('ZREM', key, unpack(batch)) end
  redis.call('HDEL', KEYS[3], scheduleId)
  removed = removed + 1
end

if removed > 0 then return {1} end
return {0}
