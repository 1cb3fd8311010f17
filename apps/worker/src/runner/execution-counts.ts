import { addExecutionCounts, type Sql } from '@punctual/db'
import type { Logger } from 'pino'
import { errorMessage as message } from '../loop/index.ts'

/** How often fire starts are added to execution_count (unbudgeted schedules). */
const COUNT_FLUSH_MS = 50

/**
 * execution_count of unbudgeted schedules, added after their fires started (see startExecutions): its own
 * small loop, never in the way of the end writes. A schedule row a scheduler holds locked is skipped and
 * counted at the next turn rather than waited for. Like the ends (end-writer.ts, burst hold-back), counts
 * wait while a burst of claims goes on, at most burstDelayMs after the first of them: a burst of 1,000 due
 * fires is 20 start statements in a row, and the count statement written in its middle took Postgres 6-9 ms
 * away from them.
 */
export interface ExecutionCountsDeps {
  sql: Sql
  /** A Postgres call bounded by the runner's dbTimeoutMs. */
  pgCall: <T>(p: Promise<T>) => Promise<T>
  /** ms until the end writes may try Postgres again: counts wait for it too. */
  pgWait: () => number
  logger: Logger
  /** The next turn is armed while this is true (until the runner stopped). */
  active: () => boolean
  /** The last dequeue filled every free slot (the claim loop's burst flag): counts wait. */
  claimsBusy?: () => boolean
  /** During a burst: at most this long (ms) after the first pending count. Default 250. */
  burstDelayMs?: number
}

export class ExecutionCounts {
  /** Fire starts not yet added to their schedule's execution_count, by schedule id. */
  private toCount = new Map<string, number>()
  private countTimer: NodeJS.Timeout | undefined
  private counting: Promise<void> | undefined
  /** performance.now() when the oldest pending count was added (or the last flush began). */
  private firstPendingAt = 0

  constructor(private readonly deps: ExecutionCountsDeps) {}

  /** Fire starts to count, by schedule id (a start statement's `countLater`). */
  add(counts: ReadonlyMap<string, number>): void {
    if (counts.size === 0) return
    if (this.toCount.size === 0) this.firstPendingAt = performance.now()
    for (const [id, n] of counts) this.toCount.set(id, (this.toCount.get(id) ?? 0) + n)
    this.kick()
  }

  /** Schedules whose counts are not written yet. */
  get pending(): number {
    return this.toCount.size
  }

  /** Stop: the last counts get a few tries until `deadline` (performance.now()), then are let go. */
  async stop(deadline: number): Promise<void> {
    clearTimeout(this.countTimer)
    this.countTimer = undefined
    await this.counting
    for (let i = 0; i < 5 && this.toCount.size > 0 && performance.now() < deadline; i++) {
      await this.flush()
      if (this.toCount.size > 0) await new Promise((r) => setTimeout(r, 50))
    }
    // A turn that ended meanwhile may have armed the next one: nothing more after stop.
    clearTimeout(this.countTimer)
    this.countTimer = undefined
    if (this.toCount.size > 0) {
      this.deps.logger.warn(
        { schedules: this.toCount.size },
        'execution counts of started fires not written at stop',
      )
    }
  }

  private kick(delayMs = COUNT_FLUSH_MS): void {
    if (this.countTimer || this.counting || this.toCount.size === 0) return
    this.countTimer = setTimeout(() => {
      this.countTimer = undefined
      const hold = this.burstHoldMs()
      if (hold > 0) {
        this.kick(Math.min(COUNT_FLUSH_MS, hold))
        return
      }
      this.counting = this.flush().finally(() => {
        this.counting = undefined
        if (this.toCount.size > 0 && this.deps.active()) {
          this.kick(Math.max(COUNT_FLUSH_MS, this.deps.pgWait()))
        }
      })
    }, delayMs)
  }

  /** How long the pending counts may still wait for a burst of claims to pass (0: write them now). */
  private burstHoldMs(): number {
    if (!this.deps.claimsBusy?.()) return 0
    const waited = performance.now() - this.firstPendingAt
    return Math.max(0, (this.deps.burstDelayMs ?? 250) - waited)
  }

  private async flush(): Promise<void> {
    const batch = this.toCount
    this.toCount = new Map()
    this.firstPendingAt = performance.now()
    try {
      const added = await this.deps.pgCall(addExecutionCounts(this.deps.sql, batch))
      for (const [id, n] of batch) if (!added.has(id)) this.toCount.set(id, (this.toCount.get(id) ?? 0) + n)
    } catch (err) {
      for (const [id, n] of batch) this.toCount.set(id, (this.toCount.get(id) ?? 0) + n)
      this.deps.logger.debug({ err: message(err) }, 'execution counts not written; retried')
    }
  }
}
