// The worker's maintenance parts alone: admission control applied to the runner, the heartbeat (real Redis),
// the reconcile passes (real Postgres and Redis) and the metrics (their order, and what they subscribe to).
import { getDueEntry } from '@punctual/queue'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyAdmission } from '../src/maintenance/admission.ts'
import { createHeartbeat, createProcessMonitor, type WorkerInfo } from '../src/maintenance/heartbeat.ts'
import { createMaintenanceLoop } from '../src/maintenance/loop.ts'
import { createWorkerMetrics } from '../src/maintenance/metrics.ts'
import { makeSchedule, setupWorkerTest, type WorkerTestContext } from './helpers.ts'

let ctx: WorkerTestContext
beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterAll(async () => {
  await ctx?.close()
})

/** The runner's admission surface: paused, pause(), resume() (and how many executions run). */
function runnerState(running = 0) {
  const calls: string[] = []
  const runner = {
    paused: false,
    pause() {
      calls.push('pause')
      runner.paused = true
    },
    resume() {
      calls.push('resume')
      runner.paused = false
    },
    running: () => running,
  }
  return { runner, calls }
}

const limits = { maxCpuPercent: 50, maxEventLoopLagMs: 100 }
const silent = pino({ level: 'silent' })

describe('applyAdmission', () => {
  it('pauses a running worker over its limits and resumes it once well under them', () => {
    const { runner, calls } = runnerState()
    applyAdmission({ cpuPercent: 60, eventLoopLagMs: 0 }, limits, runner, true, silent)
    // Under the limit but above 80 % of it: stays paused (no flapping at the boundary).
    applyAdmission({ cpuPercent: 45, eventLoopLagMs: 0 }, limits, runner, true, silent)
    applyAdmission({ cpuPercent: 30, eventLoopLagMs: 0 }, limits, runner, true, silent)
    expect(calls).toEqual(['pause', 'resume'])
  })

  it('leaves a worker that is not running (starting or draining) alone', () => {
    const { runner, calls } = runnerState()
    applyAdmission({ cpuPercent: 600, eventLoopLagMs: 600 }, limits, runner, false, silent)
    expect(calls).toEqual([])
  })
})

describe('the heartbeat', () => {
  it('publishes the worker, its state and load, and the admission gauge', async () => {
    const metrics = createWorkerMetrics()
    const monitor = createProcessMonitor()
    const { runner } = runnerState(3)
    let running = true
    const beat = createHeartbeat({
      redis: ctx.redis.redis,
      keys: ctx.redis.keys,
      workerId: 'beating',
      logger: silent,
      monitor,
      runner,
      metrics,
      // Any load is over this limit: the first beat with a sample window pauses claiming.
      limits: { maxCpuPercent: 1e-9, maxEventLoopLagMs: 1e-9, minWindowMs: 0 },
      concurrency: 7,
      isRunning: () => running,
    })
    try {
      // Some CPU inside the sample's window, so the sample is over the limit.
      let spin = 0
      for (const until = performance.now() + 5; performance.now() < until; ) spin++
      expect(spin).toBeGreaterThan(0)
      await beat()
      const read = async () =>
        JSON.parse((await ctx.redis.redis.hget(ctx.redis.keys.workers, 'beating'))!) as WorkerInfo
      const first = await read()
      expect(first).toMatchObject({
        id: 'beating',
        pid: process.pid,
        concurrency: 7,
        running: 3,
        state: 'running',
      })
      expect(runner.paused).toBe(true)
      expect(await metrics.registry.getSingleMetricAsString('punctual_worker_admission_paused')).toMatch(
        / 1$/,
      )
      running = false
      await beat()
      const second = await read()
      expect(second).toMatchObject({ state: 'draining', startedAt: first.startedAt })
      expect(Date.parse(second.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(first.lastSeenAt))
    } finally {
      monitor.stop()
    }
  })
})

describe('the reconcile pass of the maintenance loop', () => {
  it('a pass repairs the due-index and is timed; a pass asked for while one runs is not doubled', async () => {
    const s = await makeSchedule(ctx, { overlapPolicy: 'allow' })
    // Redis lost the entry.
    await ctx.redis.redis.zrem(ctx.redis.keys.due, s.id)
    const metrics = createWorkerMetrics()
    const passes = createMaintenanceLoop({
      db: ctx.database,
      redis: ctx.redis.redis,
      keys: ctx.redis.keys,
      logger: silent,
      metrics,
      config: {
        reconcileIntervalMs: 60_000,
        receiptPurgeIntervalMs: 60_000,
        retentionIntervalMs: 3_600_000,
        patternsIntervalMs: 3_600_000,
        retention: { executionDays: 30, deadDays: 90, auditDays: 365, rowsPerSecond: 5000 },
      },
    })
    await Promise.all([passes.reconcileNow(), passes.reconcileNow()])
    expect((await getDueEntry(ctx.redis.redis, ctx.redis.keys, s.id))?.scoreMs).toBe(s.nextRunAt!.getTime())
    const timed = await metrics.registry.getSingleMetricAsString('punctual_worker_reconcile_duration_seconds')
    expect(timed).toMatch(/punctual_worker_reconcile_duration_seconds_count 1$/m)
  })
})

describe('the worker metrics', () => {
  it('register in the order /metrics shows them', async () => {
    const metrics = createWorkerMetrics()
    const ours = (await metrics.registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((n) => /^punctual_worker_[a-z_]+$/.test(n) && !n.includes('process_') && !n.includes('nodejs_'))
    expect(ours).toEqual([
      'punctual_worker_fires_total',
      'punctual_worker_firing_lag_seconds',
      'punctual_worker_executions_total',
      'punctual_worker_retries_total',
      'punctual_worker_dead_letters_total',
      'punctual_worker_queue_depth',
      'punctual_worker_claim_duration_seconds',
      'punctual_worker_reconcile_duration_seconds',
      'punctual_worker_retention_deleted_total',
      'punctual_worker_retention_last_run_timestamp_seconds',
      'punctual_worker_system_events_total',
      'punctual_worker_event_starts_total',
      'punctual_worker_event_chains_stopped_total',
      'punctual_worker_outbox_republished_total',
      'punctual_worker_admission_paused',
      'punctual_worker_redis_eviction_unsafe',
    ])
  })

  it('reads queue depths from the source the worker sets, at scrape time', async () => {
    const metrics = createWorkerMetrics()
    expect(await metrics.registry.getSingleMetricAsString('punctual_worker_queue_depth')).not.toContain(
      'state=',
    )
    metrics.setQueueDepthSource(async () => ({ ready: 4, due: 2 }))
    const text = await metrics.registry.getSingleMetricAsString('punctual_worker_queue_depth')
    expect(text).toContain('punctual_worker_queue_depth{state="ready"} 4')
    expect(text).toContain('punctual_worker_queue_depth{state="due"} 2')
  })
})
