import { findCancelRequested, type Sql } from '@punctual/db'
import type { ExecutionQueue } from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage as message } from '../loop/index.ts'
import { CancelRequested, type Job, type JobTable } from './job.ts'

/**
 * The leases this runner holds in Redis (like bullmq's LockManager, kept out of the worker loop): renewed
 * every leaseMs/3 for every execution in the job table (running, claimed ahead, or finished and waiting for
 * its write); a lease Redis says is lost, or one not renewed past its expiry while Redis was away, drops its
 * execution locally and nothing is reported for it. The same timer polls Postgres for cancels this runner
 * missed on the cancel channel. release() hands leases back (never started, or handed back at stop).
 */
export interface LeaseKeeperDeps {
  table: JobTable
  queue: ExecutionQueue
  sql: Sql
  workerId: string
  leaseMs: number
  now: () => number
  /** A Postgres call bounded by the runner's dbTimeoutMs. */
  pgCall: <T>(p: Promise<T>) => Promise<T>
  logger: Logger
  /** The timer re-arms itself while this is true (running or draining). */
  renewing: () => boolean
}

export class LeaseKeeper {
  private renewTimer: NodeJS.Timeout | undefined

  constructor(private readonly deps: LeaseKeeperDeps) {}

  /** Renew every leaseMs/3 from now on. */
  start(): void {
    this.renewTimer = setTimeout(
      () => {
        this.renew().finally(() => {
          if (this.deps.renewing()) this.start()
        })
      },
      Math.max(1, Math.floor(this.deps.leaseMs / 3)),
    )
  }

  /** No more renewals (at the end of stop; a renewal in flight finishes). */
  stop(): void {
    clearTimeout(this.renewTimer)
  }

  /** A cancel for `id` (cancel channel or poll): aborts its steps if it is running here. */
  requestCancel(id: string): void {
    const job = this.deps.table.jobs.get(id)
    if (!job || job.lost || job.cancelRequested) return
    job.cancelRequested = true
    if (job.phase === 'running') job.controller.abort(new CancelRequested())
    // starting: aborted as soon as the start commits (applyStart); finishing: too late, the end stands.
  }

  /** Give leases back at once (the row is untouched or already handed back): another worker may claim them. */
  async release(list: Job[]): Promise<void> {
    const { table, queue, workerId, logger } = this.deps
    const mine = list.filter((j) => !j.lost)
    for (const j of mine) table.release(j)
    if (mine.length === 0) return
    try {
      await queue.release({ workerId, ids: mine.map((j) => ({ id: j.id, claim: j.claim })) })
    } catch (err) {
      logger.warn({ err: message(err), count: mine.length }, 'lease release failed; the leases will expire')
    }
  }

  private async renew(): Promise<void> {
    const { table, queue, workerId, logger, now } = this.deps
    const held = [...table.jobs.values()]
    if (held.length > 0) {
      try {
        const { lost, leaseExpiresAtMs } = await queue.renew({
          workerId,
          ids: held.map((j) => ({ id: j.id, claim: j.claim })),
          leaseMs: this.deps.leaseMs,
          now: now(),
        })
        const lostIds = new Set(lost)
        for (const job of held) {
          if (lostIds.has(job.id)) table.dropLost(job, 'lease-lost')
          else job.leaseExpiresAtMs = leaseExpiresAtMs
        }
      } catch (err) {
        logger.warn({ err: message(err), held: held.length }, 'lease renewal failed; retrying')
      }
      // Not renewed past its expiry (Redis away): another worker may have reclaimed it; stop running it.
      const t = now()
      for (const job of held) {
        if (!job.lost && job.phase === 'running' && job.leaseExpiresAtMs <= t) {
          table.dropLost(job, 'lease-expired')
        }
      }
    }
    // The fallback for a cancel message this runner missed.
    const running = [...table.jobs.values()].filter((j) => j.phase === 'running' && !j.cancelRequested)
    if (running.length > 0) {
      try {
        const ids = await this.deps.pgCall(
          findCancelRequested(
            this.deps.sql,
            running.map((j) => j.id),
          ),
        )
        for (const id of ids) this.requestCancel(id)
      } catch {
        // Postgres away: the start and finish paths report it.
      }
    }
  }
}
