import { EventEmitter } from 'node:events'
import { createSecretBox, loadSecretKeyRing, type SecretBox } from '@punctual/core'
import type { DbHandle } from '@punctual/db'
import { createExecutionQueue, type QueueKeys, type Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { createBackoff, createInflight, createWakeup, withDeadline } from '../loop/index.ts'
import { BatchStart } from './batch-start.ts'
import { listenOnChannel } from './channel-listener.ts'
import { CLAIM_AHEAD_HOLD_MS, CLAIM_AHEAD_MAX_RUN_MS, ClaimLoop } from './claim-loop.ts'
import { EndWriter } from './end-writer.ts'
import type { RunnerBackoffEvent, RunnerEventMap, RunnerEvents } from './events.ts'
import { ExecutionCounts } from './execution-counts.ts'
import { ExecutionRun } from './execution-run.ts'
import { type Job, JobTable } from './job.ts'
import { LeaseKeeper } from './lease-keeper.ts'
import type { OutboundPolicy } from './outbound-agent.ts'
import { createSigningCache } from './outbound-signing.ts'
import { createSecretCache } from './step-secrets.ts'
import { StepWriter } from './step-writer.ts'

/**
 * The runner (issue 3 item 3): claims executions from the Redis queue, starts them in Postgres, runs their
 * steps, and writes their ends back in batches. This file is the coordinator: it validates the config, builds
 * the parts and moves through explicit states (idle → running → draining → stopped).
 *
 * The parts, each tested alone:
 * - job.ts: every execution this runner holds a lease on, and the busy-slot count;
 * - claim-loop.ts: dequeues as many as there are free slots (claim-ahead during a burst), pause/resume;
 * - batch-start.ts: one conditional start statement per dequeued batch; an id whose row is gone or not
 *   startable is acked and dropped. Steps run only after that commit;
 * - execution-run.ts: an attempt's steps, and its outcome as an end (or kept for hand-back at stop);
 * - step-writer.ts: a step's success recorded (history, and the result a later attempt resumes from) before
 *   the next step starts, group-committed across executions;
 * - end-writer.ts: ends group-committed to Postgres, then told to Redis. We MUST NOT ack anything in Redis
 *   before its Postgres row says so (the rule lives there, with the burst hold-back);
 * - lease-keeper.ts: leases renewed every leaseMs/3, lost or expired ones dropped (nothing reported for
 *   them), the cancel fallback poll, releases;
 * - execution-counts.ts: execution_count of unbudgeted schedules, added beside the end writes.
 * Postgres or Redis down: the failing phase backs off (claiming pauses) and resumes by itself; an execution
 * is reported succeeded only after its steps ran. Concurrency counts executions that are starting or running
 * their steps; finished ones waiting for the group commit do not hold a slot (they are bounded separately).
 */

export interface RunnerConfig {
  /** WORKER_CONCURRENCY: executions starting or running at once. Default 10. */
  concurrency?: number
  /** WORKER_LEASE_MS. Default 30000; renewed every leaseMs/3. */
  leaseMs?: number
  /** TENANT_MAX_RUNNING: a tenant's executions running at once across every worker; 0 (default): no cap. */
  tenantMaxRunning?: number
  /** How often an empty queue is polled (ms). Default 50. */
  pollMs?: number
  /**
   * WORKER_CLAIM_AHEAD_HOLD_MS: how long a batch claimed ahead waits for busy slots before it goes back to the
   * queue (claim-loop.ts). Default 250.
   */
  aheadHoldMs?: number
  /**
   * WORKER_CLAIM_AHEAD_MAX_RUN_MS: no claim-ahead while runs have lately held their slots longer than this on
   * average (claim-loop.ts). Default 50.
   */
  aheadMaxRunMs?: number
  outbound: OutboundPolicy
  /** Opens tenant secrets and signing secrets (the key ring). Default: a box over the development key. */
  secretBox?: SecretBox
  /** WORKER_SECRET_CACHE_TTL_MS: how long opened tenant secrets and signing keys are kept (ms). Default 5000. */
  secretCacheTtlMs?: number
  /** OUTBOUND_SIGNING: sign every http step request (Standard Webhooks). Default true. */
  signOutbound?: boolean
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
  /** When the claim loop last went round (epoch ms; 0 before it ran). */
  readonly lastLoopAtMs: number
  /** A burst of claims is under way (ClaimLoop.inBurst): background work may wait for it to pass. */
  inBurst(): boolean
}

const STOP_SETTLE_MS = 5000

type RunnerSettings = Required<
  Omit<RunnerConfig, 'outbound' | 'secretBox' | 'secretCacheTtlMs' | 'signOutbound'>
>

/** The config with its defaults, validated once. */
function settings(config: RunnerConfig): RunnerSettings {
  const cfg = {
    concurrency: config.concurrency ?? 10,
    leaseMs: config.leaseMs ?? 30_000,
    tenantMaxRunning: config.tenantMaxRunning ?? 0,
    pollMs: config.pollMs ?? 50,
    aheadHoldMs: config.aheadHoldMs ?? CLAIM_AHEAD_HOLD_MS,
    aheadMaxRunMs: config.aheadMaxRunMs ?? CLAIM_AHEAD_MAX_RUN_MS,
    flushIntervalMs: config.flushIntervalMs ?? 20,
    flushMaxRows: config.flushMaxRows ?? 200,
    burstFlushDelayMs: config.burstFlushDelayMs ?? 250,
    dbTimeoutMs: config.dbTimeoutMs ?? 5000,
  }
  if (!Number.isInteger(cfg.concurrency) || cfg.concurrency < 1)
    throw new RangeError('concurrency must be >= 1')
  if (!Number.isInteger(cfg.leaseMs) || cfg.leaseMs < 3) throw new RangeError('leaseMs must be >= 3')
  return cfg
}

/** Emits an event; a listener that throws must not break the runner's bookkeeping. */
function safeEmitter(events: RunnerEvents, logger: Logger) {
  return <K extends keyof RunnerEventMap>(name: K, ...args: RunnerEventMap[K]) => {
    try {
      ;(events.emit as (n: K, ...a: RunnerEventMap[K]) => boolean)(name, ...args)
    } catch (err) {
      logger.error({ err, event: name }, 'runner event listener threw')
    }
  }
}

/** The caches behind secrets and signing (step-secrets.ts, outbound-signing.ts), shared by the runner's runs. */
function tenantOutbound(deps: RunnerDeps) {
  const box =
    deps.config.secretBox ??
    createSecretBox(loadSecretKeyRing({ SECRETS_ACCEPT_V1: true, NODE_ENV: 'development' }).keys)
  const ttlMs = deps.config.secretCacheTtlMs ?? 5000
  const sql = deps.db.sql
  return {
    secrets: createSecretCache({ sql, box, ttlMs }),
    signing: deps.config.signOutbound === false ? null : createSigningCache({ sql, box, ttlMs }),
  }
}

/** The parts of one runner, wired to each other; `state` is the coordinator's. */
function buildParts(
  deps: RunnerDeps,
  cfg: RunnerSettings,
  logger: Logger,
  events: RunnerEvents,
  state: () => RunnerState,
) {
  const { workerId, keys, redis } = deps
  const emit = safeEmitter(events, logger)
  const emitBackoff = (e: RunnerBackoffEvent) => emit('runner.backoff', e)
  const pg = createBackoff('start', logger, emitBackoff)
  const pgWrite = createBackoff('finish', logger, emitBackoff)
  const redisClaim = createBackoff('claim', logger, emitBackoff)
  const redisSettle = createBackoff('redis', logger, emitBackoff)
  const wakeup = createWakeup()
  const inflight = createInflight()
  const base = {
    workerId,
    redis,
    keys,
    logger,
    emit,
    wakeup,
    sql: deps.db.sql,
    queue: createExecutionQueue(redis, keys),
    now: deps.clock ?? Date.now,
    pgCall: <T>(p: Promise<T>) => withDeadline(p, cfg.dbTimeoutMs),
    running: () => state() === 'running',
    track: inflight.track,
  }
  const table = new JobTable({ ...base, onFree: wakeup.wake, onLost: (e) => emit('execution.lost', e) })
  const renewing = () => state() === 'running' || state() === 'draining'
  const leases = new LeaseKeeper({ ...base, table, leaseMs: cfg.leaseMs, renewing })
  // What every other part shares: the job table, and the lease keeper's release.
  const shared = { ...base, table, releaseLeases: (jobs: Job[]) => leases.release(jobs) }
  const counts = new ExecutionCounts({
    ...shared,
    pgWait: pgWrite.wait,
    active: () => state() !== 'stopped',
    claimsBusy: () => claims.busy,
    burstDelayMs: cfg.burstFlushDelayMs,
  })
  // Ends waiting for the group commit are bounded too: past this, claiming waits for the writer.
  const maxUnwritten = Math.max(10 * cfg.flushMaxRows, 4 * cfg.concurrency)
  const ends = new EndWriter({
    ...shared,
    pgWrite,
    redisSettle,
    claimsBusy: () => claims.busy,
    config: { ...cfg, maxUnwritten },
  })
  const steps = new StepWriter({ ...shared, pgWrite, maxRows: cfg.flushMaxRows })
  const runs = new ExecutionRun({
    ...shared,
    outbound: deps.config.outbound,
    ends,
    steps,
    ...tenantOutbound(deps),
  })
  const starter = new BatchStart({ ...shared, sql: (deps.startDb ?? deps.db).sql, pg, ends, counts, runs })
  const claims: ClaimLoop = new ClaimLoop({
    ...shared,
    ...cfg,
    ends,
    starter,
    backoffs: { pg, pgWrite, redisClaim },
  })
  return { table, leases, counts, ends, runs, claims, wakeup, inflight, steps }
}

/** A connection of its own for the runner's channels (a subscribed connection runs no other command). */
function duplicateSubscriber(redis: Redis): Redis {
  const subscriber = redis.duplicate()
  subscriber.on('error', () => {}) // reconnects by itself; an unhandled 'error' would crash
  return subscriber
}

export function createRunner(deps: RunnerDeps): Runner {
  const cfg = settings(deps.config)
  const logger = deps.logger.child({ component: 'runner', workerId: deps.workerId })
  const events: RunnerEvents = new EventEmitter<RunnerEventMap>()
  let state: RunnerState = 'idle'
  const { table, leases, counts, ends, runs, claims, wakeup, inflight, steps } = buildParts(
    deps,
    cfg,
    logger,
    events,
    () => state,
  )
  let loop: Promise<void> | undefined
  let channels: { close(): Promise<void> }[] = []
  let ownSubscriber: Redis | undefined
  let stopping: Promise<void> | undefined

  async function drain(timeoutMs: number) {
    state = 'draining'
    wakeup.wake()
    await loop
    // Running executions finish on their own for up to timeoutMs; then the rest is aborted and handed back.
    await inflight.settleWithin(timeoutMs)
    table.abortUnfinished()
    await inflight.settleWithin(STOP_SETTLE_MS)
    steps.close()
    await runs.handBackAborted()
    // The ends still pending, then the last execution counts, within one deadline.
    const deadline = performance.now() + STOP_SETTLE_MS
    await ends.finish(deadline)
    await counts.stop(deadline)
    leases.stop()
    await Promise.all(channels.map((c) => c.close()))
    if (ownSubscriber) ownSubscriber.disconnect()
    await runs.close()
    state = 'stopped'
    logger.info('runner stopped')
  }

  return {
    start() {
      if (state !== 'idle') return
      state = 'running'
      if (!deps.subscriber) ownSubscriber = duplicateSubscriber(deps.redis)
      const subscriber = deps.subscriber ?? ownSubscriber!
      channels = [
        listenOnChannel(subscriber, deps.keys.cancelChannel, (id) => leases.requestCancel(id), logger),
        listenOnChannel(subscriber, deps.keys.readyChannel, () => wakeup.wake(), logger),
      ]
      leases.start()
      loop = claims.run().catch((err) => {
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
    running: () => table.busy,
    pause: () => claims.pause(),
    resume: () => claims.resume(),
    get paused() {
      return claims.paused
    },
    get state() {
      return state
    },
    get lastLoopAtMs() {
      return claims.lastLoopAtMs
    },
    inBurst: () => claims.inBurst,
    events,
  }
}
