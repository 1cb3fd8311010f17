import { ScriptCodes } from './errors.ts'
import {
  cancelExecution,
  promoteDue,
  reclaimExpired,
  removeExecution,
  setPriority,
} from './execution-changes.ts'
import { ackMany, ackOne, dequeue, releaseLeases, renewLeases, retryLater } from './execution-leases.ts'
import { enqueueArgs } from './execution-payload.ts'
import type {
  EnqueueItem,
  EnqueueResult,
  ExecutionQueue,
  QueueContext,
  QueueState,
} from './execution-queue-api.ts'
import { getExecution, queueSize, queueStats, tenantDepths, workflowSlots } from './execution-reads.ts'
import type { QueueKeys } from './keys.ts'
import type { Redis } from './redis.ts'
import { loadScripts } from './script-loader.ts'
import { checkInt, unexpected } from './validate.ts'
import { removeWorkflowCap, setWorkflowCap } from './workflow-caps.ts'

/**
 * The execution queue shared by every worker process (issue 3 item 2), served in fair turns between tenants
 * (issue 13). Redis holds, under the one hash tag (scripts/includes/execution.lua has the whole layout):
 * - `rq:<workflow>` ZSET id → (9 − priority) · 2^42 + scheduledForMs: a workflow's ready executions, priority 9
 *             first, then the earliest scheduledFor. Scores stay below 10 · 2^42 < 2^53, exact in a double.
 * - `heads:<tenant>` ZSET workflowId → its best score (workflows under their cap); `turns` ZSET tenant → turn:
 *             a dequeue serves the first tenant in turn its best execution and sends it to the back.
 * - `delayed` ZSET id → available-at ms (retry backoff, look-ahead and jittered fires not yet due).
 * - `running` ZSET id → lease expiry ms; the owner and claim number are in the execution's hash. A lease
 *             holds a slot of its tenant and of its workflow (`tenant:<tenant>`, `wf-running`) until it ends.
 * - `exec:<id>` HASH: what a worker needs to start without Postgres (priority, scheduledForMs, attempt,
 *             tenant, workflowId, kind, scheduleId, meta) plus enqueuedAtMs, claim, reclaims, owner.
 * The hash exists exactly while the id is ready, delayed or running; every transition is one Lua script.
 * Postgres stays the source of truth: this is an index of what to run next, rebuilt from it when lost.
 * Time is always an argument (`now`), never read from Redis or the clock here.
 */

const ENQUEUE_CHUNK = 500

/** Puts executions in `ready` (or `delayed` until availableAtMs); one that Redis holds already stays as it is. */
async function enqueue(q: QueueContext, items: readonly EnqueueItem[], now: number): Promise<EnqueueResult> {
  checkInt('now', now, 0)
  const args = items.map(enqueueArgs)
  const results: EnqueueResult['results'] = []
  for (let i = 0; i < args.length; i += ENQUEUE_CHUNK) {
    const chunk = args.slice(i, i + ENQUEUE_CHUNK)
    // The script wakes idle runners itself (PUBLISH on readyChannel): no second round trip per batch.
    const reply = await q
      .scripts()
      .enqueue(
        [q.keys.delayed, q.keys.running, q.keys.turns],
        [now, q.base, q.keys.readyChannel, ...chunk.flat()],
      )
    if (!Array.isArray(reply) || reply.length !== chunk.length * 2) unexpected('enqueue', reply)
    for (let j = 0; j < chunk.length; j++) {
      const code = reply[2 * j] as number
      const state = reply[2 * j + 1] as QueueState
      if (code !== ScriptCodes.OK && code !== ScriptCodes.ALREADY_QUEUED) unexpected('enqueue', reply)
      results.push({ id: items[i + j]!.id, enqueued: code === ScriptCodes.OK, state })
    }
  }
  const enqueued = results.filter((r) => r.enqueued).length
  return { results, enqueued, alreadyQueued: results.length - enqueued }
}

/**
 * Binds the queue operations to one client and keyspace. Safe to share across a process. The operations live
 * by concern: the runner's leases (execution-leases.ts), changes outside them (execution-changes.ts), reads
 * (execution-reads.ts); the contract is in execution-queue-api.ts.
 */
export function createExecutionQueue(redis: Redis, keys: QueueKeys): ExecutionQueue {
  const q: QueueContext = {
    scripts: () => loadScripts(redis),
    keys,
    base: keys.base,
    stateKeys: [keys.delayed, keys.running, keys.legacyReady],
  }
  return {
    enqueue: (items, now) => enqueue(q, items, now),
    dequeue: (input) => dequeue(q, input),
    renew: (input) => renewLeases(q, input),
    ack: (input) => ackOne(q, input),
    ackMany: (input) => ackMany(q, input),
    retryLater: (input) => retryLater(q, input),
    release: (input) => releaseLeases(q, input),
    cancel: (id) => cancelExecution(q, id),
    remove: (id) => removeExecution(q, id),
    setPriority: (id, priority) => setPriority(q, id, priority),
    get: (id) => getExecution(q, id),
    promoteDue: (now, max) => promoteDue(q, now, max),
    reclaimExpired: (now, max) => reclaimExpired(q, now, max),
    size: () => queueSize(q),
    stats: ((now?: number) => queueStats(q, now)) as ExecutionQueue['stats'],
    tenantDepths: (tenant) => tenantDepths(redis, keys, tenant),
    workflowSlots: (ids) => workflowSlots(redis, keys, ids),
    setWorkflowCap: (input) => setWorkflowCap(q, input),
    removeWorkflowCap: (workflowId) => removeWorkflowCap(redis, keys, workflowId),
  }
}
