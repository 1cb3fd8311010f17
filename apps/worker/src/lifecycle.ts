import { createSecretBox, loadSecretKeyRing } from '@punctual/core'
import { type DbHandle, ping } from '@punctual/db'
import {
  checkEvictionPolicy,
  createExecutionQueue,
  evictionPolicyReport,
  type QueueKeys,
  type Redis,
  waitForReady,
} from '@punctual/queue'
import type { Logger } from 'pino'
import { createEventBus } from './bus/index.ts'
import type { WorkerConfig } from './config.ts'
import { errorMessage, withDeadline } from './loop/index.ts'
import { createHeartbeat, createProcessMonitor, removeHeartbeat } from './maintenance/heartbeat.ts'
import type { Readiness } from './maintenance/http.ts'
import { createMaintenanceLoop } from './maintenance/loop.ts'
import { subscribeMetrics, type WorkerMetrics } from './maintenance/metrics.ts'
import { createRunner } from './runner/index.ts'
import { createScheduler, DEFAULT_SCHEDULER_CONFIG } from './scheduler/index.ts'

export type WorkerState = 'starting' | 'running' | 'draining' | 'stopped'

/**
 * A loop that has not gone round for this long is stuck: the worker reports not ready. Every call a loop
 * makes is bounded (Redis command timeouts, Postgres deadlines of at most 30 s), so a healthy loop goes round
 * well within it, backing off or not.
 */
export const LOOP_STALL_MS = 60_000
/** How long /readyz waits for Postgres and for Redis. */
const PROBE_TIMEOUT_MS = 2000

export interface WorkerDeps {
  config: WorkerConfig
  database: DbHandle
  /** The runner's pool for execution starts (asynchronous commit); `database` when absent. */
  startDatabase?: DbHandle
  redis: Redis
  keys: QueueKeys
  logger: Logger
  workerId: string
  metrics: WorkerMetrics
}

/**
 * One worker process: the scheduler (fire claiming), the runner (executions), the system event bus (event
 * triggers on execution.succeeded / execution.dead / schedule.completed) and maintenance (reconcile Redis from
 * Postgres, heartbeat, admission control). Start order: wait for Postgres and Redis (retrying with capped
 * backoff, never exiting because one is down), reconcile once, then the loops. Stop order: stop claiming
 * fires, drain the runner (running executions finish up to WORKER_SHUTDOWN_TIMEOUT_MS, the rest are handed
 * back at once), stop the event bus, then drop the heartbeat and close the connections.
 */
export function createWorker(deps: WorkerDeps) {
  const { config, logger, metrics } = deps
  let state: WorkerState = 'starting'
  const timers: NodeJS.Timeout[] = []
  let wake: (() => void) | undefined
  const stopping = new Promise<void>((resolve) => {
    wake = resolve
  })
  const monitor = createProcessMonitor()
  const { scheduler, runner, bus } = createLoops(deps)
  // Metrics subscribe to the same lifecycle events the tests await.
  subscribeMetrics(metrics, { scheduler, runner, bus, queue: createExecutionQueue(deps.redis, deps.keys) })
  const { maintenance, beat } = createMaintenance(deps, runner, monitor, () => state === 'running')

  return {
    get state() {
      return state
    },
    scheduler,
    runner,
    bus,
    /** GET /readyz: Postgres and Redis answer, and (while running) both loops went round lately. */
    readiness: () => readinessOf(deps, state, [scheduler.lastLoopAtMs, runner.lastLoopAtMs]),
    async start(): Promise<void> {
      if (!(await waitForDependencies(deps, () => state === 'starting', stopping))) return
      await reportEvictionPolicy(deps)
      await maintenance.reconcileNow()
      if (state !== 'starting') return
      // Start-up (module loading, connecting, the full-speed reconcile) is not load: before this reset it
      // counted in the first heartbeat's sample and paused a fresh worker for a whole heartbeat (seen: a
      // worker started on a busy machine claimed nothing for its first ~3 s).
      monitor.reset()
      state = 'running'
      scheduler.start()
      runner.start()
      bus.start()
      await beat()
      timers.push(setInterval(beat, config.WORKER_HEARTBEAT_MS))
      for (const t of timers) t.unref()
      maintenance.start()
      logger.info({ workerId: deps.workerId }, 'ready')
    },
    async stop(): Promise<void> {
      if (state === 'stopped' || state === 'draining') return
      const wasRunning = state === 'running'
      state = 'draining'
      wake?.()
      for (const t of timers) clearInterval(t)
      maintenance.stop()
      if (wasRunning) {
        await beat()
        await scheduler.stop()
        await runner.stop({ timeoutMs: config.WORKER_SHUTDOWN_TIMEOUT_MS })
        // After the runner: its last ends publish their system events; what this worker read and did not
        // handle stays pending and is taken over by another worker.
        await bus.stop()
        await removeHeartbeat(deps.redis, deps.keys, deps.workerId).catch(() => {})
      }
      monitor.stop()
      deps.redis.disconnect()
      await Promise.all([deps.database.close(), deps.startDatabase?.close()])
      state = 'stopped'
      logger.info({ workerId: deps.workerId }, 'stopped')
    },
  }
}

/** The key ring's box (SECRETS_ENCRYPTION_KEYS), as the API builds it. */
function secretBoxOf(config: WorkerConfig) {
  const ring = loadSecretKeyRing(config)
  return createSecretBox(ring.keys, { acceptV1: ring.acceptV1 })
}

/** The worker's three loops, configured from the worker's config: fire claiming, executions, system events. */
function createLoops(deps: WorkerDeps) {
  const { config, logger } = deps
  const scheduler = createScheduler({
    db: deps.database,
    redis: deps.redis,
    keys: deps.keys,
    workerId: deps.workerId,
    logger,
    config: { lookaheadMs: config.WORKER_LOOKAHEAD_MS },
  })
  const runner = createRunner({
    db: deps.database,
    ...(deps.startDatabase && { startDb: deps.startDatabase }),
    redis: deps.redis,
    keys: deps.keys,
    workerId: deps.workerId,
    logger,
    config: {
      concurrency: config.WORKER_CONCURRENCY,
      leaseMs: config.WORKER_LEASE_MS,
      aheadHoldMs: config.WORKER_CLAIM_AHEAD_HOLD_MS,
      aheadMaxRunMs: config.WORKER_CLAIM_AHEAD_MAX_RUN_MS,
      tenantMaxRunning: config.TENANT_MAX_RUNNING ?? 0,
      outbound: { allowPrivate: config.OUTBOUND_ALLOW_PRIVATE, allowlist: config.OUTBOUND_ALLOWLIST },
      secretBox: secretBoxOf(config),
      secretCacheTtlMs: config.WORKER_SECRET_CACHE_TTL_MS,
      signOutbound: config.OUTBOUND_SIGNING,
    },
  })
  const bus = createEventBus({
    db: deps.database,
    redis: deps.redis,
    keys: deps.keys,
    workerId: deps.workerId,
    logger,
    config: {
      redeliverMs: config.WORKER_EVENT_REDELIVER_MS,
      triggerCacheTtlMs: config.TRIGGER_CACHE_TTL_MS,
    },
  })
  return { scheduler, runner, bus }
}

/** Maintenance beside the loops: the periodic jobs (reconcile, receipt purge) and the heartbeat (which applies admission control). */
function createMaintenance(
  deps: WorkerDeps,
  runner: ReturnType<typeof createRunner>,
  monitor: ReturnType<typeof createProcessMonitor>,
  isRunning: () => boolean,
) {
  const { config, logger, metrics } = deps
  const maintenance = createMaintenanceLoop({
    db: deps.database,
    redis: deps.redis,
    keys: deps.keys,
    logger,
    metrics,
    inBurst: () => runner.inBurst(),
    config: {
      claimLeaseMs: DEFAULT_SCHEDULER_CONFIG.claimLeaseMs,
      reconcileIntervalMs: config.WORKER_RECONCILE_INTERVAL_MS,
      receiptPurgeIntervalMs: config.WORKER_RECEIPT_PURGE_INTERVAL_MS,
      retentionIntervalMs: config.WORKER_RETENTION_INTERVAL_MS,
      patternsIntervalMs: config.WORKER_PATTERNS_INTERVAL_MS,
      retention: {
        executionDays: config.EXECUTION_RETENTION_DAYS,
        deadDays: config.DEAD_RETENTION_DAYS,
        auditDays: config.AUDIT_RETENTION_DAYS,
        rowsPerSecond: config.WORKER_RETENTION_ROWS_PER_SECOND,
      },
    },
  })
  const beat = createHeartbeat({
    redis: deps.redis,
    keys: deps.keys,
    workerId: deps.workerId,
    logger,
    monitor,
    runner,
    metrics,
    limits: {
      maxCpuPercent: config.WORKER_MAX_CPU_PERCENT,
      maxEventLoopLagMs: config.WORKER_MAX_EVENT_LOOP_LAG_MS,
      minWindowMs: config.WORKER_HEARTBEAT_MS / 2,
    },
    concurrency: config.WORKER_CONCURRENCY,
    isRunning,
  })
  return { maintenance, beat }
}

/** The worker's readiness in `state`, given when each of its loops last went round. */
async function readinessOf(deps: WorkerDeps, state: WorkerState, loopsAt: number[]): Promise<Readiness> {
  const [postgres, redis] = await Promise.all([
    probe(() => ping(deps.database.sql, { timeoutMs: PROBE_TIMEOUT_MS })),
    probe(() => deps.redis.ping()),
  ])
  const now = Date.now()
  const alive = loopsAt.every((at) => at > 0 && now - at < LOOP_STALL_MS)
  const loops: Readiness['loops'] =
    state === 'draining' ? 'draining' : state !== 'running' ? 'not_started' : alive ? 'alive' : 'stalled'
  const ready = postgres === 'up' && redis === 'up' && (loops === 'alive' || loops === 'draining')
  return { status: ready ? 'ready' : 'not_ready', state, postgres, redis, loops }
}

async function probe(check: () => Promise<unknown>): Promise<'up' | 'down'> {
  try {
    await withDeadline(check(), PROBE_TIMEOUT_MS, 'readiness probe')
    return 'up'
  } catch {
    return 'down'
  }
}

/**
 * Once Redis answers at start: an error line and the metric when its maxmemory-policy is not noeviction, a
 * warning when it cannot be read (a managed Redis refusing CONFIG), never a crash.
 */
async function reportEvictionPolicy(deps: WorkerDeps) {
  const check = await checkEvictionPolicy(deps.redis)
  if (check.ok !== null) deps.metrics.redisEvictionUnsafe.set({ policy: check.policy }, check.ok ? 0 : 1)
  const report = evictionPolicyReport(check)
  if (report) deps.logger[report.level](report.fields, report.msg)
}

/**
 * Start order, first step: Postgres and Redis answer. Retries with capped backoff while the worker is
 * starting (never exits because one is down); false when a stop came first.
 */
async function waitForDependencies(
  deps: WorkerDeps,
  isStarting: () => boolean,
  stopping: Promise<void>,
): Promise<boolean> {
  let delay = 200
  while (isStarting()) {
    try {
      await ping(deps.database.sql, { timeoutMs: 2000 })
      // The client connects in the background; commands fail at once until it is ready (no offline queue).
      await waitForReady(deps.redis, 2000)
      await deps.redis.ping()
      return true
    } catch (err) {
      deps.logger.warn({ err: errorMessage(err), retryInMs: delay }, 'dependencies not reachable yet')
      await Promise.race([new Promise((r) => setTimeout(r, delay)), stopping])
      delay = Math.min(delay * 2, 5000)
    }
  }
  return false
}
