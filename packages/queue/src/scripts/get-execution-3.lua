--[[
  One queued execution: where it is, its score there and its payload (one consistent read).

  KEYS[1] delayed      ZSET  executionId -> available-at ms
  KEYS[2] running      ZSET  executionId -> lease expiry ms
  KEYS[3] legacyReady  ZSET  the ready set of earlier versions (only drained)

  ARGV[1] executionId
  ARGV[2] base             the deployment's key prefix `{prefix}:`

  Returns: {1, state, score, <12 payload fields>}, or {-2} when not queued.
]]
--- @include "execution"

local id = ARGV[1]
local state, score = whereIs({delayed = KEYS[1], running = KEYS[2], legacyReady = KEYS[3]}, ARGV[2], id)
if not state then return {-2} end
local reply = {1, state, score}
append(reply, payloadOf(execKey(ARGV[2], id)))
return reply
