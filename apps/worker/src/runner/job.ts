import type { StartedExecution } from '@punctual/db'
import type { ClaimedExecution } from '@punctual/queue'
import type { Logger } from 'pino'
import type { ExecutionEventBase, ExecutionLostEvent } from './events.ts'

/**
 * One execution this runner holds a lease on, from its claim until Redis is told about its end, and the job
 * table: every such execution by id, and the busy-slot count (executions starting or running their steps).
 */

/** prefetched: claimed ahead during a burst (leased, renewed), not started and holding no slot yet. */
export type Phase = 'prefetched' | 'starting' | 'running' | 'finishing'

export interface Job {
  id: string
  claim: number
  queued: ClaimedExecution
  phase: Phase
  /** Aborts its steps (cancel, lost lease, shutdown); its AbortSignal is made only when a step asks for one. */
  controller: JobAbort
  /** A cancel arrived (pub/sub or poll) for this execution. */
  cancelRequested: boolean
  /** The row as started; null until the start committed. */
  row: StartedExecution | null
  leaseExpiresAtMs: number
  /** No longer ours: nothing may be reported for it. */
  lost: boolean
  /** When its steps began to run (performance.now(); 0 until then). */
  runningSinceMs: number
}

/** Why an execution's steps were aborted: the reason tells the end what to report. */
export class CancelRequested extends Error {
  constructor() {
    super('cancel requested')
    this.name = 'CancelRequested'
  }
}
export class LeaseLost extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'LeaseLost'
  }
}
export class Shutdown extends Error {
  constructor() {
    super('worker shutting down')
    this.name = 'Shutdown'
  }
}

/**
 * A job's abort: the first reason given, and an AbortSignal made only when something asks for one (an http
 * step, a delay, a workflow timeout, a step record awaited). An attempt that needs none (delays of 0 ms) makes
 * none: an AbortSignal costs ~5 µs to make, and a burst of due fires starts thousands of jobs.
 */
export class JobAbort {
  private controller: AbortController | undefined
  private abortedWith: { reason: unknown } | undefined

  get aborted(): boolean {
    return this.abortedWith !== undefined
  }

  get reason(): unknown {
    return this.abortedWith?.reason
  }

  /** The signal, aborted already when the job was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason)
    }
    return this.controller.signal
  }

  /** Aborts with `reason` (the first reason stays, as with AbortController). */
  abort(reason: unknown): void {
    if (this.abortedWith) return
    this.abortedWith = { reason }
    this.controller?.abort(reason)
  }
}

/** A job for a claimed execution; `prefetched` ones hold no slot until they start. */
export function newJob(item: ClaimedExecution, phase: 'prefetched' | 'starting'): Job {
  return {
    id: item.id,
    claim: item.claim,
    queued: item,
    phase,
    controller: new JobAbort(),
    cancelRequested: false,
    row: null,
    leaseExpiresAtMs: item.leaseExpiresAtMs,
    lost: false,
    runningSinceMs: 0,
  }
}

/** The fields every execution event of `job` carries. */
export function eventBase(job: Job, workerId: string): ExecutionEventBase {
  return {
    id: job.id,
    attempt: job.row?.attempt ?? job.queued.attempt,
    kind: job.queued.kind,
    tenant: job.queued.tenant,
    workflowId: job.queued.workflowId,
    scheduleId: job.queued.scheduleId,
    workerId,
  }
}

export interface JobTableDeps {
  workerId: string
  logger: Logger
  /** A slot was freed (a claim loop waiting for one goes on). */
  onFree: () => void
  /** An execution stopped being ours without being reported. */
  onLost: (e: ExecutionLostEvent) => void
}

/** Weight of the newest run in `recentRunMs` (a moving average over about the last ten runs). */
const RUN_MS_WEIGHT = 0.1

/** Every execution whose lease this runner holds, by id, and the slots they hold. */
export class JobTable {
  readonly jobs = new Map<string, Job>()
  private busyCount = 0
  private runMs = 0

  constructor(private readonly deps: JobTableDeps) {}

  /** Executions starting or running their steps. */
  get busy(): number {
    return this.busyCount
  }

  /** A claimed execution this runner now holds (renewed from now on); `starting` takes a slot. */
  add(job: Job): void {
    if (job.phase === 'starting') this.busyCount++
    this.jobs.set(job.id, job)
  }

  /** A claimed-ahead execution takes its slot and starts. */
  occupy(job: Job): void {
    job.phase = 'starting'
    this.busyCount++
  }

  /**
   * How long executions' steps held their slots lately (ms, moving average; 0 before the first run ended):
   * the claim loop claims ahead only while runs are short.
   */
  get recentRunMs(): number {
    return this.runMs
  }

  setPhase(job: Job, phase: Phase): void {
    const wasBusy = job.phase === 'starting' || job.phase === 'running'
    const isBusy = phase === 'starting' || phase === 'running'
    if (phase === 'running') job.runningSinceMs = performance.now()
    else if (job.phase === 'running') {
      const ran = performance.now() - job.runningSinceMs
      this.runMs = this.runMs === 0 ? ran : this.runMs + RUN_MS_WEIGHT * (ran - this.runMs)
    }
    job.phase = phase
    if (wasBusy && !isBusy) {
      this.busyCount--
      this.deps.onFree()
    }
  }

  /** Forget an execution without reporting anything for it (it runs, or will run, elsewhere). */
  dropLost(job: Job, reason: ExecutionLostEvent['reason']): void {
    if (job.lost) return
    job.lost = true
    if (this.jobs.get(job.id) === job) this.jobs.delete(job.id)
    if (job.phase !== 'finishing') this.setPhase(job, 'finishing')
    job.controller.abort(new LeaseLost(reason))
    this.deps.logger.info({ executionId: job.id, reason }, 'execution no longer ours; not reporting it')
    this.deps.onLost({ id: job.id, workerId: this.deps.workerId, reason })
  }

  /** Done with an execution in Redis (acked, retried, dropped, handed back): stop renewing its lease. */
  release(job: Job): void {
    if (job.phase !== 'finishing') this.setPhase(job, 'finishing')
    if (this.jobs.get(job.id) === job) this.jobs.delete(job.id)
  }

  /** Stop: abort the steps of every execution not finished yet (their ends hand them back). */
  abortUnfinished(): void {
    for (const job of this.jobs.values()) {
      if (job.phase !== 'finishing') job.controller.abort(new Shutdown())
    }
  }
}
