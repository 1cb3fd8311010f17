--[[
  Write a workflow's concurrency cap (its maxConcurrency) from the workflow row, guarded by the row's
  version: a write carrying a version lower than the one Redis holds is ignored (a stale writer), so the API
  can write it inside the workflow's transaction and the reconciler repair it. Raising or removing the cap
  puts the workflow's ready work back in its tenant's line at once; lowering it takes effect at the next
  claim (running executions keep their slots).

  KEYS[1] wfCap         HASH  workflowId -> maxConcurrency
  KEYS[2] wfCapVersion  HASH  workflowId -> version of the row the cap was written from
  KEYS[3] turns         ZSET  tenant -> turn number (includes/execution.lua has the whole layout)

  ARGV[1] workflowId
  ARGV[2] tenant
  ARGV[3] version          the row's version
  ARGV[4] maxConcurrency   an integer >= 1, or "" for no cap
  ARGV[5] base             the deployment's key prefix `{prefix}:`
  ARGV[6] readyChannel     published to ("1") when held-back work became claimable ("" = never)
  ARGV[7] force            "1": write whatever version Redis holds (the reconciler, after a check of Postgres)

  Returns: {1, version} written, {0, heldVersion} ignored (Redis holds a higher version).
]]
--- @include "execution"

local workflowId, tenant, base = ARGV[1], ARGV[2], ARGV[5]
local held = tonumber(redis.call('HGET', KEYS[2], workflowId))
if held and held > tonumber(ARGV[3]) and ARGV[7] ~= '1' then return {0, held} end
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], workflowId)
else
  redis.call('HSET', KEYS[1], workflowId, ARGV[4])
end
redis.call('HSET', KEYS[2], workflowId, ARGV[3])
if syncHead(base, tenant, workflowId) and ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], '1') end
return {1, tonumber(ARGV[3])}
