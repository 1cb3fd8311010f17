import { EventEmitter } from 'node:events'
import { attemptOutcome, type ExecutionError, type RetryPolicy, type StepOutcome } from '@punctual/core'
import {
  addExecutionCounts,
  type DbHandle,
  type FinishRecord,
  findCancelRequested,
  finishExecutions,
  handBackExecutions,
  loadWorkflowDefinitions,
  type OutboxEvent,
  type ReleasedHeldFire,
  type StartExecutionsResult,
  type StartedExecution,
  startExecutions,
} from '@punctual/db'
import {
  type ClaimedExecution,
  createExecutionQueue,
  type EnqueueItem,
  MAX_BATCH,
  publishSystemEvents,
  type QueueKeys,
  type Redis,
  upsertSchedule,
} from '@punctual/queue'
import type { Logger } from 'pino'
import type { Agent } from 'undici'
import {
  abortableSleep,
  backoffMs,
  createBackoff,
  createWakeup,
  errorMessage as message,
  withDeadline,
} from '../loop/index.ts'
import { listenOnChannel } from './channel-listener.ts'
import type { RunnerBackoffEvent, RunnerEventMap, RunnerEvents } from './events.ts'
import { createOutboundAgent, type OutboundPolicy } from './outbound-agent.ts'
import { type RunWorkflowResult, runWorkflowSteps } from './steps.ts'
import { createWorkflowCache } from './workflow-cache.ts'

/**
 * The runner (issue 3 item 3): claims executions from the Redis queue, starts them in Postgres, runs their
 * steps, and writes their ends back in batches. One small claim loop with explicit states
 * (idle → running → draining → stopped), plus three timers: lease renewal, the end-of-attempt flusher and
 * (in the renewal) the cancel fallback poll.
 *
 * Who writes what (docs/design-notes.md):
 * - start: one conditional UPDATE per dequeue batch (`queued|retrying|running` → `running`, attempt + 1);
 *   an id whose row is gone or not startable is acked and dropped. Steps run only after that commit.
 * - end: `succeeded` / `retrying` (+ available_at) / `dead` / `cancelled`, buffered and written every
 *   flushIntervalMs or flushMaxRows rows in one statement; while claiming is busy (the last dequeue filled every
 *   free slot: a burst of due fires) they wait up to burstFlushDelayMs, so the burst's starts do not share the
 *   worker and Postgres with its ends; Redis is told (ack, retryLater) only after the
 *   COMMIT. We MUST NOT ack anything in Redis before its Postgres row says so.
 * - lease: renewed every leaseMs/3 for every execution this runner holds (running, or finished and waiting
 *   for its write). A lost lease aborts the execution locally and nothing is reported for it.
 * Postgres or Redis down: the failing phase backs off (claiming pauses) and resumes by itself; an execution
 * is reported succeeded only after its steps ran. Concurrency counts executions that are starting or running
 * their steps; finished ones waiting for the group commit do not hold a slot (they are bounded separately).
 */

export interface RunnerConfig {
  /** WORKER_CONCURRENCY: executions starting or running at once. Default 10. */
  concurrency?: number
  /** WORKER_LEASE_MS. Default 30000; renewed every leaseMs/3. */
  leaseMs?: number
  /** How often an empty queue is polled (ms). Default 50. */
  pollMs?: number
  outbound: OutboundPolicy
  /** Group commit of ends: at most this long (ms) after the first pending end. Default 20. */
  flushIntervalMs?: number
  /** Group commit of ends: write as soon as this many are pending. Default 200. */
  flushMaxRows?: number
  /**
   * Group commit of ends during a burst (the last dequeue filled every free slot, so more work is ready):
   * ends wait until the burst is over, at most this long (ms) after the first of them. Default 250.
   */
  burstFlushDelayMs?: number
  /**
   * Give up waiting for one Postgres call after this long (ms) and back off; default 5000. postgres.js waits
   * forever when every new connection is closed right after accept, and a half-open socket never answers.
   * Every runner write is guarded and idempotent, so a statement that still commits later does no harm.
   */
  dbTimeoutMs?: number
}

export interface RunnerDeps {
  db: DbHandle
  /**
   * The pool for execution starts; defaults to `db`. The worker gives it asynchronous commit (see main.ts):
   * a start lost to a Postgres crash leaves the row queued, as if this worker had died before starting it,
   * and the end's synchronous commit makes the start durable first (WAL order).
   */
  startDb?: DbHandle
  redis: Redis
  /** A second connection for pub/sub (cancel channel); the runner duplicates `redis` when absent. */
  subscriber?: Redis
  keys: QueueKeys
  workerId: string
  logger: Logger
  /** Wall clock in ms (scripts and rows take time as an argument). Default Date.now. */
  clock?: () => number
  config: RunnerConfig
}

export type RunnerState = 'idle' | 'running' | 'draining' | 'stopped'

export interface Runner {
  start(): void
  /**
   * Graceful stop: claim nothing more, let running executions finish for up to timeoutMs, then abort the
   * rest and hand them back at once (Postgres `queued`, Redis lease released), write pending ends, resolve.
   */
  stop(opts?: { timeoutMs?: number }): Promise<void>
  /** Executions starting or running their steps now. */
  running(): number
  /** Admission control: stop claiming (running executions go on) until resume(). */
  pause(): void
  resume(): void
  readonly paused: boolean
  readonly state: RunnerState
  readonly events: RunnerEvents
}

/** prefetched: claimed ahead during a burst (leased, renewed), not started and holding no slot yet. */
type Phase = 'prefetched' | 'starting' | 'running' | 'finishing'

interface Job {
  id: string
  claim: number
  queued: ClaimedExecution
  phase: Phase
  controller: AbortController
  /** A cancel arrived (pub/sub or poll) for this execution. */
  cancelRequested: boolean
  /** The row as started; null until the start committed. */
  row: StartedExecution | null
  leaseExpiresAtMs: number
  /** No longer ours: nothing may be reported for it. */
  lost: boolean
}

/** What Redis must hear after an end's COMMIT, and the event to emit then. */
interface Settle {
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

class CancelRequested extends Error {
  constructor() {
    super('cancel requested')
    this.name = 'CancelRequested'
  }
}
class LeaseLost extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'LeaseLost'
  }
}
class Shutdown extends Error {
  constructor() {
    super('worker shutting down')
    this.name = 'Shutdown'
  }
}

const STOP_SETTLE_MS = 5000
/** How often fire starts are added to execution_count (unbudgeted schedules). */
const COUNT_FLUSH_MS = 50

export function createRunner(deps: RunnerDeps): Runner {
  const cfg = {
    concurrency: deps.config.concurrency ?? 10,
    leaseMs: deps.config.leaseMs ?? 30_000,
    pollMs: deps.config.pollMs ?? 50,
    flushIntervalMs: deps.config.flushIntervalMs ?? 20,
    flushMaxRows: deps.config.flushMaxRows ?? 200,
    burstFlushDelayMs: deps.config.burstFlushDelayMs ?? 250,
    dbTimeoutMs: deps.config.dbTimeoutMs ?? 5000,
  }
  if (!Number.isInteger(cfg.concurrency) || cfg.concurrency < 1)
    throw new RangeError('concurrency must be >= 1')
  if (!Number.isInteger(cfg.leaseMs) || cfg.leaseMs < 3) throw new RangeError('leaseMs must be >= 3')
  // Ends waiting for the group commit are bounded too: past this, claiming waits for the writer.
  const maxUnwritten = Math.max(10 * cfg.flushMaxRows, 4 * cfg.concurrency)
  // A burst holds back at most this many ends; then they are written back to back until none is left.
  const burstMaxRows = maxUnwritten / 2

  const { workerId, keys } = deps
  const sql = deps.db.sql
  const startSql = (deps.startDb ?? deps.db).sql
  const now = deps.clock ?? Date.now
  const logger = deps.logger.child({ component: 'runner', workerId })
  const queue = createExecutionQueue(deps.redis, keys)
  const events: RunnerEvents = new EventEmitter<RunnerEventMap>()
  /** A listener that throws must not break the runner's bookkeeping. */
  const emit = <K extends keyof RunnerEventMap>(name: K, ...args: RunnerEventMap[K]) => {
    try {
      ;(events.emit as (n: K, ...a: RunnerEventMap[K]) => boolean)(name, ...args)
    } catch (err) {
      logger.error({ err, event: name }, 'runner event listener threw')
    }
  }
  const emitBackoff = (e: RunnerBackoffEvent) => emit('runner.backoff', e)
  const pg = createBackoff('start', logger, emitBackoff)
  const pgWrite = createBackoff('finish', logger, emitBackoff)
  const redisClaim = createBackoff('claim', logger, emitBackoff)
  const redisSettle = createBackoff('redis', logger, emitBackoff)
  const pgCall = <T>(p: Promise<T>) => withDeadline(p, cfg.dbTimeoutMs)
  const workflows = createWorkflowCache((ids) => pgCall(loadWorkflowDefinitions(sql, ids)))
  const wakeup = createWakeup()

  let state: RunnerState = 'idle'
  let paused = false
  // Created here so a malformed OUTBOUND_ALLOWLIST fails at boot (ConfigError), not at the first http step.
  let agent: Agent | undefined = createOutboundAgent(deps.config.outbound)
  let busy = 0
  /** Every execution whose lease this runner holds, by id. */
  const jobs = new Map<string, Job>()
  /** Start batches and step runs in flight (stop waits for them). */
  const inflight = new Set<Promise<void>>()
  const toWrite: Finish[] = []
  const toSettle: Settle[] = []
  const toEnqueue: ReleasedHeldFire[] = []
  /** System events whose outbox rows committed with an end or a start: published to the event stream. */
  const toPublish: OutboxEvent[] = []
  /** Fire starts not yet added to their schedule's execution_count (schedules without maxExecutions). */
  let toCount = new Map<string, number>()
  let countTimer: NodeJS.Timeout | undefined
  let counting: Promise<void> | undefined
  const pendingEnds = () => toWrite.length + toSettle.length + toEnqueue.length + toPublish.length
  /** Started executions aborted by stop(): handed back to the queue. */
  const handBack: Job[] = []
  let loop: Promise<void> | undefined
  /** The last dequeue filled every free slot: more work is likely ready (a burst), so ends may wait. */
  let claimsBusy = false
  /**
   * The ends held back for a burst are being written: no more holding back until every pending end is
   * written (else under sustained load each newly oldest end would restart the wait, and the writer would
   * fall behind the claims).
   */
  let drainingEnds = false
  let renewTimer: NodeJS.Timeout | undefined
  let flushTimer: NodeJS.Timeout | undefined
  let flushing: Promise<void> | undefined
  let channels: { close(): Promise<void> }[] = []
  let ownSubscriber: Redis | undefined
  let stopping: Promise<void> | undefined
  /** stop() writes the last ends itself: no timer may start another flush meanwhile. */
  let finalFlush = false

  const track = (p: Promise<void>) => {
    inflight.add(p)
    p.finally(() => inflight.delete(p)).catch(() => {})
  }

  const base = (job: Job) => ({
    id: job.id,
    attempt: job.row?.attempt ?? job.queued.attempt,
    kind: job.queued.kind,
    tenant: job.queued.tenant,
    workflowId: job.queued.workflowId,
    scheduleId: job.queued.scheduleId,
    workerId,
  })

  function setPhase(job: Job, phase: Phase) {
    const wasBusy = job.phase === 'starting' || job.phase === 'running'
    const isBusy = phase === 'starting' || phase === 'running'
    job.phase = phase
    if (wasBusy && !isBusy) {
      busy--
      wakeup.wake()
    }
  }

  /** Forget an execution without reporting anything for it (it runs, or will run, elsewhere). */
  function dropLost(job: Job, reason: 'lease-lost' | 'lease-expired' | 'not-owner') {
    if (job.lost) return
    job.lost = true
    if (jobs.get(job.id) === job) jobs.delete(job.id)
    if (job.phase !== 'finishing') setPhase(job, 'finishing')
    job.controller.abort(new LeaseLost(reason))
    logger.info({ executionId: job.id, reason }, 'execution no longer ours; not reporting it')
    emit('execution.lost', { id: job.id, workerId, reason })
  }

  /** Done with an execution in Redis (acked, retried, dropped): stop renewing its lease. */
  function release(job: Job) {
    if (job.phase !== 'finishing') setPhase(job, 'finishing')
    if (jobs.get(job.id) === job) jobs.delete(job.id)
  }

  // ---------------------------------------------------------------- claim loop

  /**
   * Claim-ahead during a burst: while every slot is busy (mostly with starts waiting on Postgres) and the last
   * dequeue filled every free slot, the next batch is dequeued at once and kept here, leased and renewed like
   * the others, so it starts the moment slots free up instead of after another dequeue round trip. At most
   * one batch; handed back at once on pause, when the writer falls behind, and at stop.
   */
  let prefetched: Job[] = []

  async function claimLoop() {
    while (state === 'running') {
      const free = cfg.concurrency - busy
      const wait = Math.max(pg.wait(), pgWrite.wait(), redisClaim.wait())
      if (prefetched.length > 0 && (paused || toWrite.length >= maxUnwritten)) {
        await releaseLeases(prefetched.splice(0))
        continue
      }
      if (free > 0 && prefetched.length > 0 && wait === 0) {
        const batch = prefetched.splice(0, free).filter((j) => !j.lost)
        for (const job of batch) {
          job.phase = 'starting'
          busy++
        }
        if (batch.length > 0) track(startBatch(batch))
        continue
      }
      const ahead =
        free <= 0 && claimsBusy && prefetched.length === 0 && !paused && toWrite.length < maxUnwritten
      if (!ahead && (paused || free <= 0 || toWrite.length >= maxUnwritten)) {
        await wakeup.sleep(cfg.pollMs)
        continue
      }
      if (wait > 0) {
        await wakeup.sleep(wait)
        continue
      }
      const count = Math.min(ahead ? cfg.concurrency : free, MAX_BATCH)
      let items: ClaimedExecution[]
      let idleMs = cfg.pollMs
      try {
        const at = now()
        const claimed = await queue.dequeue({
          workerId,
          count,
          leaseMs: cfg.leaseMs,
          now: at,
        })
        items = claimed.items
        const wasBusy = claimsBusy
        claimsBusy = items.length >= count
        // The burst is over: ends held back for it are written now.
        if (wasBusy && !claimsBusy && toWrite.length > 0) kickFlush(0)
        if (!claimsBusy) drainingEnds = false
        // Work recorded ahead (look-ahead fires, retries) is claimed the moment it becomes available, not at
        // the next poll; new ready work wakes the loop through the ready channel.
        if (claimed.nextAvailableAtMs !== null) {
          idleMs = Math.min(idleMs, Math.max(0, claimed.nextAvailableAtMs - at))
        }
        redisClaim.ok()
      } catch (err) {
        redisClaim.fail(err)
        continue
      }
      if (items.length === 0) {
        if (idleMs > 0) await wakeup.sleep(idleMs)
        continue
      }
      const batch: Job[] = []
      for (const item of items) {
        const previous = jobs.get(item.id)
        // Our own expired lease, reclaimed and claimed again by this very dequeue: the old run is stale.
        if (previous) dropLost(previous, 'lease-lost')
        const job: Job = {
          id: item.id,
          claim: item.claim,
          queued: item,
          phase: ahead ? 'prefetched' : 'starting',
          controller: new AbortController(),
          cancelRequested: false,
          row: null,
          leaseExpiresAtMs: item.leaseExpiresAtMs,
          lost: false,
        }
        if (!ahead) busy++
        jobs.set(item.id, job)
        batch.push(job)
      }
      if (ahead) prefetched = batch
      else track(startBatch(batch))
    }
    // Stopping: what was claimed ahead goes back at once (never started).
    await releaseLeases(prefetched.splice(0))
  }

  async function startBatch(batch: Job[]) {
    for (;;) {
      const live = batch.filter((j) => !j.lost)
      if (live.length === 0) return
      if (state !== 'running') {
        // Claimed but not started: hand back at once (no Postgres change to undo).
        await releaseLeases(live)
        return
      }
      const wait = pg.wait()
      if (wait > 0) {
        await wakeup.sleep(wait)
        continue
      }
      let result: StartExecutionsResult
      const nowMs = now()
      try {
        result = await pgCall(
          startExecutions(startSql, {
            candidates: live.map((j) => ({ id: j.id, kind: j.queued.kind, scheduleId: j.queued.scheduleId })),
            workerId,
            nowMs,
          }),
        )
        pg.ok()
      } catch (err) {
        pg.fail(err)
        continue
      }
      applyStart(live, result, nowMs)
      return
    }
  }

  function applyStart(live: Job[], result: StartExecutionsResult, startedAtMs: number) {
    if (result.events.length > 0) {
      toPublish.push(...result.events)
      kickFlush(0)
    }
    if (result.countLater.size > 0) {
      for (const [id, n] of result.countLater) toCount.set(id, (toCount.get(id) ?? 0) + n)
      kickCounts()
    }
    const byId = new Map(live.map((j) => [j.id, j]))
    const handled = new Set<string>()
    for (const row of result.started) {
      const job = byId.get(row.id)
      if (!job) continue
      handled.add(row.id)
      job.row = row
      if (job.lost) continue // lost while the start was in flight: the row says running, the lease says no
      setPhase(job, 'running')
      emit('execution.started', {
        ...base(job),
        attempt: row.attempt,
        scheduledForMs: row.scheduledForMs,
        startedAtMs,
      })
      if (job.cancelRequested) job.controller.abort(new CancelRequested())
      track(runJob(job))
    }
    // Decided at the start without running (cancel requested, overlap skip): ack, then the event.
    const settleUnstarted = (id: string, emitEnd: (job: Job) => void) => {
      const job = byId.get(id)
      if (!job) return
      handled.add(id)
      setPhase(job, 'finishing')
      queueSettle({ job, redis: { op: 'ack' }, emit: () => emitEnd(job), emitted: false })
    }
    for (const c of result.cancelled) {
      settleUnstarted(c.id, (job) =>
        emit('execution.cancelled', { ...base(job), attempt: c.attempt, finishedAtMs: startedAtMs }),
      )
    }
    for (const k of result.skipped) {
      settleUnstarted(k.id, () =>
        emit('fire.skipped', {
          id: k.id,
          scheduleId: k.scheduleId,
          scheduledForMs: k.scheduledForMs,
          workerId,
        }),
      )
    }
    // Gone, finished, held, or a fire over its schedule's maxExecutions: ack and drop.
    const drop = live.filter((j) => !handled.has(j.id) && !j.lost)
    for (const job of drop) setPhase(job, 'finishing')
    if (drop.length > 0) {
      logger.debug({ ids: drop.map((j) => j.id) }, 'dequeued executions not startable; dropped')
      for (const job of drop) queueSettle({ job, redis: { op: 'ack' }, emit: () => {}, emitted: false })
    }
    for (const s of result.completed) {
      const last = result.started
        .filter((row) => row.scheduleId === s.scheduleId && row.kind === 'fire')
        .sort((a, b) => b.scheduledForMs - a.scheduledForMs)[0]
      emit('schedule.completed', { ...s, executionId: last?.id ?? null, workerId })
      // The schedule reached maxExecutions: it will not fire again. The row is already `completed`; the
      // due entry follows (version-guarded). If Redis is away the reconciler and the claimer's version check
      // catch up.
      upsertSchedule(deps.redis, keys, {
        scheduleId: s.scheduleId,
        workflowId: s.workflowId,
        version: s.version,
        nextRunAtMs: null,
        conflictProfile: '',
      }).catch((err) =>
        logger.warn(
          { scheduleId: s.scheduleId, err: message(err) },
          'completed schedule not updated in Redis',
        ),
      )
    }
  }

  // ---------------------------------------------------------------- running

  async function runJob(job: Job) {
    const row = job.row!
    const signal = job.controller.signal
    let result: RunWorkflowResult
    try {
      const workflow = await loadWorkflow(job)
      if (workflow === 'aborted') {
        result = { status: 'aborted', steps: [], error: { message: 'aborted' }, reason: signal.reason }
      } else if (workflow === null) {
        result = { status: 'failed', steps: [], error: { message: `workflow ${row.workflowId} not found` } }
      } else {
        if (!agent) throw new Error('runner stopped')
        const dispatcher = agent
        result = await runWorkflowSteps({
          steps: workflow.steps,
          execution: { id: row.id, scheduledFor: new Date(row.scheduledForMs), attempt: row.attempt },
          input: row.input,
          dispatcher,
          signal,
          timeoutMs: workflow.timeoutMs,
          now,
        })
      }
    } catch (err) {
      // A definition the engine cannot run (bad stored steps) is the attempt's failure, never a stuck slot.
      logger.error({ err, executionId: job.id }, 'step engine failed')
      result = signal.aborted
        ? { status: 'aborted', steps: [], error: { message: 'aborted' }, reason: signal.reason }
        : { status: 'failed', steps: [], error: { message: `internal error: ${message(err)}` } }
    }
    if (job.lost) return // nothing is reported for an execution whose lease was lost
    setPhase(job, 'finishing')
    const endedAtMs = now()
    const durationMs = result.steps.reduce((sum, s) => sum + s.durationMs, 0)

    if (result.status === 'aborted') {
      if (signal.reason instanceof Shutdown) {
        handBack.push(job)
        return
      }
      if (!(signal.reason instanceof CancelRequested)) return
      queueFinish(job, 'cancelled', endedAtMs, null, result.steps, null, { op: 'ack' }, () =>
        emit('execution.cancelled', { ...base(job), attempt: row.attempt, finishedAtMs: endedAtMs }),
      )
      return
    }
    const outcome = attemptOutcome({
      error: result.status === 'succeeded' ? null : result.error,
      attempt: row.attempt,
      retryPolicy: row.retryPolicy as Partial<RetryPolicy> | null,
      nowMs: endedAtMs,
      random: Math.random,
    })
    const attempt = row.attempt
    if (outcome.status === 'succeeded') {
      queueFinish(job, 'succeeded', endedAtMs, null, result.steps, null, { op: 'ack' }, () =>
        emit('execution.succeeded', { ...base(job), attempt, finishedAtMs: endedAtMs, durationMs }),
      )
    } else if (outcome.status === 'retrying') {
      const { error, availableAtMs, nextAttempt, delayMs } = outcome
      const redis = { op: 'retry', availableAtMs, nextAttempt } as const
      queueFinish(job, 'retrying', null, error, result.steps, availableAtMs, redis, () =>
        emit('execution.retrying', { ...base(job), attempt, error, nextAttempt, delayMs, availableAtMs }),
      )
    } else {
      const { error } = outcome
      queueFinish(job, 'dead', endedAtMs, error, result.steps, null, { op: 'ack' }, () =>
        emit('execution.dead', { ...base(job), attempt, error, finishedAtMs: endedAtMs }),
      )
    }
  }

  /** The workflow, retried while Postgres is away (not the execution's fault); 'aborted' if cut meanwhile. */
  async function loadWorkflow(job: Job) {
    const row = job.row!
    for (let failures = 0; ; ) {
      if (job.controller.signal.aborted) return 'aborted' as const
      try {
        return await workflows.get(row.workflowId, row.workflowVersion)
      } catch (err) {
        failures++
        const delay = backoffMs(failures)
        if (failures === 1)
          logger.warn({ executionId: job.id, err: message(err) }, 'workflow not loadable yet')
        await abortableSleep(delay, job.controller.signal)
      }
    }
  }

  // ---------------------------------------------------------------- ends: group commit, then Redis

  function queueFinish(
    job: Job,
    status: FinishRecord['status'],
    finishedAtMs: number | null,
    error: ExecutionError | null,
    steps: StepOutcome[],
    availableAtMs: number | null,
    redis: Settle['redis'],
    emit: () => void,
  ) {
    const row = job.row!
    toWrite.push({
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
    kickFlush(endsDelay())
  }

  /** How long the pending ends may still wait for a burst of claims to pass (0: write them now). */
  function burstDeferMs(): number {
    if (!claimsBusy || drainingEnds || state !== 'running' || finalFlush) return 0
    const first = toWrite[0]
    if (!first || toWrite.length >= burstMaxRows) return 0
    return Math.max(0, cfg.burstFlushDelayMs - (performance.now() - first.queuedAt))
  }

  /** When the pending ends are due to be written. */
  function endsDelay(): number {
    const defer = burstDeferMs()
    if (defer > 0) return defer
    return toWrite.length >= cfg.flushMaxRows ? 0 : cfg.flushIntervalMs
  }

  function queueSettle(s: Settle) {
    toSettle.push(s)
    kickFlush(0)
  }

  function kickFlush(delayMs: number) {
    if (flushing || finalFlush) return // the running flush re-arms itself when it ends; stop() flushes itself
    if (flushTimer) {
      if (delayMs > 0) return
      clearTimeout(flushTimer)
    }
    flushTimer = setTimeout(() => {
      flushTimer = undefined
      flushing = flushOnce().finally(() => {
        flushing = undefined
        if (pendingEnds() === 0) return
        const wait = Math.max(
          toWrite.length > 0 ? pgWrite.wait() : 0,
          toWrite.length === 0 ? redisSettle.wait() : 0,
        )
        kickFlush(Math.max(wait, endsDelay()))
      })
    }, delayMs)
  }

  async function flushOnce() {
    if (toWrite.length > 0 && pgWrite.wait() === 0 && burstDeferMs() === 0) {
      if (claimsBusy) drainingEnds = true
      const batch = toWrite.splice(0, cfg.flushMaxRows).filter((f) => !f.job.lost)
      if (batch.length > 0) {
        try {
          const { results, released, events } = await pgCall(
            finishExecutions(sql, { workerId, records: batch.map((f) => f.record), nowMs: now() }),
          )
          pgWrite.ok()
          const written = new Set(results.filter((r) => r.written).map((r) => r.id))
          for (const f of batch) {
            if (written.has(f.job.id)) toSettle.push(f)
            else dropLost(f.job, 'not-owner')
          }
          toEnqueue.push(...released)
          toPublish.push(...events)
        } catch (err) {
          // Nothing was reported; try again after the backoff (the leases keep being renewed meanwhile).
          toWrite.unshift(...batch)
          pgWrite.fail(err)
        }
      }
      if (toWrite.length === 0) drainingEnds = false
    }
    if ((toSettle.length > 0 || toEnqueue.length > 0 || toPublish.length > 0) && redisSettle.wait() === 0)
      await settle()
  }

  /**
   * execution_count of unbudgeted schedules, added after their fires started (see startExecutions): its own
   * small loop, never in the way of the end writes. A schedule row a scheduler holds locked is skipped and
   * counted at the next turn rather than waited for.
   */
  function kickCounts(delayMs = COUNT_FLUSH_MS) {
    if (countTimer || counting || toCount.size === 0) return
    countTimer = setTimeout(() => {
      countTimer = undefined
      counting = flushCounts().finally(() => {
        counting = undefined
        if (toCount.size > 0 && state !== 'stopped') kickCounts(Math.max(COUNT_FLUSH_MS, pgWrite.wait()))
      })
    }, delayMs)
  }

  async function flushCounts() {
    const batch = toCount
    toCount = new Map()
    try {
      const added = await pgCall(addExecutionCounts(sql, batch))
      for (const [id, n] of batch) if (!added.has(id)) toCount.set(id, (toCount.get(id) ?? 0) + n)
    } catch (err) {
      for (const [id, n] of batch) toCount.set(id, (toCount.get(id) ?? 0) + n)
      logger.debug({ err: message(err) }, 'execution counts not written; retried')
    }
  }

  /**
   * Tell Redis about ends Postgres already holds: ack finals, move retries to the delayed set, publish the
   * system events written with them (beside the acks: one round trip through auto-pipelining).
   */
  async function settle() {
    const batch = toSettle.splice(0)
    const enqueue = toEnqueue.splice(0)
    const publish = toPublish.splice(0)
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
        publishSystemEvents(deps.redis, keys, publish).catch((err: unknown) => {
          toPublish.unshift(...publish)
          throw err
        }),
      ])
      // A lease-lost or not-found answer is fine: Postgres holds the end, whoever claims it next drops it.
    } catch (err) {
      failed = err
    }
    if (enqueue.length > 0 && failed === undefined) {
      try {
        await queue.enqueue(enqueue.map(toEnqueueItem), now())
      } catch (err) {
        failed = err
        toEnqueue.unshift(...enqueue)
      }
    } else if (enqueue.length > 0) {
      toEnqueue.unshift(...enqueue)
    }
    if (failed !== undefined) {
      // Retried later (acks and retryLater are idempotent for the lease holder). Postgres already says so.
      toSettle.unshift(...batch)
      redisSettle.fail(failed)
    } else {
      redisSettle.ok()
    }
    for (const s of batch) {
      if (failed === undefined) release(s.job)
      if (!s.emitted) {
        s.emitted = true
        s.emit()
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

  // ---------------------------------------------------------------- leases and cancels

  async function renewLeases() {
    const held = [...jobs.values()]
    if (held.length > 0) {
      try {
        const { lost, leaseExpiresAtMs } = await queue.renew({
          workerId,
          ids: held.map((j) => ({ id: j.id, claim: j.claim })),
          leaseMs: cfg.leaseMs,
          now: now(),
        })
        const lostIds = new Set(lost)
        for (const job of held) {
          if (lostIds.has(job.id)) dropLost(job, 'lease-lost')
          else job.leaseExpiresAtMs = leaseExpiresAtMs
        }
      } catch (err) {
        logger.warn({ err: message(err), held: held.length }, 'lease renewal failed; retrying')
      }
      // Not renewed past its expiry (Redis away): another worker may have reclaimed it; stop running it.
      const t = now()
      for (const job of held) {
        if (!job.lost && job.phase === 'running' && job.leaseExpiresAtMs <= t) dropLost(job, 'lease-expired')
      }
    }
    // The fallback for a cancel message this runner missed.
    const running = [...jobs.values()].filter((j) => j.phase === 'running' && !j.cancelRequested)
    if (running.length > 0) {
      try {
        const ids = await pgCall(
          findCancelRequested(
            sql,
            running.map((j) => j.id),
          ),
        )
        for (const id of ids) requestCancel(id)
      } catch {
        // Postgres away: the start and finish paths report it.
      }
    }
  }

  function scheduleRenew() {
    renewTimer = setTimeout(
      () => {
        renewLeases().finally(() => {
          if (state === 'running' || state === 'draining') scheduleRenew()
        })
      },
      Math.max(1, Math.floor(cfg.leaseMs / 3)),
    )
  }

  function requestCancel(id: string) {
    const job = jobs.get(id)
    if (!job || job.lost || job.cancelRequested) return
    job.cancelRequested = true
    if (job.phase === 'running') job.controller.abort(new CancelRequested())
    // starting: aborted as soon as the start commits (applyStart); finishing: too late, the end stands.
  }

  // ---------------------------------------------------------------- stop

  async function releaseLeases(list: Job[]) {
    const mine = list.filter((j) => !j.lost)
    for (const j of mine) release(j)
    if (mine.length === 0) return
    try {
      await queue.release({ workerId, ids: mine.map((j) => ({ id: j.id, claim: j.claim })) })
    } catch (err) {
      logger.warn({ err: message(err), count: mine.length }, 'lease release failed; the leases will expire')
    }
  }

  async function settleWithin(ms: number) {
    const deadline = performance.now() + ms
    while (inflight.size > 0 && performance.now() < deadline) {
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 50))])
    }
  }

  async function drain(timeoutMs: number) {
    state = 'draining'
    wakeup.wake()
    await loop
    // Running executions finish on their own for up to timeoutMs.
    await settleWithin(timeoutMs)
    for (const job of jobs.values()) {
      if (job.phase !== 'finishing') job.controller.abort(new Shutdown())
    }
    await settleWithin(STOP_SETTLE_MS)

    // Hand back what was aborted: Postgres first (queued again, same attempt), then the Redis lease.
    const back = handBack.splice(0).filter((j) => !j.lost)
    if (back.length > 0) {
      try {
        await pgCall(
          handBackExecutions(sql, {
            workerId,
            items: back.map((j) => ({ id: j.id, attempt: j.row!.attempt })),
          }),
        )
      } catch (err) {
        logger.warn(
          { err: message(err) },
          'hand-back not written to Postgres; the next start counts an attempt',
        )
      }
      await releaseLeases(back)
    }

    // Write the ends still pending; what cannot be written in time runs again elsewhere (at-least-once).
    finalFlush = true
    clearTimeout(flushTimer)
    flushTimer = undefined
    const deadline = performance.now() + STOP_SETTLE_MS
    while (performance.now() < deadline && pendingEnds() > 0) {
      await flushing
      await flushOnce()
      if (pendingEnds() > 0) await new Promise((r) => setTimeout(r, 50))
    }
    if (toWrite.length > 0) await releaseLeases(toWrite.splice(0).map((f) => f.job))
    // The last execution counts: a few tries (rows a scheduler holds are skipped), then let go.
    clearTimeout(countTimer)
    countTimer = undefined
    await counting
    for (let i = 0; i < 5 && toCount.size > 0 && performance.now() < deadline; i++) {
      await flushCounts()
      if (toCount.size > 0) await new Promise((r) => setTimeout(r, 50))
    }
    // A turn that ended meanwhile may have armed the next one: nothing more after stop.
    clearTimeout(countTimer)
    countTimer = undefined
    if (toCount.size > 0) {
      logger.warn({ schedules: toCount.size }, 'execution counts of started fires not written at stop')
    }

    clearTimeout(renewTimer)
    await Promise.all(channels.map((c) => c.close()))
    if (ownSubscriber) ownSubscriber.disconnect()
    await agent?.destroy().catch(() => {})
    agent = undefined
    state = 'stopped'
    logger.info('runner stopped')
  }

  return {
    start() {
      if (state !== 'idle') return
      state = 'running'
      let subscriber = deps.subscriber
      if (!subscriber) {
        ownSubscriber = deps.redis.duplicate()
        ownSubscriber.on('error', () => {}) // reconnects by itself; an unhandled 'error' would crash
        subscriber = ownSubscriber
      }
      channels = [
        listenOnChannel(subscriber, keys.cancelChannel, requestCancel, logger),
        listenOnChannel(subscriber, keys.readyChannel, () => wakeup.wake(), logger),
      ]
      scheduleRenew()
      loop = claimLoop().catch((err) => {
        // Must never happen (every failure inside is caught); a runner that stops claiming is visible here.
        logger.error({ err }, 'runner claim loop crashed')
      })
      logger.info({ concurrency: cfg.concurrency, leaseMs: cfg.leaseMs }, 'runner started')
    },
    stop(opts = {}) {
      if (state === 'idle') {
        state = 'stopped'
        return Promise.resolve()
      }
      stopping ??= drain(opts.timeoutMs ?? 30_000)
      return stopping
    },
    running: () => busy,
    pause() {
      paused = true
    },
    resume() {
      paused = false
      wakeup.wake()
    },
    get paused() {
      return paused
    },
    get state() {
      return state
    },
    events,
  }
}
