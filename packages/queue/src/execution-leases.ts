import { ScriptCodes } from './errors.ts'
import { claimArg, leaseRefs, leaseResult, PAYLOAD_FIELDS, parsePayload } from './execution-payload.ts'
import {
  type AckResult,
  type ClaimedExecution,
  DEFAULT_MAX_MOVES,
  type DequeueInput,
  type DequeueResult,
  type ExecutionQueue,
  type LeaseRef,
  MAX_BATCH,
  type QueueContext,
  type RenewResult,
} from './execution-queue-api.ts'
import { checkId, checkInt, unexpected } from './validate.ts'

/**
 * The runner's side of the queue: claim executions under a lease (dequeue), keep the leases (renew), and end
 * them: ack, retry later, or hand back at shutdown (release). Each is one script call per MAX_BATCH ids.
 */

export async function dequeue(q: QueueContext, input: DequeueInput): Promise<DequeueResult> {
  checkId('workerId', input.workerId)
  checkInt('count', input.count, 0, MAX_BATCH)
  checkInt('leaseMs', input.leaseMs, 1)
  checkInt('now', input.now, 0)
  const maxReclaim = input.maxReclaim ?? DEFAULT_MAX_MOVES
  const maxPromote = input.maxPromote ?? DEFAULT_MAX_MOVES
  checkInt('maxReclaim', maxReclaim, 0, 10_000)
  checkInt('maxPromote', maxPromote, 0, 10_000)
  const tenantMaxRunning = input.tenantMaxRunning ?? 0
  const maxSkips = input.maxSkips ?? DEFAULT_MAX_MOVES
  checkInt('tenantMaxRunning', tenantMaxRunning, 0)
  checkInt('maxSkips', maxSkips, 0, 10_000)
  const { keys } = q
  const reply = await q
    .scripts()
    .dequeue(
      [keys.delayed, keys.running, keys.turns, keys.legacyReady],
      [
        input.workerId,
        input.count,
        input.leaseMs,
        input.now,
        maxReclaim,
        maxPromote,
        q.base,
        tenantMaxRunning,
        maxSkips,
      ],
    )
  if (!Array.isArray(reply) || reply.length < 4) unexpected('dequeue', reply)
  const [reclaimed, promoted, n, nextAt] = reply as (number | string)[]
  const items: ClaimedExecution[] = []
  const width = 2 + PAYLOAD_FIELDS
  for (let k = 0; k < Number(n); k++) {
    const at = 4 + k * width
    const id = reply[at] as string
    const execution = parsePayload(id, reply.slice(at + 2, at + width))
    items.push({ ...execution, owner: input.workerId, leaseExpiresAtMs: Number(reply[at + 1]) })
  }
  return {
    items,
    reclaimed: Number(reclaimed),
    promoted: Number(promoted),
    nextAvailableAtMs: nextAt === '' || nextAt === undefined ? null : Number(nextAt),
  }
}

export async function renewLeases(
  q: QueueContext,
  input: Parameters<ExecutionQueue['renew']>[0],
): Promise<RenewResult> {
  checkId('workerId', input.workerId)
  checkInt('leaseMs', input.leaseMs, 1)
  checkInt('now', input.now, 0)
  const refs = leaseRefs(input.ids)
  const renewed: string[] = []
  const lost: string[] = []
  let leaseExpiresAtMs = input.now + input.leaseMs
  for (let i = 0; i < refs.length; i += MAX_BATCH) {
    const chunk = refs.slice(i, i + MAX_BATCH)
    const reply = await q
      .scripts()
      .renew([q.keys.running], [input.workerId, input.leaseMs, input.now, q.base, ...chunk.flat()])
    if (!Array.isArray(reply) || reply.length !== chunk.length + 1) unexpected('renew', reply)
    for (const [j, [id]] of chunk.entries()) (reply[j] === ScriptCodes.OK ? renewed : lost).push(id)
    leaseExpiresAtMs = Number(reply[chunk.length])
  }
  return { renewed, lost, leaseExpiresAtMs }
}

export async function ackMany(
  q: QueueContext,
  input: { workerId: string; ids: readonly LeaseRef[] },
): Promise<AckResult[]> {
  checkId('workerId', input.workerId)
  const refs = leaseRefs(input.ids)
  const results: AckResult[] = []
  for (let i = 0; i < refs.length; i += MAX_BATCH) {
    const chunk = refs.slice(i, i + MAX_BATCH)
    const reply = await q
      .scripts()
      .ack([q.keys.running, q.keys.turns], [input.workerId, q.base, q.keys.readyChannel, ...chunk.flat()])
    if (!Array.isArray(reply) || reply.length !== chunk.length) unexpected('ack', reply)
    for (const code of reply) results.push(leaseResult('ack', code))
  }
  return results
}

export async function ackOne(
  q: QueueContext,
  input: Parameters<ExecutionQueue['ack']>[0],
): Promise<AckResult> {
  const ref: LeaseRef = input.claim === undefined ? input.id : { id: input.id, claim: input.claim }
  const [result] = await ackMany(q, { workerId: input.workerId, ids: [ref] })
  return result!
}

export async function retryLater(
  q: QueueContext,
  input: Parameters<ExecutionQueue['retryLater']>[0],
): Promise<AckResult> {
  checkId('workerId', input.workerId)
  checkId('id', input.id)
  checkInt('availableAtMs', input.availableAtMs, 0)
  checkInt('attempt', input.attempt, 0)
  const claim = input.claim === undefined ? '' : claimArg(input.claim)
  const reply = await q
    .scripts()
    .retryLater(
      [q.keys.running, q.keys.delayed, q.keys.turns],
      [input.id, input.workerId, claim, input.availableAtMs, input.attempt, q.base, q.keys.readyChannel],
    )
  if (!Array.isArray(reply)) unexpected('retry-later', reply)
  return leaseResult('retry-later', reply[0])
}

export async function releaseLeases(
  q: QueueContext,
  input: Parameters<ExecutionQueue['release']>[0],
): Promise<{ released: string[]; lost: string[] }> {
  checkId('workerId', input.workerId)
  const refs = leaseRefs(input.ids)
  const released: string[] = []
  const lost: string[] = []
  for (let i = 0; i < refs.length; i += MAX_BATCH) {
    const chunk = refs.slice(i, i + MAX_BATCH)
    const reply = await q
      .scripts()
      .release([q.keys.running, q.keys.turns], [input.workerId, q.base, q.keys.readyChannel, ...chunk.flat()])
    if (!Array.isArray(reply) || reply.length !== chunk.length) unexpected('release', reply)
    for (const [j, [id]] of chunk.entries()) (reply[j] === ScriptCodes.OK ? released : lost).push(id)
  }
  return { released, lost }
}
