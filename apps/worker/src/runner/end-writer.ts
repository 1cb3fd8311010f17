import type { ExecutionError, StepOutcome } from '@punctual/core'
import {
  type FinishRecord,
  finishExecutions,
  type OutboxEvent,
  type ReleasedHeldFire,
  type Sql,
} from '@punctual/db'
import {
  type EnqueueItem,
  type ExecutionQueue,
  publishSystemEvents,
  type QueueKeys,
  type Redis,
} from '@punctual/queue'
import type { Backoff } from '../loop/index.ts'
import type { Job, JobTable } from './job.ts'

/**
 * The end writer: every end of an attempt goes to Postgres first, then to Redis.
 *
 * We MUST NOT ack anything in Redis before its Postgres row says so. An end is written in one group-committed
 * statement (finishExecutions, every flushIntervalMs or flushMaxRows rows); only the ends that statement
 * wrote (the row was still ours) are passed to settle(), which acks finals, moves retries to the delayed set,
 * enqueues the held fires their ends released and publishes the system events their outbox rows hold. Ends
 * decided without a write (not started: cancelled, skipped, dropped at the start) go to settle() directly,
 * their rows already say so. A failed write is retried after the backoff (the lease keeper keeps renewing
 * their leases meanwhile); a failed settle is retried (acks and retryLater are idempotent for the lease
 * holder), Postgres already holding the end. Each end's event is emitted after its settle was tried.
 *
 * Burst hold-back: while claiming is busy (the last dequeue filled every free slot: a burst of due fires)
 * ends wait until the burst is over, at most burstFlushDelayMs after the first of them or until
 * burstMaxRows are pending, so the burst's starts do not share the worker and Postgres with its ends. Once
 * held-back ends start being written, everything pending is written back to back before anything is held
 * back again.
 */

/** What Redis must hear after an end's COMMIT, and the event to emit then. */
export interface Settle {
  job: Job
  redis: { op: 'ack' } | { op: 'retry'; availableAtMs: number; nextAttempt: number }
  emit: () => void
  emitted: boolean
}

interface Finish extends Settle {
  record: FinishRecord
  /** performance.now() when the end was queued for writing. */
  queuedAt: number
}

export interface EndWriterConfig {
  /** Group commit: at most this long (ms) after the first pending end. */
  flushIntervalMs: number
  /** Group commit: write as soon as this many are pending. */
  flushMaxRows: number
  /** During a burst of claims: at most this long (ms) after the first of them. */
  burstFlushDelayMs: number
  /** Unwritten ends past which claiming waits for the writer (`full`); a burst holds back half of it. */
  maxUnwritten: number
}

export interface EndWriterDeps {
  sql: Sql
  redis: Redis
  keys: QueueKeys
  queue: ExecutionQueue
  workerId: string
  now: () => number
  /** A Postgres call bounded by the runner's dbTimeoutMs. */
  pgCall: <T>(p: Promise<T>) => Promise<T>
  /** Backoff of the end statement (Postgres) and of the settle (Redis). */
  pgWrite: Backoff
  redisSettle: Backoff
  table: JobTable
  /** Hands leases back (ends not written by the end of stop run again elsewhere). */
  releaseLeases: (jobs: Job[]) => Promise<void>
  /** The last dequeue filled every free slot (the claim loop's burst flag). */
  claimsBusy: () => boolean
  /** The runner is running (not draining): only then may ends be held back. */
  running: () => boolean
  config: EndWriterConfig
}

export class EndWriter {
  private readonly toWrite: Finish[] = []
  private readonly toSettle: Settle[] = []
  private readonly toEnqueue: ReleasedHeldFire[] = []
  /** System events whose outbox rows committed with an end or a start: published to the event stream. */
  private readonly toPublish: OutboxEvent[] = []
  /** A burst holds back at most this many ends; then they are written back to back until none is left. */
  private readonly burstMaxRows: number
  /**
   * The ends held back for a burst are being written: no more holding back until every pending end is
   * written (else under sustained load each newly oldest end would restart the wait, and the writer would
   * fall behind the claims).
   */
  private drainingEnds = false
  private flushTimer: NodeJS.Timeout | undefined
  private flushing: Promise<void> | undefined
  /** stop() writes the last ends itself: no timer may start another flush meanwhile. */
  private finalFlush = false

  constructor(private readonly deps: EndWriterDeps) {
    this.burstMaxRows = deps.config.maxUnwritten / 2
  }

  /** An attempt's end, to be written to Postgres, then told to Redis (`redis`), then announced (`emit`). */
  queueFinish(
    job: Job,
    status: FinishRecord['status'],
    finishedAtMs: number | null,
    error: ExecutionError | null,
    steps: StepOutcome[],
    availableAtMs: number | null,
    redis: Settle['redis'],
    emit: () => void,
  ): void {
    const row = job.row!
    this.toWrite.push({
      job,
      redis,
      emit,
      emitted: false,
      record: {
        id: job.id,
        attempt: row.attempt,
        status,
        finishedAtMs,
        error,
        steps,
        availableAtMs,
        kind: row.kind,
        scheduleId: row.scheduleId,
      },
      queuedAt: performance.now(),
    })
    this.kickFlush(this.endsDelay())
  }

  /** An end whose row is already final without a write of ours (decided at the start): Redis only. */
  queueSettle(s: Settle): void {
    this.toSettle.push(s)
    this.kickFlush(0)
  }

  /** System events a start statement wrote to the outbox: published with the next settle. */
  publish(events: readonly OutboxEvent[]): void {
    if (events.length === 0) return
    this.toPublish.push(...events)
    this.kickFlush(0)
  }

  /** Ends waiting for their write reached their bound: claim nothing more until the writer catches up. */
  get full(): boolean {
    return this.toWrite.length >= this.deps.config.maxUnwritten
  }

  /**
   * The last dequeue did not fill every free slot: no burst (any more). Ends held back for one that just
   * ended (`wasBurst`) are written now.
   */
  claimsQuiet(wasBurst: boolean): void {
    if (wasBurst && this.toWrite.length > 0) this.kickFlush(0)
    this.drainingEnds = false
  }

  /** Ends not yet written to Postgres or not yet told to Redis (with released fires and events). */
  get pending(): number {
    return this.toWrite.length + this.toSettle.length + this.toEnqueue.length + this.toPublish.length
  }

  /**
   * Stop: write the ends still pending until `deadline` (performance.now()); what cannot be written in time
   * runs again elsewhere (at-least-once): its lease is handed back.
   */
  async finish(deadline: number): Promise<void> {
    this.finalFlush = true
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    while (performance.now() < deadline && this.pending > 0) {
      await this.flushing
      await this.flushOnce()
      if (this.pending > 0) await new Promise((r) => setTimeout(r, 50))
    }
    if (this.toWrite.length > 0) await this.deps.releaseLeases(this.toWrite.splice(0).map((f) => f.job))
  }

  /** How long the pending ends may still wait for a burst of claims to pass (0: write them now). */
  private burstDeferMs(): number {
    if (!this.deps.claimsBusy() || this.drainingEnds || !this.deps.running() || this.finalFlush) return 0
    const first = this.toWrite[0]
    if (!first || this.toWrite.length >= this.burstMaxRows) return 0
    return Math.max(0, this.deps.config.burstFlushDelayMs - (performance.now() - first.queuedAt))
  }

  /** When the pending ends are due to be written. */
  private endsDelay(): number {
    const defer = this.burstDeferMs()
    if (defer > 0) return defer
    return this.toWrite.length >= this.deps.config.flushMaxRows ? 0 : this.deps.config.flushIntervalMs
  }

  private kickFlush(delayMs: number): void {
    if (this.flushing || this.finalFlush) return // the running flush re-arms itself when it ends; stop() flushes itself
    if (this.flushTimer) {
      if (delayMs > 0) return
      clearTimeout(this.flushTimer)
    }
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined
      this.flushing = this.flushOnce().finally(() => {
        this.flushing = undefined
        if (this.pending === 0) return
        const wait = Math.max(
          this.toWrite.length > 0 ? this.deps.pgWrite.wait() : 0,
          this.toWrite.length === 0 ? this.deps.redisSettle.wait() : 0,
        )
        this.kickFlush(Math.max(wait, this.endsDelay()))
      })
    }, delayMs)
  }

  private async flushOnce(): Promise<void> {
    const { toWrite, toSettle, deps } = this
    if (toWrite.length > 0 && deps.pgWrite.wait() === 0 && this.burstDeferMs() === 0) {
      if (deps.claimsBusy()) this.drainingEnds = true
      const batch = toWrite.splice(0, deps.config.flushMaxRows).filter((f) => !f.job.lost)
      if (batch.length > 0) {
        try {
          const { results, released, events } = await deps.pgCall(
            finishExecutions(deps.sql, {
              workerId: deps.workerId,
              records: batch.map((f) => f.record),
              nowMs: deps.now(),
            }),
          )
          deps.pgWrite.ok()
          // Only the ends this statement wrote (the row was still ours) go on to Redis.
          const written = new Set(results.filter((r) => r.written).map((r) => r.id))
          for (const f of batch) {
            if (written.has(f.job.id)) toSettle.push(f)
            else deps.table.dropLost(f.job, 'not-owner')
          }
          this.toEnqueue.push(...released)
          this.toPublish.push(...events)
        } catch (err) {
          // Nothing was reported; try again after the backoff (the leases keep being renewed meanwhile).
          toWrite.unshift(...batch)
          deps.pgWrite.fail(err)
        }
      }
      if (toWrite.length === 0) this.drainingEnds = false
    }
    if (
      (toSettle.length > 0 || this.toEnqueue.length > 0 || this.toPublish.length > 0) &&
      deps.redisSettle.wait() === 0
    )
      await this.settle()
  }

  /**
   * Tell Redis about ends Postgres already holds: ack finals, move retries to the delayed set, publish the
   * system events written with them (beside the acks: one round trip through auto-pipelining).
   */
  private async settle(): Promise<void> {
    const { deps } = this
    const { queue, workerId } = deps
    const batch = this.toSettle.splice(0)
    const enqueue = this.toEnqueue.splice(0)
    const publish = this.toPublish.splice(0)
    const acks = batch.filter((s) => s.redis.op === 'ack' && !s.job.lost)
    const retries = batch.filter((s) => s.redis.op === 'retry' && !s.job.lost)
    let failed: unknown
    try {
      await Promise.all([
        acks.length > 0
          ? queue.ackMany({ workerId, ids: acks.map((s) => ({ id: s.job.id, claim: s.job.claim })) })
          : undefined,
        ...retries.map((s) => {
          const r = s.redis as Extract<Settle['redis'], { op: 'retry' }>
          return queue.retryLater({
            workerId,
            id: s.job.id,
            claim: s.job.claim,
            availableAtMs: r.availableAtMs,
            attempt: r.nextAttempt,
          })
        }),
        // A publish lost here (Redis refused, or this process dies) is made again by the outbox relay.
        publishSystemEvents(deps.redis, deps.keys, publish).catch((err: unknown) => {
          this.toPublish.unshift(...publish)
          throw err
        }),
      ])
      // A lease-lost or not-found answer is fine: Postgres holds the end, whoever claims it next drops it.
    } catch (err) {
      failed = err
    }
    if (enqueue.length > 0 && failed === undefined) {
      try {
        await queue.enqueue(enqueue.map(toEnqueueItem), deps.now())
      } catch (err) {
        failed = err
        this.toEnqueue.unshift(...enqueue)
      }
    } else if (enqueue.length > 0) {
      this.toEnqueue.unshift(...enqueue)
    }
    if (failed !== undefined) {
      // Retried later (acks and retryLater are idempotent for the lease holder). Postgres already says so.
      this.toSettle.unshift(...batch)
      deps.redisSettle.fail(failed)
    } else {
      deps.redisSettle.ok()
    }
    for (const s of batch) {
      if (failed === undefined) deps.table.release(s.job)
      if (!s.emitted) {
        s.emitted = true
        s.emit()
      }
    }
  }
}

function toEnqueueItem(r: ReleasedHeldFire): EnqueueItem {
  return {
    id: r.id,
    priority: r.priority,
    scheduledForMs: r.scheduledForMs,
    availableAtMs: r.availableAtMs ?? r.scheduledForMs,
    attempt: r.attempt,
    tenant: r.tenant,
    workflowId: r.workflowId,
    kind: r.kind,
    scheduleId: r.scheduleId,
  }
}
