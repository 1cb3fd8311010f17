import { type DbHandle, ping } from '@punctual/db'
import { createExecutionQueue, type QueueKeys, type Redis, waitForReady } from '@punctual/queue'
import type { Logger } from 'pino'
import { createEventBus } from './bus/index.ts'
import type { WorkerConfig } from './config.ts'
import { admissionDecision } from './maintenance/admission.ts'
import {
  createProcessMonitor,
  hostname,
  pruneHeartbeats,
  publishHeartbeat,
  removeHeartbeat,
  type WorkerInfo,
} from './maintenance/heartbeat.ts'
import { createMaintenanceLoop } from './maintenance/loop.ts'
import type { WorkerMetrics } from './maintenance/metrics.ts'
import { createRunner } from './runner/index.ts'
import { createScheduler } from './scheduler/index.ts'

export type WorkerState = 'starting' | 'running' | 'draining' | 'stopped'

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
 * Postgres, receipt purging, heartbeat, admission control: maintenance/). Start order: wait for Postgres and
 * Redis (retrying with capped backoff, never exiting because one is down), reconcile once, then the loops
 * (maintenance/loop.ts runs the periodic jobs). Stop order: stop claiming fires, drain the runner (running
 * executions finish up to WORKER_SHUTDOWN_TIMEOUT_MS, the rest are handed back at once), stop the event bus,
 * then drop the heartbeat and close the connections.
 */
export function createWorker(deps: WorkerDeps) {
  const { config, logger, metrics } = deps
  let state: WorkerState = 'starting'
  const startedAt = new Date().toISOString()
  const timers: NodeJS.Timeout[] = []
  let wake: (() => void) | undefined
  const stopping = new Promise<void>((resolve) => {
    wake = resolve
  })
  const monitor = createProcessMonitor()
  const queue = createExecutionQueue(deps.redis, deps.keys)

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
      outbound: { allowPrivate: config.OUTBOUND_ALLOW_PRIVATE, allowlist: config.OUTBOUND_ALLOWLIST },
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

  const maintenance = createMaintenanceLoop({
    db: deps.database,
    redis: deps.redis,
    keys: deps.keys,
    logger,
    metrics,
    config: {
      reconcileIntervalMs: config.WORKER_RECONCILE_INTERVAL_MS,
      receiptPurgeIntervalMs: config.WORKER_RECEIPT_PURGE_INTERVAL_MS,
    },
  })

  // Metrics subscribe to the same lifecycle events the tests await.
  scheduler.events.on('round', (e) => metrics.claimDuration.observe(e.durationMs / 1000))
  scheduler.events.on('fire.recorded', () => metrics.fires.inc({ outcome: 'queued' }))
  scheduler.events.on('fire.skipped', () => metrics.fires.inc({ outcome: 'skipped' }))
  scheduler.events.on('fire.missed', (e) => metrics.fires.inc({ outcome: 'missed' }, e.count))
  runner.events.on('execution.started', (e) => {
    metrics.executions.inc({ status: 'running' })
    if (e.kind === 'fire' && e.attempt === 1)
      metrics.firingLag.observe((e.startedAtMs - e.scheduledForMs) / 1000)
  })
  runner.events.on('execution.succeeded', () => metrics.executions.inc({ status: 'succeeded' }))
  runner.events.on('execution.retrying', () => {
    metrics.executions.inc({ status: 'retrying' })
    metrics.retries.inc()
  })
  runner.events.on('execution.dead', () => {
    metrics.executions.inc({ status: 'dead' })
    metrics.deadLetters.inc()
  })
  runner.events.on('execution.cancelled', () => metrics.executions.inc({ status: 'cancelled' }))
  runner.events.on('fire.skipped', () => metrics.fires.inc({ outcome: 'skipped' }))
  bus.events.on('event.handled', (e) => {
    metrics.systemEvents.inc({ type: e.type, outcome: e.outcome })
    if (e.outcome === 'started') metrics.eventStarts.inc(e.executionIds.length)
  })
  bus.events.on('chain.stopped', () => metrics.chainsStopped.inc())
  bus.events.on('outbox.republished', (e) => metrics.outboxRepublished.inc(e.count))
  metrics.setQueueDepthSource(async () => {
    const stats = await queue.stats()
    return { ready: stats.ready, delayed: stats.delayed, running: stats.running, due: stats.dueSchedules }
  })

  async function waitForDependencies(): Promise<boolean> {
    let delay = 200
    while (state === 'starting') {
      try {
        await ping(deps.database.sql, { timeoutMs: 2000 })
        // The client connects in the background; commands fail at once until it is ready (no offline queue).
        await waitForReady(deps.redis, 2000)
        await deps.redis.ping()
        return true
      } catch (err) {
        logger.warn({ err: (err as Error).message, retryInMs: delay }, 'dependencies not reachable yet')
        await Promise.race([new Promise((r) => setTimeout(r, delay)), stopping])
        delay = Math.min(delay * 2, 5000)
      }
    }
    return false
  }

  function info(): WorkerInfo {
    const sample = monitor.sample()
    // Admission control: over its CPU or event-loop-lag limit the worker stops claiming executions until it
    // recovers; fire claiming goes on (fires wait in the queue for a worker with room).
    const decision = admissionDecision(
      sample,
      {
        maxCpuPercent: config.WORKER_MAX_CPU_PERCENT,
        maxEventLoopLagMs: config.WORKER_MAX_EVENT_LOOP_LAG_MS,
        minWindowMs: config.WORKER_HEARTBEAT_MS / 2,
      },
      runner.paused,
    )
    if (state === 'running' && decision === 'pause') {
      logger.warn(sample, 'over the load limit: pausing execution claiming')
      runner.pause()
    } else if (state === 'running' && decision === 'resume') {
      logger.info(sample, 'back under the load limit: claiming executions again')
      runner.resume()
    }
    metrics.admission.set(runner.paused ? 1 : 0)
    const now = new Date().toISOString()
    return {
      id: deps.workerId,
      host: hostname,
      pid: process.pid,
      startedAt,
      lastSeenAt: now,
      concurrency: config.WORKER_CONCURRENCY,
      running: runner.running(),
      cpuPercent: Math.round(sample.cpuPercent * 10) / 10,
      rssBytes: sample.rssBytes,
      eventLoopLagMs: Math.round(sample.eventLoopLagMs * 10) / 10,
      state: state === 'running' ? 'running' : 'draining',
    }
  }

  async function beat() {
    try {
      await publishHeartbeat(deps.redis, deps.keys, info())
      if (Math.random() < 0.1) await pruneHeartbeats(deps.redis, deps.keys, Date.now())
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'heartbeat not published')
    }
  }

  return {
    get state() {
      return state
    },
    scheduler,
    runner,
    bus,
    async start(): Promise<void> {
      if (!(await waitForDependencies())) return
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
