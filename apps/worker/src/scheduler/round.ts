import type { EventEmitter } from 'node:events'
import type { DbHandle } from '@punctual/db'
import { claimDue, createExecutionQueue, type QueueKeys, type Redis, releaseClaim } from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage, withDeadline } from '../loop/index.ts'
import { type AfterCommitDeps, afterCommit } from './after-commit.ts'
import { orderClaims } from './claim-order.ts'
import type { SchedulerConfig } from './config.ts'
import type { RoundEvent, SchedulerEvents } from './events.ts'
import { createHeldClaims, type Work } from './held-claims.ts'
import { type Committed, recordFires } from './record-fires.ts'
import { createPendingSteps } from './redis-steps.ts'

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

const TRANSACTION_DEADLINE_MS = 5000

export interface RoundResult extends RoundEvent {
  /** Claims newly taken from the due-index (claimBatch of them: more may be due, go again at once). */
  claimed: number
}

/** One fire claimer's parts, built once: what a round works with. */
interface Claimer extends FireClaimerDeps, AfterCommitDeps {
  transactionDeadlineMs: number
}

/**
 * One scheduler's fire claiming (issue 3 item 1), round by round:
 *   claimDue (Redis, leased) → order the claims (claim-order.ts) → per chunk of claims ONE Postgres
 *   transaction (record-fires.ts): lock the schedules, read their unfinished executions, decide (decide.ts:
 *   core planFires; decide-overlap.ts: core overlapDecision), cancel for cancel_previous, INSERT the fire
 *   rows (ON CONFLICT DO NOTHING on executions_fire_uq), UPDATE the schedules (CAS on version) → COMMIT →
 *   Redis (after-commit.ts): enqueue the new queued fires, cancel/publish, completeClaim (CAS on version) →
 *   the events (round-events.ts).
 * A crash between any two steps loses and duplicates nothing: before COMMIT nothing happened and the lease
 * returns the entry; after it, the fire rows exist (the unique key makes a repeat a no-op, and the row's
 * next_run_at tells a repeated claim where to start) and the reconciler enqueues rows Redis never got.
 */
export function createFireClaimer(deps: FireClaimerDeps) {
  const claimer: Claimer = {
    ...deps,
    queue: createExecutionQueue(deps.redis, deps.keys),
    held: createHeldClaims(deps.config.claimLeaseMs),
    pending: createPendingSteps(),
    // A transaction that neither answers nor fails (postgres.js waits for a connection forever when the server
    // end accepts and closes, as a container port proxy does while Postgres is down) must not stall the loop.
    // Giving up on it is safe: if it commits later, its fires exist once and the row's next_run_at tells the
    // next claim where to go on; only its enqueue is left to the reconciler.
    transactionDeadlineMs: Math.min(TRANSACTION_DEADLINE_MS, Math.floor(deps.config.claimLeaseMs / 3)),
  }
  return {
    round: (): Promise<RoundResult> => round(claimer),
    /** ms until a held claim is due, capped at `max`. */
    nextWakeIn: (max: number): number => claimer.held.nextWakeIn(deps.clock(), max),
    /** Shutdown: Redis steps still owed, then every held claim handed back at once (not left to its lease). */
    drain: (): Promise<void> => drain(claimer),
    get heldClaims(): number {
      return claimer.held.size
    },
  }
}
export type FireClaimer = ReturnType<typeof createFireClaimer>

async function round(c: Claimer): Promise<RoundResult> {
  const { redis, keys, workerId, clock, config } = c
  const started = performance.now()
  await c.pending.flush()
  const now = clock()
  const { claims } = await claimDue(redis, keys, {
    workerId,
    now,
    lookaheadMs: config.lookaheadMs,
    max: config.claimBatch,
    leaseMs: config.claimLeaseMs,
  })
  const work = c.held.takeDue(claims, now)
  const result: RoundResult = {
    claimed: claims.length,
    claims: work.length,
    recorded: 0,
    skipped: 0,
    missed: 0,
    held: 0,
    durationMs: 0,
  }
  if (work.length > 0) await recordAll(c, work, result)
  result.held = c.held.size
  result.durationMs = performance.now() - started
  c.events.emit('round', {
    claims: result.claims,
    recorded: result.recorded,
    skipped: result.skipped,
    missed: result.missed,
    held: result.held,
    durationMs: result.durationMs,
  })
  return result
}

/** The round's claims, chunk by chunk: record in one transaction, then the Redis steps and events. */
async function recordAll(c: Claimer, work: Work[], result: RoundResult): Promise<void> {
  let chunks: Work[][]
  try {
    chunks = await withDeadline(orderClaims(c.db.sql, work), c.transactionDeadlineMs, 'ordering claims')
  } catch (err) {
    await releaseClaims(c, work)
    throw err
  }
  for (const [i, chunk] of chunks.entries()) {
    let committed: Committed<Work>
    try {
      committed = await withDeadline(
        recordFires(c.db.sql, chunk, { clock: c.clock, lookaheadMs: c.config.lookaheadMs }),
        c.transactionDeadlineMs,
        'recording fires',
      )
    } catch (err) {
      // Postgres failed: give back the claims not recorded so they are retried soon, here or by another
      // scheduler. Best effort: if Redis is gone too, their lease returns them.
      await releaseClaims(c, chunks.slice(i).flat())
      throw err
    }
    try {
      await afterCommit(c, committed, result)
    } catch (err) {
      // Redis failed after COMMIT: this chunk's steps wait in `pending` (retried first next round); the
      // chunks not recorded yet go back (best effort; their lease covers the rest).
      await releaseClaims(c, chunks.slice(i + 1).flat())
      throw err
    }
  }
}

/** Best effort: hands claims back to the due-index (a failure leaves them to their lease). */
async function releaseClaims(c: Claimer, work: readonly Work[]): Promise<void> {
  const { redis, keys, workerId } = c
  await Promise.allSettled(
    work.map((w) => releaseClaim(redis, keys, { workerId, scheduleId: w.claim.scheduleId })),
  )
}

async function drain(c: Claimer): Promise<void> {
  try {
    await c.pending.flush()
  } catch (err) {
    const steps = c.pending.drop()
    c.logger.warn({ err: errorMessage(err), steps }, 'redis steps left undone at stop')
  }
  await releaseClaims(c, c.held.takeAll())
}
