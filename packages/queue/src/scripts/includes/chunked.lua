-- ZADD/ZREM/HDEL in bounded chunks: unpack() of thousands of values would overflow the Lua stack.
local CHUNK = 500

-- Calls `command key m1 m2 ...` for the members list, CHUNK members at a time.
local function chunkedCall(command, key, members)
  for i = 1, #members, CHUNK do
    redis.call(command, key, unpack(members, i, math.min(i + CHUNK - 1, #members)))
  end
end

-- ZADD of a flat {score1, member1, score2, member2, ...} list. Returns how many members were new.
local function zaddPairs(key, scoredMembers)
  local added = 0
  for i = 1, #scoredMembers, 2 * CHUNK do
    local last = math.min(i + 2 * CHUNK - 1, #scoredMembers)
    added = added + redis.call('ZADD', key, unpack(scoredMembers, i, last))
  end
  return added
end
