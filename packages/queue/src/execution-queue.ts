import type { ExecutionKind } from '@punctual/core'
import type { Redis } from 'ioredis'
import { QueueError, ScriptCodes } from './errors.ts'
import type { QueueKeys } from './keys.ts'
import { loadScripts, type QueueScripts } from './script-loader.ts'
import { checkId, checkInt, invalid, unexpected } from './validate.ts'

/**
 * The execution queue shared by every worker process (issue 3 item 2). Redis holds, under the one hash tag:
 * - `ready`   ZSET id → (9 − priority) · 2^42 + scheduledForMs: ZPOPMIN gives priority 9 first, then the
 *             earliest scheduledFor. Scores stay below 10 · 2^42 < 2^53, exact in a double.
 * - `delayed` ZSET id → available-at ms (retry backoff, look-ahead and jittered fires not yet due).
 * - `running` ZSET id → lease expiry ms; the owner and claim number are in the execution's hash.
 * - `exec:<id>` HASH: what a worker needs to start without Postgres (priority, scheduledForMs, attempt,
 *             tenant, workflowId, kind, scheduleId, meta) plus enqueuedAtMs, claim, reclaims, owner.
 * The hash exists exactly while the id is in one of the three sets; every transition is one Lua script.
 * Postgres stays the source of truth: this is an index of what to run next, rebuilt from it when lost.
 * Time is always an argument (`now`), never read from Redis or the clock here.
 */

/** ms per priority step of the ready score: 2^42 ms ≈ 139 years, so scheduledForMs must be below it. */
export const PRIORITY_STEP_MS = 2 ** 42
export const MAX_PRIORITY = 9
/** Upper bound of items per script call (each call is atomic and blocks Redis while it runs). */
export const MAX_BATCH = 1000
/** Largest `meta` kept with an execution, in UTF-16 code units of its JSON. */
export const MAX_META_CHARS = 4096
const ENQUEUE_CHUNK = 500
const DEFAULT_MAX_MOVES = 1000

export type QueueState = 'ready' | 'delayed' | 'running'

export interface EnqueueItem {
  id: string
  /** 0-9, higher runs first. */
  priority: number
  /** The nominal time (ms): orders executions of equal priority. */
  scheduledForMs: number
  /** Not before this time (ms): a later time parks the execution in `delayed`. */
  availableAtMs?: number
  /** 0 before the first attempt, then the attempt the next run will be. */
  attempt: number
  tenant: string
  workflowId: string
  kind: ExecutionKind
  scheduleId?: string | null
  /** Small JSON-serialisable extras a worker wants before reading Postgres (at most MAX_META_CHARS). */
  meta?: Record<string, unknown>
}

export interface QueuedExecution {
  id: string
  priority: number
  scheduledForMs: number
  attempt: number
  tenant: string
  workflowId: string
  kind: ExecutionKind
  scheduleId: string | null
  meta: Record<string, unknown> | null
  enqueuedAtMs: number
  /** How many times a worker claimed it (dequeue); the current lease's number while running. */
  claim: number
  /** How many times an expired lease sent it back to ready. */
  reclaims: number
  /** The lease holder while running, else null. */
  owner: string | null
}

export interface ClaimedExecution extends QueuedExecution {
  owner: string
  leaseExpiresAtMs: number
}

export interface ExecutionSnapshot extends QueuedExecution {
  state: QueueState
  /** ready: the ready score; delayed: available-at ms; running: lease expiry ms. */
  score: number
}

/**
 * Which lease an operation is about: an id (any lease of this worker), or an id and the claim number the
 * dequeue returned (tells apart two claims of the same execution by the same worker).
 */
export type LeaseRef = string | { id: string; claim: number }

export type LeaseOutcome = 'ok' | 'lease-lost' | 'not-found'

export interface EnqueueResult {
  /** Per item, in order: where it went, or where it already was. */
  results: { id: string; enqueued: boolean; state: QueueState }[]
  enqueued: number
  alreadyQueued: number
}

export interface DequeueInput {
  workerId: string
  /** 0..MAX_BATCH; 0 only reclaims and promotes. */
  count: number
  leaseMs: number
  now: number
  /** Bounds the expired leases moved back to ready first (default 1000). */
  maxReclaim?: number
  /** Bounds the due delayed executions promoted first (default 1000). */
  maxPromote?: number
}

export interface DequeueResult {
  items: ClaimedExecution[]
  reclaimed: number
  promoted: number
  /**
   * Fewer than `count` claimed and nothing left ready: when the earliest delayed execution becomes available
   * (epoch ms), so an idle claimer sleeps until then rather than polling; null when nothing is delayed.
   */
  nextAvailableAtMs: number | null
}

export interface RenewResult {
  renewed: string[]
  /** Leases this worker no longer holds: stop the work (it runs, or will run, elsewhere). */
  lost: string[]
  leaseExpiresAtMs: number
}

export type AckResult = { ok: true } | { ok: false; reason: 'lease-lost' | 'not-found' }

export type CancelResult =
  | { outcome: 'cancelled'; state: 'ready' | 'delayed' }
  /** Still running: the caller aborts it through its owner; the owner then acks it. */
  | { outcome: 'running'; owner: string }
  | { outcome: 'not-found' }

export interface QueueStats {
  ready: number
  delayed: number
  running: number
  /** Schedules in the due-index waiting for their next fire (claimed ones excluded). */
  dueSchedules: number
  /** Schedules a scheduler has claimed and is firing. */
  claimedSchedules: number
}

export interface QueueStatsAt extends QueueStats {
  /** Delayed executions available by `now` (promoted at the next dequeue). */
  delayedDue: number
  /** Running executions whose lease expired by `now` (reclaimed at the next dequeue). */
  expiredLeases: number
  /** Due entries whose fire time passed and that nobody has claimed. */
  overdueSchedules: number
  /** Fire claims whose lease expired by `now`. */
  expiredClaims: number
}

export interface ExecutionQueue {
  enqueue(items: readonly EnqueueItem[], now: number): Promise<EnqueueResult>
  dequeue(input: DequeueInput): Promise<DequeueResult>
  renew(input: {
    workerId: string
    ids: readonly LeaseRef[]
    leaseMs: number
    now: number
  }): Promise<RenewResult>
  ack(input: { workerId: string; id: string; claim?: number }): Promise<AckResult>
  /** Batch ack: one result per ref, in order. */
  ackMany(input: { workerId: string; ids: readonly LeaseRef[] }): Promise<AckResult[]>
  retryLater(input: {
    workerId: string
    id: string
    claim?: number
    availableAtMs: number
    attempt: number
  }): Promise<AckResult>
  /** Graceful shutdown: running → ready at once. Returns the ids released and those no longer ours. */
  release(input: {
    workerId: string
    ids: readonly LeaseRef[]
  }): Promise<{ released: string[]; lost: string[] }>
  cancel(id: string): Promise<CancelResult>
  remove(id: string): Promise<{ removed: boolean; state: QueueState | null }>
  peek(count: number): Promise<QueuedExecution[]>
  setPriority(id: string, priority: number): Promise<{ state: QueueState } | null>
  get(id: string): Promise<ExecutionSnapshot | null>
  promoteDue(now: number, max?: number): Promise<string[]>
  reclaimExpired(now: number, max?: number): Promise<string[]>
  /** Executions held (ready + delayed + running). */
  size(): Promise<number>
  stats(): Promise<QueueStats>
  stats(now: number): Promise<QueueStatsAt>
}

/** Binds the queue operations to one client and keyspace. Safe to share across a process. */
export function createExecutionQueue(redis: Redis, keys: QueueKeys): ExecutionQueue {
  const scripts = (): QueueScripts => loadScripts(redis)
  const prefix = keys.executionPrefix
  const queueKeys = [keys.ready, keys.delayed, keys.running]

  async function ackMany(input: { workerId: string; ids: readonly LeaseRef[] }): Promise<AckResult[]> {
    checkId('workerId', input.workerId)
    const refs = leaseRefs(input.ids)
    const results: AckResult[] = []
    for (let i = 0; i < refs.length; i += MAX_BATCH) {
      const chunk = refs.slice(i, i + MAX_BATCH)
      const reply = await scripts().ack([keys.running], [input.workerId, prefix, ...chunk.flat()])
      if (!Array.isArray(reply) || reply.length !== chunk.length) unexpected('ack', reply)
      for (const code of reply) results.push(leaseResult('ack', code))
    }
    return results
  }

  async function stats(now?: number): Promise<QueueStats | QueueStatsAt> {
    if (now !== undefined) checkInt('now', now, 0)
    const reply = await scripts().queueStats(
      [keys.ready, keys.delayed, keys.running, keys.due, keys.dueClaims],
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

  return {
    async enqueue(items, now) {
      checkInt('now', now, 0)
      const args = items.map(enqueueArgs)
      const results: EnqueueResult['results'] = []
      for (let i = 0; i < args.length; i += ENQUEUE_CHUNK) {
        const chunk = args.slice(i, i + ENQUEUE_CHUNK)
        // The script wakes idle runners itself (PUBLISH on readyChannel): no second round trip per batch.
        const reply = await scripts().enqueue(queueKeys, [now, prefix, keys.readyChannel, ...chunk.flat()])
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
    },

    async dequeue(input) {
      checkId('workerId', input.workerId)
      checkInt('count', input.count, 0, MAX_BATCH)
      checkInt('leaseMs', input.leaseMs, 1)
      checkInt('now', input.now, 0)
      const maxReclaim = input.maxReclaim ?? DEFAULT_MAX_MOVES
      const maxPromote = input.maxPromote ?? DEFAULT_MAX_MOVES
      checkInt('maxReclaim', maxReclaim, 0, 10_000)
      checkInt('maxPromote', maxPromote, 0, 10_000)
      const reply = await scripts().dequeue(queueKeys, [
        input.workerId,
        input.count,
        input.leaseMs,
        input.now,
        maxReclaim,
        maxPromote,
        prefix,
      ])
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
    },

    async renew(input) {
      checkId('workerId', input.workerId)
      checkInt('leaseMs', input.leaseMs, 1)
      checkInt('now', input.now, 0)
      const refs = leaseRefs(input.ids)
      const renewed: string[] = []
      const lost: string[] = []
      let leaseExpiresAtMs = input.now + input.leaseMs
      for (let i = 0; i < refs.length; i += MAX_BATCH) {
        const chunk = refs.slice(i, i + MAX_BATCH)
        const reply = await scripts().renew(
          [keys.running],
          [input.workerId, input.leaseMs, input.now, prefix, ...chunk.flat()],
        )
        if (!Array.isArray(reply) || reply.length !== chunk.length + 1) unexpected('renew', reply)
        for (const [j, [id]] of chunk.entries()) (reply[j] === ScriptCodes.OK ? renewed : lost).push(id)
        leaseExpiresAtMs = Number(reply[chunk.length])
      }
      return { renewed, lost, leaseExpiresAtMs }
    },

    async ack(input) {
      const ref: LeaseRef = input.claim === undefined ? input.id : { id: input.id, claim: input.claim }
      const [result] = await ackMany({ workerId: input.workerId, ids: [ref] })
      return result!
    },

    ackMany,

    async retryLater(input) {
      checkId('workerId', input.workerId)
      checkId('id', input.id)
      checkInt('availableAtMs', input.availableAtMs, 0)
      checkInt('attempt', input.attempt, 0)
      const claim = input.claim === undefined ? '' : claimArg(input.claim)
      const reply = await scripts().retryLater(
        [keys.running, keys.delayed],
        [input.id, input.workerId, claim, input.availableAtMs, input.attempt, prefix],
      )
      if (!Array.isArray(reply)) unexpected('retry-later', reply)
      return leaseResult('retry-later', reply[0])
    },

    async release(input) {
      checkId('workerId', input.workerId)
      const refs = leaseRefs(input.ids)
      const released: string[] = []
      const lost: string[] = []
      for (let i = 0; i < refs.length; i += MAX_BATCH) {
        const chunk = refs.slice(i, i + MAX_BATCH)
        const reply = await scripts().release(
          [keys.running, keys.ready],
          [input.workerId, prefix, ...chunk.flat()],
        )
        if (!Array.isArray(reply) || reply.length !== chunk.length) unexpected('release', reply)
        for (const [j, [id]] of chunk.entries()) (reply[j] === ScriptCodes.OK ? released : lost).push(id)
      }
      return { released, lost }
    },

    async cancel(id) {
      checkId('id', id)
      const reply = await scripts().cancelExecution(queueKeys, [id, prefix])
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
    },

    async remove(id) {
      checkId('id', id)
      const reply = await scripts().removeExecution(queueKeys, [id, prefix])
      if (!Array.isArray(reply)) unexpected('remove-execution', reply)
      if (reply[0] === ScriptCodes.OK) return { removed: true, state: reply[1] as QueueState }
      if (reply[0] === ScriptCodes.NOT_FOUND) return { removed: false, state: null }
      unexpected('remove-execution', reply)
    },

    async peek(count) {
      checkInt('count', count, 0, MAX_BATCH)
      if (count === 0) return []
      const reply = await scripts().peek([keys.ready], [count, prefix])
      if (!Array.isArray(reply)) unexpected('peek', reply)
      const n = reply[0] as number
      const width = 1 + PAYLOAD_FIELDS
      const items: QueuedExecution[] = []
      for (let k = 0; k < n; k++) {
        const at = 1 + k * width
        items.push(parsePayload(reply[at] as string, reply.slice(at + 1, at + width)))
      }
      return items
    },

    async setPriority(id, priority) {
      checkId('id', id)
      checkInt('priority', priority, 0, MAX_PRIORITY)
      const reply = await scripts().setPriority(queueKeys, [id, priority, prefix])
      if (!Array.isArray(reply)) unexpected('set-priority', reply)
      if (reply[0] === ScriptCodes.OK) return { state: reply[1] as QueueState }
      if (reply[0] === ScriptCodes.NOT_FOUND) return null
      unexpected('set-priority', reply)
    },

    async get(id) {
      checkId('id', id)
      const reply = await scripts().getExecution(queueKeys, [id, prefix])
      if (!Array.isArray(reply)) unexpected('get-execution', reply)
      if (reply[0] === ScriptCodes.NOT_FOUND) return null
      if (reply[0] !== ScriptCodes.OK) unexpected('get-execution', reply)
      return { ...parsePayload(id, reply.slice(3)), state: reply[1] as QueueState, score: Number(reply[2]) }
    },

    async promoteDue(now, max = DEFAULT_MAX_MOVES) {
      checkInt('now', now, 0)
      checkInt('max', max, 0, 10_000)
      const reply = await scripts().promoteDue([keys.delayed, keys.ready], [now, max, prefix])
      if (!Array.isArray(reply)) unexpected('promote-due', reply)
      return reply as string[]
    },

    async reclaimExpired(now, max = DEFAULT_MAX_MOVES) {
      checkInt('now', now, 0)
      checkInt('max', max, 0, 10_000)
      const reply = await scripts().reclaimExpired([keys.running, keys.ready], [now, max, prefix])
      if (!Array.isArray(reply)) unexpected('reclaim-expired', reply)
      return reply as string[]
    },

    async size() {
      const s = await stats()
      return s.ready + s.delayed + s.running
    },

    stats: stats as ExecutionQueue['stats'],
  }
}

// Must match PAYLOAD_FIELDS in scripts/includes/execution.lua.
const PAYLOAD_FIELDS = 12

function parsePayload(id: string, f: unknown[]): QueuedExecution {
  if (f.length !== PAYLOAD_FIELDS || f[0] === null) unexpected('execution payload', f)
  const [priority, scheduledForMs, attempt, tenant, workflowId, kind, scheduleId, meta, enqueuedAtMs, claim] =
    f as string[]
  return {
    id,
    priority: Number(priority),
    scheduledForMs: Number(scheduledForMs),
    attempt: Number(attempt),
    tenant: tenant!,
    workflowId: workflowId!,
    kind: kind as ExecutionKind,
    scheduleId: scheduleId ? scheduleId : null,
    meta: meta ? (JSON.parse(meta) as Record<string, unknown>) : null,
    enqueuedAtMs: Number(enqueuedAtMs),
    claim: Number(claim),
    reclaims: Number(f[10] ?? 0),
    owner: (f[11] as string | null) ?? null,
  }
}

function enqueueArgs(item: EnqueueItem): (string | number)[] {
  checkId('id', item.id)
  checkInt('priority', item.priority, 0, MAX_PRIORITY)
  checkInt('scheduledForMs', item.scheduledForMs, 0, PRIORITY_STEP_MS - 1)
  if (item.availableAtMs !== undefined) checkInt('availableAtMs', item.availableAtMs, 0)
  checkInt('attempt', item.attempt, 0)
  checkId('tenant', item.tenant)
  checkId('workflowId', item.workflowId)
  checkId('kind', item.kind)
  if (item.scheduleId !== undefined && item.scheduleId !== null) checkId('scheduleId', item.scheduleId)
  let meta = ''
  if (item.meta !== undefined) {
    meta = JSON.stringify(item.meta)
    if (meta.length > MAX_META_CHARS) invalid(`meta of ${item.id} is over ${MAX_META_CHARS} characters`)
  }
  return [
    item.id,
    item.priority,
    item.scheduledForMs,
    item.availableAtMs ?? '',
    item.attempt,
    item.tenant,
    item.workflowId,
    item.kind,
    item.scheduleId ?? '',
    meta,
  ]
}

function claimArg(claim: number): string {
  checkInt('claim', claim, 1)
  return String(claim)
}

function leaseRefs(ids: readonly LeaseRef[]): [string, string][] {
  return ids.map((ref) => {
    if (typeof ref === 'string') {
      checkId('id', ref)
      return [ref, '']
    }
    checkId('id', ref.id)
    return [ref.id, claimArg(ref.claim)]
  })
}

function leaseResult(script: string, code: unknown): AckResult {
  switch (code) {
    case ScriptCodes.OK:
      return { ok: true }
    case ScriptCodes.LEASE_LOST:
      return { ok: false, reason: 'lease-lost' }
    case ScriptCodes.NOT_FOUND:
      return { ok: false, reason: 'not-found' }
    default:
      throw new QueueError('QUEUE_ERR_UNEXPECTED_REPLY', `${script} answered ${JSON.stringify(code)}`)
  }
}
