import { ScriptCodes } from './errors.ts'
import { PAYLOAD_FIELDS, parsePayload } from './execution-payload.ts'
import {
  type ExecutionSnapshot,
  MAX_BATCH,
  type QueueContext,
  type QueuedExecution,
  type QueueState,
  type QueueStats,
  type QueueStatsAt,
} from './execution-queue-api.ts'
import { checkId, checkInt, unexpected } from './validate.ts'

/** Reads of the queue: the next ready executions, one execution wherever it is, counts. */

export async function peek(q: QueueContext, count: number): Promise<QueuedExecution[]> {
  checkInt('count', count, 0, MAX_BATCH)
  if (count === 0) return []
  const reply = await q.scripts().peek([q.keys.ready], [count, q.prefix])
  if (!Array.isArray(reply)) unexpected('peek', reply)
  const n = reply[0] as number
  const width = 1 + PAYLOAD_FIELDS
  const items: QueuedExecution[] = []
  for (let k = 0; k < n; k++) {
    const at = 1 + k * width
    items.push(parsePayload(reply[at] as string, reply.slice(at + 1, at + width)))
  }
  return items
}

export async function getExecution(q: QueueContext, id: string): Promise<ExecutionSnapshot | null> {
  checkId('id', id)
  const reply = await q.scripts().getExecution(q.queueKeys, [id, q.prefix])
  if (!Array.isArray(reply)) unexpected('get-execution', reply)
  if (reply[0] === ScriptCodes.NOT_FOUND) return null
  if (reply[0] !== ScriptCodes.OK) unexpected('get-execution', reply)
  return { ...parsePayload(id, reply.slice(3)), state: reply[1] as QueueState, score: Number(reply[2]) }
}

export async function queueStats(q: QueueContext, now?: number): Promise<QueueStats | QueueStatsAt> {
  if (now !== undefined) checkInt('now', now, 0)
  const reply = await q
    .scripts()
    .queueStats([q.keys.ready, q.keys.delayed, q.keys.running, q.keys.due, q.keys.dueClaims], [now ?? ''])
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
