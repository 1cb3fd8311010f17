import type { ExecutionQueue } from '@punctual/queue'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { EventBus } from '../bus/index.ts'
import type { Runner } from '../runner/index.ts'
import type { Scheduler } from '../scheduler/index.ts'

type Registers = Registry[]
type DepthSource = () => Promise<Record<string, number> | null>

/**
 * The worker's Prometheus metrics, served on WORKER_HTTP_PORT when set (maintenance/http.ts). The groups below register in
 * this order, which is the order of /metrics.
 */
export function createWorkerMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'punctual_worker_' })
  const registers = [registry]
  let depthSource: DepthSource | undefined
  return {
    /** Where queue depths are read from at scrape time. */
    setQueueDepthSource(source: DepthSource) {
      depthSource = source
    },
    registry,
    ...executionMetrics(registers),
    queueDepth: queueDepthGauge(registers, () => depthSource),
    ...durationMetrics(registers),
    ...systemEventMetrics(registers),
    admission: new Gauge({
      name: 'punctual_worker_admission_paused',
      help: '1 while admission control keeps this worker from claiming executions',
      registers,
    }),
    redisEvictionUnsafe: new Gauge({
      name: 'punctual_worker_redis_eviction_unsafe',
      help: "1 when Redis's maxmemory-policy (the label) is not noeviction, read at start; absent when it could not be read",
      labelNames: ['policy'],
      registers,
    }),
  }
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>

/** Fires recorded and executions run by this worker. */
function executionMetrics(registers: Registers) {
  return {
    fires: new Counter({
      name: 'punctual_worker_fires_total',
      help: 'Fires recorded, by outcome (queued, skipped, missed)',
      labelNames: ['outcome'],
      registers,
    }),
    firingLag: new Histogram({
      name: 'punctual_worker_firing_lag_seconds',
      help: 'startedAt - scheduledFor of fire executions',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    executions: new Counter({
      name: 'punctual_worker_executions_total',
      help: 'Execution transitions made by this worker, by status',
      labelNames: ['status'],
      registers,
    }),
    retries: new Counter({
      name: 'punctual_worker_retries_total',
      help: 'Attempts scheduled for retry',
      registers,
    }),
    deadLetters: new Counter({
      name: 'punctual_worker_dead_letters_total',
      help: 'Executions that exhausted their attempts',
      registers,
    }),
  }
}

/** Redis queue depths, read at scrape time from the source the worker sets (none: nothing reported). */
function queueDepthGauge(registers: Registers, source: () => DepthSource | undefined) {
  return new Gauge({
    name: 'punctual_worker_queue_depth',
    help: 'Redis queue depths (deployment-wide), by state',
    labelNames: ['state'],
    registers,
    async collect() {
      const depths = await source()?.().catch(() => null)
      if (!depths) return
      for (const [state, value] of Object.entries(depths)) this.set({ state }, value)
    },
  })
}

/** How long the scheduler's rounds and the reconcile passes take. */
function durationMetrics(registers: Registers) {
  return {
    claimDuration: new Histogram({
      name: 'punctual_worker_claim_duration_seconds',
      help: 'One fire-claiming round',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'punctual_worker_reconcile_duration_seconds',
      help: 'One reconcile pass (Redis repaired from Postgres)',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers,
    }),
    retentionDeleted: new Counter({
      name: 'punctual_worker_retention_deleted_total',
      help: 'Rows deleted by retention passes of this worker, by target (executions, dead, audit)',
      labelNames: ['target'],
      registers,
    }),
    retentionLastRun: new Gauge({
      name: 'punctual_worker_retention_last_run_timestamp_seconds',
      help: 'When this worker last completed a retention pass (unset: never; one worker at a time runs them)',
      registers,
    }),
  }
}

/** The event bus: system events handled, what they started, chains stopped, events published again. */
function systemEventMetrics(registers: Registers) {
  return {
    systemEvents: new Counter({
      name: 'punctual_worker_system_events_total',
      help: 'System events handled by this worker, by type and outcome (started, duplicate, unmatched, subject-gone, too-costly: matching spent the work budget)',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    eventStarts: new Counter({
      name: 'punctual_worker_event_starts_total',
      help: 'Executions started by system events through event triggers',
      registers,
    }),
    chainsStopped: new Counter({
      name: 'punctual_worker_event_chains_stopped_total',
      help: 'Starts refused because their chain of system events looped back onto itself more than 10 times in a row',
      registers,
    }),
    outboxRepublished: new Counter({
      name: 'punctual_worker_outbox_republished_total',
      help: 'System events published again from the outbox (their first publish was lost or never handled)',
      registers,
    }),
  }
}

/** Metrics subscribe to the same lifecycle events the tests await; queue depths are read from `queue`. */
export function subscribeMetrics(
  metrics: WorkerMetrics,
  from: { scheduler: Scheduler; runner: Runner; bus: EventBus; queue: ExecutionQueue },
): void {
  const { scheduler, runner, bus, queue } = from
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
}
