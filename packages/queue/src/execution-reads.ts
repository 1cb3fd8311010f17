import { ScriptCodes, toQueueError } from './errors.ts'
import { parsePayload } from './execution-payload.ts'
import type {
  ExecutionSnapshot,
  QueueContext,
  QueueState,
  QueueStats,
  QueueStatsAt,
  TenantQueueDepths,
} from './execution-queue-api.ts'
import type { QueueKeys } from './keys.ts'
import type { Redis } from './redis.ts'
import { checkId, checkInt, unexpected } from './validate.ts'

/** Reads of the queue: one execution wherever it is, the deployment's counts, a tenant's own counts. */

export async function getExecution(q: QueueContext, id: string): Promise<ExecutionSnapshot | null> {
  checkId('id', id)
  const reply = await q.scripts().getExecution(q.stateKeys, [id, q.base])
  if (!Array.isArray(reply)) unexpected('get-execution', reply)
  if (reply[0] === ScriptCodes.NOT_FOUND) return null
  if (reply[0] !== ScriptCodes.OK) unexpected('get-execution', reply)
  return { ...parsePayload(id, reply.slice(3)), state: reply[1] as QueueState, score: Number(reply[2]) }
}

export async function queueStats(q: QueueContext, now?: number): Promise<QueueStats | QueueStatsAt> {
  if (now !== undefined) checkInt('now', now, 0)
  const reply = await q
    .scripts()
    .queueStats(
      [q.keys.delayed, q.keys.running, q.keys.due, q.keys.dueClaims, q.keys.counts, q.keys.legacyReady],
      [now ?? ''],
    )
  if (!Array.isArray(reply) || reply.length !== 9) unexpected('queue-stats', reply)
  const [
    ready,
    delayed,
    running,
    dueSchedules,
    claimedSchedules,
    delayedDue,
    expiredLeases,
    overdue,
    expired,
  ] = reply as number[]
  const base: QueueStats = {
    ready: ready!,
    delayed: delayed!,
    running: running!,
    dueSchedules: dueSchedules!,
    claimedSchedules: claimedSchedules!,
  }
  if (now === undefined) return base
  return {
    ...base,
    delayedDue: delayedDue!,
    expiredLeases: expiredLeases!,
    overdueSchedules: overdue!,
    expiredClaims: expired!,
  }
}

export async function queueSize(q: QueueContext): Promise<number> {
  const s = await queueStats(q)
  return s.ready + s.delayed + s.running
}

/** A tenant's own depths: one HMGET of its counters (kept by every script that moves its executions). */
export async function tenantDepths(
  redis: Redis,
  keys: QueueKeys,
  tenant: string,
): Promise<TenantQueueDepths> {
  checkId('tenant', tenant)
  let f: (string | null)[]
  try {
    f = await redis.hmget(keys.tenantCounts(tenant), 'ready', 'delayed', 'running')
  } catch (err) {
    throw toQueueError(err)
  }
  return { ready: Number(f[0] ?? 0), delayed: Number(f[1] ?? 0), running: Number(f[2] ?? 0) }
}

/** Per workflow: its cap (null: none) and the slots its running leases hold (wf-cap, wf-running). */
export interface WorkflowSlots {
  cap: number | null
  running: number
}

/** The caps and held slots of these workflows: two HMGETs in one round trip. */
export async function workflowSlots(
  redis: Redis,
  keys: QueueKeys,
  workflowIds: readonly string[],
): Promise<Map<string, WorkflowSlots>> {
  const out = new Map<string, WorkflowSlots>()
  if (workflowIds.length === 0) return out
  let caps: (string | null)[]
  let running: (string | null)[]
  try {
    ;[caps, running] = await Promise.all([
      redis.hmget(keys.workflowCaps, ...workflowIds),
      redis.hmget(keys.workflowRunning, ...workflowIds),
    ])
  } catch (err) {
    throw toQueueError(err)
  }
  workflowIds.forEach((id, i) => {
    const cap = caps[i]
    out.set(id, { cap: cap == null ? null : Number(cap), running: Number(running[i] ?? 0) })
  })
  return out
}
