import { type ClaimedExecution, type DequeueResult, type ExecutionQueue, MAX_BATCH } from '@punctual/queue'
import type { Backoff, Wakeup } from '../loop/index.ts'
import type { BatchStart } from './batch-start.ts'
import type { EndWriter } from './end-writer.ts'
import { type Job, type JobTable, newJob } from './job.ts'

/**
 * The claim loop: while the runner is running, dequeue executions for the free slots, at most half the slots
 * at a time (startBatchOf), and hand each batch to the batch start; sleep (woken early by a freed slot,
 * resume, the ready channel or stop) when paused, when every slot is busy, when the end writer is full, while
 * a dependency backs off, or until the next work recorded ahead becomes available.
 *
 * Claim-ahead during a burst: while every slot is busy (mostly with starts waiting on Postgres) and the last
 * dequeue filled every free slot, the next batch is dequeued at once and kept here, leased and renewed like
 * the others, so it starts the moment slots free up instead of after another dequeue round trip. At most
 * one batch; handed back at once on pause, when the writer falls behind, and at stop. A batch is held at most
 * `aheadHoldMs`: slots that stay busy that long hold long runs, not a burst of starts, and a batch claimed
 * ahead of them would keep its executions, and the turns of the tenants queued after it, waiting behind those
 * runs (fair turns: another tenant's next execution waits at most one turn). It is handed back, and nothing
 * is claimed ahead for `aheadRestMs`. And nothing is claimed ahead while the runs of late hold their slots
 * longer than `aheadMaxRunMs` on average: a slot then frees every (run time / concurrency), a dequeue round
 * trip per freed slot costs nothing beside the run, and a batch claimed ahead would only make the tenants
 * queued after it wait until it drains (fair turns: with long runs, another tenant's execution takes the next
 * slot or the one after).
 */
/** How long a batch claimed ahead may wait for slots before it is handed back. */
export const CLAIM_AHEAD_HOLD_MS = 250
/** No claim-ahead for this long after a batch was handed back for waiting too long. */
export const CLAIM_AHEAD_REST_MS = 2_000
/** No claim-ahead while runs have lately held their slots longer than this on average. */
export const CLAIM_AHEAD_MAX_RUN_MS = 50
/** A burst is "under way" (ClaimLoop.inBurst) while its last dequeue is at most this old. */
export const BURST_RECENT_MS = 100

/**
 * Most executions one start statement carries: half the slots, at least one. In a burst of short runs the
 * halves take turns: while one half's start statement is in Postgres, the worker runs the other half's
 * attempts, instead of every slot waiting on one statement and then on the worker's JavaScript in turn
 * (docs/design-notes.md, "A burst in two halves").
 */
export function startBatchOf(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 2))
}

export interface ClaimLoopDeps {
  queue: ExecutionQueue
  workerId: string
  now: () => number
  concurrency: number
  leaseMs: number
  /** TENANT_MAX_RUNNING (0: none): enforced by the dequeue script against every worker's slots. */
  tenantMaxRunning: number
  pollMs: number
  table: JobTable
  wakeup: Wakeup
  /** The phases a claim waits for: the start statement, the end statement, the dequeue itself. */
  backoffs: { pg: Backoff; pgWrite: Backoff; redisClaim: Backoff }
  ends: Pick<EndWriter, 'full' | 'claimsQuiet'>
  starter: Pick<BatchStart, 'start'>
  releaseLeases: (jobs: Job[]) => Promise<void>
  /** Work stop() waits for. */
  track: (p: Promise<void>) => void
  /** The loop goes on while this is true. */
  running: () => boolean
  /** CLAIM_AHEAD_HOLD_MS unless set (tests). */
  aheadHoldMs?: number
  /** CLAIM_AHEAD_REST_MS unless set (tests). */
  aheadRestMs?: number
  /** CLAIM_AHEAD_MAX_RUN_MS unless set (tests). */
  aheadMaxRunMs?: number
}

export class ClaimLoop {
  private pausedFlag = false
  /** When the loop last went round (epoch ms; 0 before it ran). */
  private lastLoopAt = 0
  private prefetched: Job[] = []
  /** When the batch in `prefetched` was claimed. */
  private prefetchedAtMs = 0
  /** No claim-ahead before this time (a batch claimed ahead waited too long for slots). */
  private aheadRestUntilMs = 0
  /**
   * The last dequeue got all it asked for (the free slots, at most half of all: startBatchOf): more work is
   * likely ready (a burst), so ends may wait. "Filled every free slot" elsewhere means this flag.
   */
  private claimsBusy = false
  /** performance.now() of the last dequeue. */
  private lastDequeueAt = Number.NEGATIVE_INFINITY

  constructor(private readonly deps: ClaimLoopDeps) {}

  /** The last dequeue filled every free slot (a burst of claims). */
  get busy(): boolean {
    return this.claimsBusy
  }

  /**
   * A burst of claims is under way right now: the last dequeue filled every free slot and was less than
   * BURST_RECENT_MS ago (slots held by long runs stop the dequeues, and with them the burst).
   */
  get inBurst(): boolean {
    return this.claimsBusy && performance.now() - this.lastDequeueAt < BURST_RECENT_MS
  }

  get paused(): boolean {
    return this.pausedFlag
  }

  /** When the loop last went round (epoch ms; 0 before it ran): a stuck loop stops moving it. */
  get lastLoopAtMs(): number {
    return this.lastLoopAt
  }

  /** Admission control: claim nothing more until resume() (what was claimed ahead is handed back). */
  pause(): void {
    this.pausedFlag = true
  }

  resume(): void {
    this.pausedFlag = false
    this.deps.wakeup.wake()
  }

  /** Claims while the runner is running; resolves once it stopped (claimed-ahead work handed back). */
  async run(): Promise<void> {
    const { deps } = this
    const { table, wakeup, ends } = deps
    const { pg, pgWrite, redisClaim } = deps.backoffs
    const startBatch = startBatchOf(deps.concurrency)
    while (deps.running()) {
      this.lastLoopAt = Date.now()
      const free = deps.concurrency - table.busy
      // What one start statement may take now: the free slots, at most half of all (startBatchOf).
      const room = Math.min(free, startBatch)
      const wait = Math.max(pg.wait(), pgWrite.wait(), redisClaim.wait())
      const full = ends.full
      const paused = this.pausedFlag
      const nowMs = deps.now()
      const heldMs = nowMs - this.prefetchedAtMs
      const holdMs = deps.aheadHoldMs ?? CLAIM_AHEAD_HOLD_MS
      if (this.prefetched.length > 0 && (paused || full || (free <= 0 && heldMs >= holdMs))) {
        if (!paused && !full) this.aheadRestUntilMs = nowMs + (deps.aheadRestMs ?? CLAIM_AHEAD_REST_MS)
        await deps.releaseLeases(this.prefetched.splice(0))
        continue
      }
      if (free > 0 && this.prefetched.length > 0 && wait === 0) {
        const batch = this.prefetched.splice(0, room).filter((j) => !j.lost)
        for (const job of batch) table.occupy(job)
        if (batch.length > 0) deps.track(deps.starter.start(batch))
        continue
      }
      const ahead =
        free <= 0 &&
        this.claimsBusy &&
        this.prefetched.length === 0 &&
        !paused &&
        !full &&
        nowMs >= this.aheadRestUntilMs &&
        table.recentRunMs <= (deps.aheadMaxRunMs ?? CLAIM_AHEAD_MAX_RUN_MS)
      if (!ahead && (paused || free <= 0 || full)) {
        // Held ahead: woken by a freed slot, or when the batch has waited long enough to go back.
        const holding = this.prefetched.length > 0 && free <= 0
        await wakeup.sleep(holding ? Math.max(1, Math.min(deps.pollMs, holdMs - heldMs)) : deps.pollMs)
        continue
      }
      if (wait > 0) {
        await wakeup.sleep(wait)
        continue
      }
      const count = Math.min(ahead ? deps.concurrency : room, MAX_BATCH)
      let items: ClaimedExecution[]
      let idleMs: number
      try {
        const at = deps.now()
        const claimed = await deps.queue.dequeue({
          workerId: deps.workerId,
          count,
          leaseMs: deps.leaseMs,
          now: at,
          tenantMaxRunning: deps.tenantMaxRunning,
        })
        items = claimed.items
        idleMs = this.afterDequeue(claimed, count, at)
        redisClaim.ok()
      } catch (err) {
        redisClaim.fail(err)
        continue
      }
      if (items.length === 0) {
        if (idleMs > 0) await wakeup.sleep(idleMs)
        continue
      }
      const batch = this.toJobs(items, ahead)
      if (ahead) {
        this.prefetched = batch
        this.prefetchedAtMs = deps.now()
      } else deps.track(deps.starter.start(batch))
    }
    // Stopping: what was claimed ahead goes back at once (never started).
    await deps.releaseLeases(this.prefetched.splice(0))
  }

  /** The burst flag after a dequeue of `count`, and how long to sleep if it found nothing. */
  private afterDequeue(claimed: DequeueResult, count: number, at: number): number {
    this.lastDequeueAt = performance.now()
    const wasBusy = this.claimsBusy
    this.claimsBusy = claimed.items.length >= count
    // The burst is over: ends held back for it are written now.
    if (!this.claimsBusy) this.deps.ends.claimsQuiet(wasBusy)
    // Work recorded ahead (look-ahead fires, retries) is claimed the moment it becomes available, not at
    // the next poll; new ready work wakes the loop through the ready channel.
    if (claimed.nextAvailableAtMs === null) return this.deps.pollMs
    return Math.min(this.deps.pollMs, Math.max(0, claimed.nextAvailableAtMs - at))
  }

  /** Jobs for a dequeued batch, in the job table from now on (`ahead`: claimed ahead, holding no slot). */
  private toJobs(items: ClaimedExecution[], ahead: boolean): Job[] {
    const { table } = this.deps
    const batch: Job[] = []
    for (const item of items) {
      const previous = table.jobs.get(item.id)
      // Our own expired lease, reclaimed and claimed again by this very dequeue: the old run is stale.
      if (previous) table.dropLost(previous, 'lease-lost')
      const job = newJob(item, ahead ? 'prefetched' : 'starting')
      table.add(job)
      batch.push(job)
    }
    return batch
  }
}
