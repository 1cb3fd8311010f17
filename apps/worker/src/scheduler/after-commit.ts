import type { EventEmitter } from 'node:events'
import type { FireScheduleRow } from '@punctual/db'
import {
  completeClaims,
  type EnqueueItem,
  type ExecutionQueue,
  publishSystemEvents,
  type QueueKeys,
  type Redis,
  releaseClaim,
} from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'
import type { ClaimDecision, FireDecision } from './decide.ts'
import type { RoundEvent, SchedulerEvents } from './events.ts'
import type { HeldClaims, Work } from './held-claims.ts'
import type { Committed } from './record-fires.ts'
import type { PendingSteps, RedisStep } from './redis-steps.ts'
import { emitRoundEvents } from './round-events.ts'

const RETRY_MIN_MS = 100
const RETRY_MAX_MS = 2000

/** What the steps after a COMMIT use: the claimer's connections, its held claims and its owed Redis steps. */
export interface AfterCommitDeps {
  redis: Redis
  keys: QueueKeys
  queue: ExecutionQueue
  workerId: string
  logger: Logger
  clock: () => number
  held: HeldClaims
  pending: PendingSteps
  events: EventEmitter<SchedulerEvents>
}

/** How a claim ends in the due-index: moved on to its next fire (`nextRunAtMs`), or removed (null). */
interface ClaimEnd {
  scheduleId: string
  version: number
  nextRunAtMs: number | null
}

/** The Redis side of a committed chunk, then the events (emitted even when Redis failed: the rows exist). */
export async function afterCommit(
  deps: AfterCommitDeps,
  c: Committed,
  result: Pick<RoundEvent, 'recorded' | 'skipped' | 'missed'>,
): Promise<void> {
  const { enqueue, steps } = settleClaims(deps, c)
  const step = afterCommitStep(deps, c, enqueue, steps)
  if (step) deps.pending.add(step)
  try {
    await deps.pending.flush()
  } finally {
    emitRoundEvents(c, result, deps.events)
  }
}

/**
 * What each decision does to its claim: given back, kept (retried soon, or until a fire's overlap decision
 * can be made), or ended (completeClaims moves the entry on to the next fire or removes it); the queued
 * fires it inserted are enqueued. Only the holds happen here; the Redis parts are returned.
 */
export function settleClaims(
  deps: Pick<AfterCommitDeps, 'redis' | 'keys' | 'workerId' | 'logger' | 'held'>,
  c: Committed,
): { enqueue: EnqueueItem[]; steps: RedisStep[] } {
  const { logger, held } = deps
  const enqueue: EnqueueItem[] = []
  const steps: RedisStep[] = []
  const toComplete: ClaimEnd[] = []
  const finishClaim = (work: Work, nextRunAtMs: number | null) => {
    toComplete.push({ scheduleId: work.claim.scheduleId, version: work.claim.version, nextRunAtMs })
  }
  for (const { work, row, decision } of c.decisions) {
    switch (decision.kind) {
      case 'release':
        steps.push(releaseStep(deps, work))
        break
      case 'retry':
        retryLater(deps, work, decision, c.now, steps)
        break
      case 'finish':
        finishClaim(work, null)
        break
      case 'fire': {
        if (!c.written.has(row!.id) && decision.changed) {
          // Cannot happen while we hold the row lock at the claim's version; never move the entry on then.
          logger.error({ scheduleId: row!.id, version: row!.version }, 'schedule row moved under its lock')
          steps.push(releaseStep(deps, work))
          break
        }
        enqueueInserted(enqueue, row!, decision, c.inserted)
        const wait = decision.waitUntilMs
        if (wait !== null && held.canHoldUntil(work, wait)) held.hold(work, wait)
        else finishClaim(work, decision.state === 'active' ? decision.nextRunAtMs : null)
        break
      }
    }
  }
  if (toComplete.length > 0) steps.push(completeClaimsStep(deps, toComplete))
  return { enqueue, steps }
}

/** A claim whose row is not visible yet (or could not be planned): kept and tried again, else given back. */
function retryLater(
  deps: Pick<AfterCommitDeps, 'redis' | 'keys' | 'workerId' | 'logger' | 'held'>,
  work: Work,
  decision: Extract<ClaimDecision, { kind: 'retry' }>,
  now: number,
  steps: RedisStep[],
): void {
  const { logger, held } = deps
  if (decision.reason === 'plan-failed') {
    logger.error(
      { scheduleId: work.claim.scheduleId, err: errorMessage(decision.error) },
      'cannot plan the fires of a schedule',
    )
  }
  const retryAt = now + Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** work.attempts)
  if (held.canHoldUntil(work, retryAt)) held.hold(work, retryAt)
  else {
    logger.warn(
      { scheduleId: work.claim.scheduleId, version: work.claim.version, reason: decision.reason },
      'cannot fire this due entry yet; giving the claim back (the reconciler repairs a lasting mismatch)',
    )
    steps.push(releaseStep(deps, work))
  }
}

/** The fires of a decision to put in the Redis queue: queued, not held by buffer_one, inserted now. */
function enqueueInserted(
  enqueue: EnqueueItem[],
  row: FireScheduleRow,
  decision: FireDecision,
  inserted: ReadonlySet<string>,
): void {
  for (const r of decision.rows) {
    if (r.status !== 'queued' || r.held || !inserted.has(r.id)) continue
    enqueue.push({
      id: r.id,
      priority: row.priority,
      scheduledForMs: r.scheduledForMs,
      availableAtMs: r.availableAtMs ?? r.scheduledForMs,
      attempt: 0,
      tenant: row.tenant,
      workflowId: row.workflowId,
      kind: 'fire',
      scheduleId: row.id,
    })
  }
}

function releaseStep(deps: Pick<AfterCommitDeps, 'redis' | 'keys' | 'workerId'>, work: Work): RedisStep {
  return {
    what: 'release-claim',
    run: async () => {
      await releaseClaim(deps.redis, deps.keys, {
        workerId: deps.workerId,
        scheduleId: work.claim.scheduleId,
      })
    },
  }
}

function completeClaimsStep(
  deps: Pick<AfterCommitDeps, 'redis' | 'keys' | 'workerId' | 'logger'>,
  toComplete: ClaimEnd[],
): RedisStep {
  const { redis, keys, workerId, logger } = deps
  return {
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
  }
}

/**
 * One step, its parts sent together (ioredis auto-pipelining): enqueue, cancels, then the claims' ends
 * (one completeClaims call) and releaseClaims. Each part is idempotent, so a retry repeats it safely.
 */
function afterCommitStep(
  deps: Pick<AfterCommitDeps, 'redis' | 'keys' | 'queue' | 'clock'>,
  c: Committed,
  enqueue: EnqueueItem[],
  steps: RedisStep[],
): RedisStep | undefined {
  const { redis, keys, queue, clock } = deps
  const published = c.events
  if (
    enqueue.length === 0 &&
    c.cancelled.length === 0 &&
    c.cancelRequested.length === 0 &&
    steps.length === 0 &&
    published.length === 0
  ) {
    return undefined
  }
  return {
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
  }
}
