import { ScriptCodes } from './errors.ts'
import {
  type CancelResult,
  DEFAULT_MAX_MOVES,
  MAX_PRIORITY,
  type QueueContext,
  type QueueState,
} from './execution-queue-api.ts'
import { checkId, checkInt, unexpected } from './validate.ts'

/**
 * Changes to queued executions outside the runner's leases: the API's cancel and priority change, the
 * reconciler's removal, and the moves a dequeue also makes on its own (due delayed → ready, expired lease →
 * ready).
 */

export async function cancelExecution(q: QueueContext, id: string): Promise<CancelResult> {
  checkId('id', id)
  const reply = await q.scripts().cancelExecution(q.stateKeys, [id, q.base])
  if (!Array.isArray(reply)) unexpected('cancel-execution', reply)
  switch (reply[0]) {
    case ScriptCodes.OK:
      return { outcome: 'cancelled', state: reply[1] as 'ready' | 'delayed' }
    case ScriptCodes.RUNNING:
      return { outcome: 'running', owner: String(reply[1]) }
    case ScriptCodes.NOT_FOUND:
      return { outcome: 'not-found' }
    default:
      unexpected('cancel-execution', reply)
  }
}

export async function removeExecution(
  q: QueueContext,
  id: string,
): Promise<{ removed: boolean; state: QueueState | null }> {
  checkId('id', id)
  const reply = await q.scripts().removeExecution(q.stateKeys, [id, q.base, q.keys.readyChannel])
  if (!Array.isArray(reply)) unexpected('remove-execution', reply)
  if (reply[0] === ScriptCodes.OK) return { removed: true, state: reply[1] as QueueState }
  if (reply[0] === ScriptCodes.NOT_FOUND) return { removed: false, state: null }
  unexpected('remove-execution', reply)
}

export async function setPriority(
  q: QueueContext,
  id: string,
  priority: number,
): Promise<{ state: QueueState } | null> {
  checkId('id', id)
  checkInt('priority', priority, 0, MAX_PRIORITY)
  const reply = await q.scripts().setPriority(q.stateKeys, [id, priority, q.base])
  if (!Array.isArray(reply)) unexpected('set-priority', reply)
  if (reply[0] === ScriptCodes.OK) return { state: reply[1] as QueueState }
  if (reply[0] === ScriptCodes.NOT_FOUND) return null
  unexpected('set-priority', reply)
}

export async function promoteDue(q: QueueContext, now: number, max = DEFAULT_MAX_MOVES): Promise<string[]> {
  checkInt('now', now, 0)
  checkInt('max', max, 0, 10_000)
  const reply = await q.scripts().promoteDue([q.keys.delayed, q.keys.turns], [now, max, q.base])
  if (!Array.isArray(reply)) unexpected('promote-due', reply)
  return reply as string[]
}

export async function reclaimExpired(
  q: QueueContext,
  now: number,
  max = DEFAULT_MAX_MOVES,
): Promise<string[]> {
  checkInt('now', now, 0)
  checkInt('max', max, 0, 10_000)
  const reply = await q.scripts().reclaimExpired([q.keys.running, q.keys.turns], [now, max, q.base])
  if (!Array.isArray(reply)) unexpected('reclaim-expired', reply)
  return reply as string[]
}
