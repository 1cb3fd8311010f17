import type { EventEmitter } from 'node:events'
import { uuidv7 } from '@punctual/core'
import {
  cancelForOverlap,
  type DbHandle,
  type FireScheduleRow,
  insertFireExecutions,
  listUnfinishedExecutions,
  lockSchedulesForFiring,
  type OutboxEvent,
  type Sql,
  schedulePriorities,
  type UnfinishedExecutionRow,
  updateFiredSchedules,
} from '@punctual/db'
import {
  claimDue,
  completeClaims,
  createExecutionQueue,
  type DueClaim,
  type EnqueueItem,
  publishSystemEvents,
  type QueueKeys,
  type Redis,
  releaseClaim,
} from '@punctual/queue'
import type { Logger } from 'pino'
import { type ClaimDecision, type DecideInput, decideClaim, type FireDecision } from './decide.ts'
import type { RoundEvent, SchedulerEvents } from './events.ts'

export interface SchedulerConfig {
  /** Fires up to now + lookaheadMs are recorded ahead of their time (they wait in the `delayed` set). */
  lookaheadMs: number
  /** At most this many due entries claimed per round. */
  claimBatch: number
  /** A claim not finished within this long returns to the due-index for another scheduler. */
  claimLeaseMs: number
  /** Sleep between rounds when nothing more is due. */
  pollMs: number
}

export interface FireClaimerDeps {
  db: DbHandle
  redis: Redis
  keys: QueueKeys
  workerId: string
  logger: Logger
  clock: () => number
  config: SchedulerConfig
  events: EventEmitter<SchedulerEvents>
}

/** Claims per Postgres transaction: one transaction records a few hundred fires. */
export const CLAIMS_PER_TRANSACTION = 500
const TRANSACTION_DEADLINE_MS = 5000
const RETRY_MIN_MS = 100
const RETRY_MAX_MS = 2000

/** A claim this scheduler keeps across rounds: its fire's time has not come yet, or its row is not visible. */
interface HeldClaim {
  claim: DueClaim
  /** When the claim (and its lease) was taken. */
  claimedAt: number
  retryAt: number
  attempts: number
}

interface Work {
  claim: DueClaim
  claimedAt: number
  attempts: number
}

/** A step after COMMIT that talks to Redis; kept until it succeeds (Redis may be down right then). */
interface RedisStep {
  what: string
  run: () => Promise<void>
}

export interface RoundResult extends RoundEvent {
  /** Claims newly taken from the due-index (claimBatch of them: more may be due, go again at once). */
  claimed: number
}

/** What a chunk's transaction decided and wrote, for the Redis steps and events after COMMIT. */
export interface Committed<W = Work> {
  now: number
  decisions: { work: W; row: FireScheduleRow | undefined; decision: ClaimDecision }[]
  inserted: Set<string>
  cancelled: string[]
  cancelRequested: string[]
  written: Set<string>
  missedIncrements: Map<string, number>
  /** schedule.completed system events the transaction wrote to the outbox: published after COMMIT. */
  events: OutboxEvent[]
}

/**
 * One scheduler's fire claiming (issue 3 item 1), round by round:
 *   claimDue (Redis, leased) → per chunk of claims ONE Postgres transaction: lock the schedules, read their
 *   unfinished executions, decide (core planFires + overlapDecision), cancel for cancel_previous, INSERT the
 *   fire rows (ON CONFLICT DO NOTHING on executions_fire_uq), UPDATE the schedules (CAS on version) → COMMIT
 *   → Redis: enqueue the new queued fires, cancel/publish, completeClaim (CAS on version).
 * A crash between any two steps loses and duplicates nothing: before COMMIT nothing happened and the lease
 * returns the entry; after it, the fire rows exist (the unique key makes a repeat a no-op, and the row's
 * next_run_at tells a repeated claim where to start) and the reconciler enqueues rows Redis never got.
 */
export function createFireClaimer(deps: FireClaimerDeps) {
  const { db, redis, keys, workerId, logger, clock, config, events } = deps
  const queue = createExecutionQueue(redis, keys)
  const held = new Map<string, HeldClaim>()
  let pending: RedisStep[] = []

  async function flushPending(): Promise<void> {
    while (pending.length > 0) {
      const step = pending[0]!
      await step.run()
      pending.shift()
    }
  }

  function hold(work: Work, retryAt: number) {
    held.set(work.claim.scheduleId, {
      claim: work.claim,
      claimedAt: work.claimedAt,
      retryAt,
      attempts: work.attempts + 1,
    })
  }

  // A transaction that neither answers nor fails (postgres.js waits for a connection forever when the server
  // end accepts and closes, as a container port proxy does while Postgres is down) must not stall the loop.
  // Giving up on it is safe: if it commits later, its fires exist once and the row's next_run_at tells the
  // next claim where to go on; only its enqueue is left to the reconciler.
  const transactionDeadlineMs = Math.min(TRANSACTION_DEADLINE_MS, Math.floor(config.claimLeaseMs / 3))

  /** Whether a claim may be kept until `until`: never past half its lease (the lease is the crash guard). */
  const canHoldUntil = (work: Work, until: number) => until - work.claimedAt < config.claimLeaseMs / 2

  async function round(): Promise<RoundResult> {
    const started = performance.now()
    await flushPending()
    const now = clock()
    const { claims } = await claimDue(redis, keys, {
      workerId,
      now,
      lookaheadMs: config.lookaheadMs,
      max: config.claimBatch,
      leaseMs: config.claimLeaseMs,
    })
    const work: Work[] = claims.map((claim) => ({ claim, claimedAt: now, attempts: 0 }))
    const fresh = new Set(claims.map((c) => c.scheduleId))
    for (const [id, h] of held) {
      // Claimed again (ours lapsed): the new claim replaces the held one.
      if (fresh.has(id)) held.delete(id)
      else if (h.retryAt <= now) {
        held.delete(id)
        // Past its lease the entry is back in the due-index (or claimed by someone else): let go quietly.
        if (now - h.claimedAt < config.claimLeaseMs) work.push(h)
      }
    }
    const result: RoundResult = {
      claimed: claims.length,
      claims: work.length,
      recorded: 0,
      skipped: 0,
      missed: 0,
      held: 0,
      durationMs: 0,
    }
    if (work.length > 0) {
      let chunks: Work[][]
      try {
        chunks = await withDeadline(chunked(work), transactionDeadlineMs, 'ordering claims')
      } catch (err) {
        await Promise.allSettled(
          work.map((w) => releaseClaim(redis, keys, { workerId, scheduleId: w.claim.scheduleId })),
        )
        throw err
      }
      for (const [i, chunk] of chunks.entries()) {
        let committed: Committed<Work>
        try {
          committed = await withDeadline(
            recordFires(db.sql, chunk, { clock, lookaheadMs: config.lookaheadMs }),
            transactionDeadlineMs,
            'recording fires',
          )
        } catch (err) {
          // Postgres failed: give back the claims not recorded so they are retried soon, here or by another
          // scheduler. Best effort: if Redis is gone too, their lease returns them.
          const rest = chunks.slice(i).flat()
          await Promise.allSettled(
            rest.map((w) => releaseClaim(redis, keys, { workerId, scheduleId: w.claim.scheduleId })),
          )
          throw err
        }
        try {
          await afterCommit(committed, result)
        } catch (err) {
          // Redis failed after COMMIT: this chunk's steps wait in `pending` (retried first next round); the
          // chunks not recorded yet go back (best effort; their lease covers the rest).
          const rest = chunks.slice(i + 1).flat()
          await Promise.allSettled(
            rest.map((w) => releaseClaim(redis, keys, { workerId, scheduleId: w.claim.scheduleId })),
          )
          throw err
        }
      }
    }
    result.held = held.size
    result.durationMs = performance.now() - started
    events.emit('round', {
      claims: result.claims,
      recorded: result.recorded,
      skipped: result.skipped,
      missed: result.missed,
      held: result.held,
      durationMs: result.durationMs,
    })
    return result
  }

  /** Fire time, then priority (higher first); a chunk per transaction. */
  async function chunked(work: Work[]): Promise<Work[][]> {
    let priority = new Map<string, number>()
    if (work.length > CLAIMS_PER_TRANSACTION) {
      priority = await schedulePriorities(
        db.sql,
        work.map((w) => w.claim.scheduleId),
      )
    }
    work.sort(
      (a, b) =>
        a.claim.fireAtMs - b.claim.fireAtMs ||
        (priority.get(b.claim.scheduleId) ?? 0) - (priority.get(a.claim.scheduleId) ?? 0),
    )
    const chunks: Work[][] = []
    for (let i = 0; i < work.length; i += CLAIMS_PER_TRANSACTION) {
      chunks.push(work.slice(i, i + CLAIMS_PER_TRANSACTION))
    }
    return chunks
  }

  /** The Redis side of a committed chunk, then the events. */
  async function afterCommit(c: Committed, result: RoundResult): Promise<void> {
    const { now, inserted } = c
    const enqueue: EnqueueItem[] = []
    const steps: RedisStep[] = []
    const toComplete: { scheduleId: string; version: number; nextRunAtMs: number | null }[] = []
    const finishClaim = (work: Work, nextRunAtMs: number | null) => {
      toComplete.push({ scheduleId: work.claim.scheduleId, version: work.claim.version, nextRunAtMs })
    }
    const giveBack = (work: Work) =>
      steps.push({
        what: 'release-claim',
        run: async () => {
          await releaseClaim(redis, keys, { workerId, scheduleId: work.claim.scheduleId })
        },
      })

    for (const { work, row, decision } of c.decisions) {
      switch (decision.kind) {
        case 'release':
          giveBack(work)
          break
        case 'retry': {
          if (decision.reason === 'plan-failed') {
            logger.error(
              { scheduleId: work.claim.scheduleId, err: errorMessage(decision.error) },
              'cannot plan the fires of a schedule',
            )
          }
          const retryAt = now + Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** work.attempts)
          if (canHoldUntil(work, retryAt)) hold(work, retryAt)
          else {
            logger.warn(
              { scheduleId: work.claim.scheduleId, version: work.claim.version, reason: decision.reason },
              'cannot fire this due entry yet; giving the claim back (the reconciler repairs a lasting mismatch)',
            )
            giveBack(work)
          }
          break
        }
        case 'finish':
          finishClaim(work, null)
          break
        case 'fire': {
          if (!c.written.has(row!.id) && decision.changed) {
            // Cannot happen while we hold the row lock at the claim's version; never move the entry on then.
            logger.error({ scheduleId: row!.id, version: row!.version }, 'schedule row moved under its lock')
            giveBack(work)
            break
          }
          for (const r of decision.rows) {
            if (r.status !== 'queued' || r.held || !inserted.has(r.id)) continue
            enqueue.push({
              id: r.id,
              priority: row!.priority,
              scheduledForMs: r.scheduledForMs,
              availableAtMs: r.availableAtMs ?? r.scheduledForMs,
              attempt: 0,
              tenant: row!.tenant,
              workflowId: row!.workflowId,
              kind: 'fire',
              scheduleId: row!.id,
            })
          }
          const wait = decision.waitUntilMs
          if (wait !== null && canHoldUntil(work, wait)) hold(work, wait)
          else finishClaim(work, decision.state === 'active' ? decision.nextRunAtMs : null)
          break
        }
      }
    }

    if (toComplete.length > 0) {
      steps.push({
        what: 'complete-claims',
        run: async () => {
          const outcomes = await completeClaims(redis, keys, { workerId, claims: toComplete })
          outcomes.forEach((outcome, i) => {
            if (outcome !== 'rescheduled' && outcome !== 'finished') {
              const { scheduleId, version } = toComplete[i]!
              logger.debug({ scheduleId, version, outcome }, 'claim ended by another writer')
            }
          })
        },
      })
    }

    // One step, its parts sent together (ioredis auto-pipelining): enqueue, cancels, then the claims' ends
    // (one completeClaims call) and releaseClaims. Each part is idempotent, so a retry repeats it safely.
    const redisSteps: RedisStep[] = []
    const published = c.events
    if (
      enqueue.length > 0 ||
      c.cancelled.length > 0 ||
      c.cancelRequested.length > 0 ||
      steps.length > 0 ||
      published.length > 0
    ) {
      redisSteps.push({
        what: 'after-commit',
        run: async () => {
          await Promise.all([
            enqueue.length > 0 ? queue.enqueue(enqueue, clock()) : undefined,
            // schedule.completed system events (their outbox rows committed with the change).
            publishSystemEvents(redis, keys, published),
            ...c.cancelled.map((id) => queue.cancel(id)),
            ...c.cancelRequested.map((id) => redis.publish(keys.cancelChannel, id)),
            ...steps.map((s) => s.run()),
          ])
        },
      })
    }
    pending.push(...redisSteps)
    try {
      await flushPending()
    } finally {
      emitEvents(c, result)
    }
  }

  function emitEvents(c: Committed, result: RoundResult) {
    const cancelled = new Set(c.cancelled)
    const requested = new Set(c.cancelRequested)
    for (const { row, decision } of c.decisions) {
      if (decision.kind !== 'fire') continue
      const scheduleId = row!.id
      const missedDates: Date[] = []
      for (const r of decision.rows) {
        if (!c.inserted.has(r.id)) continue
        const scheduledFor = new Date(r.scheduledForMs)
        if (r.status === 'queued') {
          result.recorded++
          events.emit('fire.recorded', {
            scheduleId,
            executionId: r.id,
            scheduledFor,
            availableAt: new Date(r.availableAtMs ?? r.scheduledForMs),
            held: r.held,
          })
        } else if (r.status === 'skipped') {
          result.skipped++
          events.emit('fire.skipped', { scheduleId, executionId: r.id, scheduledFor })
        } else missedDates.push(scheduledFor)
      }
      const missedCount = c.missedIncrements.get(scheduleId) ?? 0
      if (missedCount > 0) {
        result.missed += missedCount
        events.emit('fire.missed', { scheduleId, scheduledFor: missedDates, count: missedCount })
      }
      if (decision.cancelIds.length > 0) {
        events.emit('overlap.cancelled', {
          scheduleId,
          cancelled: decision.cancelIds.filter((id) => cancelled.has(id)),
          cancelRequested: decision.cancelIds.filter((id) => requested.has(id)),
        })
      }
      if (decision.state !== 'active' && c.written.has(scheduleId)) {
        events.emit('schedule.completed', { scheduleId, tenant: row!.tenant, state: decision.state })
      }
    }
  }

  return {
    round,
    /** ms until a held claim is due, capped at `max`. */
    nextWakeIn(max: number): number {
      const now = clock()
      let wake = max
      for (const h of held.values()) wake = Math.min(wake, Math.max(0, h.retryAt - now))
      return wake
    },
    /** Shutdown: Redis steps still owed, then every held claim handed back at once (not left to its lease). */
    async drain(): Promise<void> {
      try {
        await flushPending()
      } catch (err) {
        logger.warn(
          { err: errorMessage(err), steps: pending.map((s) => s.what) },
          'redis steps left undone at stop',
        )
        pending = []
      }
      const claims = [...held.values()]
      held.clear()
      await Promise.allSettled(
        claims.map((h) => releaseClaim(redis, keys, { workerId, scheduleId: h.claim.scheduleId })),
      )
    },
    get heldClaims(): number {
      return held.size
    },
  }
}
export type FireClaimer = ReturnType<typeof createFireClaimer>

/**
 * The Postgres half of a round for a chunk of claims, in ONE transaction: lock the schedules, read their
 * unfinished executions, decide, cancel (cancel_previous), insert the fire rows, move the schedules on.
 * Idempotent per fire: recording the same claims again (a claim returned by its lease after a crash) inserts
 * nothing twice. Nothing here touches Redis.
 */
export function recordFires<W extends { claim: DueClaim }>(
  sql: Sql,
  chunk: readonly W[],
  opts: { clock: () => number; lookaheadMs: number },
): Promise<Committed<W>> {
  const { clock } = opts
  return sql.begin(async (tx): Promise<Committed<W>> => {
    const rows = await lockSchedulesForFiring(
      tx,
      chunk.map((w) => w.claim.scheduleId),
    )
    // After the locks: a writer we waited for has committed, and planning uses the latest time.
    const now = clock()
    const byId = new Map(rows.map((r) => [r.id, r]))
    const firing = chunk.filter((w) => {
      const row = byId.get(w.claim.scheduleId)
      return row?.state === 'active' && row.version === w.claim.version
    })
    const unfinished = groupBy(
      await listUnfinishedExecutions(
        tx,
        firing.map((w) => w.claim.scheduleId),
      ),
    )
    const decisions = chunk.map((work) => {
      const row = byId.get(work.claim.scheduleId)
      return {
        work,
        row,
        decision: decideSafely({
          claim: work.claim,
          row,
          unfinished: unfinished.get(work.claim.scheduleId) ?? [],
          now,
          lookaheadMs: opts.lookaheadMs,
          newId: () => uuidv7(now),
        }),
      }
    })
    decisions.sort(
      (a, b) =>
        a.work.claim.fireAtMs - b.work.claim.fireAtMs || (b.row?.priority ?? 0) - (a.row?.priority ?? 0),
    )
    const fires = decisions.filter(
      (d): d is typeof d & { decision: FireDecision } => d.decision.kind === 'fire',
    )
    const { cancelled, cancelRequested } = await cancelForOverlap(
      tx,
      fires.flatMap((d) => d.decision.cancelIds),
      now,
    )
    const inserted = await insertFireExecutions(
      tx,
      fires.flatMap((d) => d.decision.rows),
      now,
    )
    const missedIncrements = new Map<string, number>()
    for (const { decision, row } of fires) {
      const missedRows = decision.rows.filter((r) => r.status === 'missed')
      const insertedMissed = missedRows.filter((r) => inserted.has(r.id)).length
      // Missed rows that all exist already mean an earlier claim recorded (and counted) this resumption.
      const increment =
        insertedMissed > 0 || missedRows.length === 0 ? insertedMissed + decision.missedBeyondRows : 0
      missedIncrements.set(row!.id, increment)
    }
    const { written, events } = await updateFiredSchedules(
      tx,
      fires
        .filter((d) => d.decision.changed)
        .map(({ decision, row }) => ({
          id: row!.id,
          version: row!.version,
          nextRunAtMs: decision.nextRunAtMs,
          state: decision.state,
          missedIncrement: missedIncrements.get(row!.id) ?? 0,
        })),
    )
    return { now, decisions, inserted, cancelled, cancelRequested, written, missedIncrements, events }
  })
}

/** One schedule that cannot be planned (a definition the engine rejects) must not fail the whole chunk. */
function decideSafely(input: DecideInput): ClaimDecision {
  try {
    return decideClaim(input)
  } catch (error) {
    return { kind: 'retry', reason: 'plan-failed', error }
  }
}

function groupBy(rows: readonly UnfinishedExecutionRow[]): Map<string, UnfinishedExecutionRow[]> {
  const map = new Map<string, UnfinishedExecutionRow[]>()
  for (const r of rows) {
    const list = map.get(r.scheduleId)
    if (list) list.push(r)
    else map.set(r.scheduleId, [r])
  }
  return map
}

/** Rejects when `promise` takes longer than `ms` (which keeps running; its outcome is ignored). */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Postgres within ${ms} ms`)), ms)
  })
  promise.catch(() => {})
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
