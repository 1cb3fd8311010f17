// The optimizer's execution patterns as the worker keeps them (maintenance/patterns.ts over
// statements/schedule-patterns.ts): one worker at a time, refreshed by the maintenance loop, incremental.
import { uuidv7 } from '@punctual/core'
import { advisoryLocks, createExecutionsRepo } from '@punctual/db'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMaintenanceLoop } from '../src/maintenance/loop.ts'
import { createWorkerMetrics } from '../src/maintenance/metrics.ts'
import { refreshPatterns } from '../src/maintenance/patterns.ts'
import { makeSchedule, setupWorkerTest, type WorkerTestContext } from './helpers.ts'

const DAY = 86_400_000
const silent = pino({ level: 'silent' })
let ctx: WorkerTestContext
beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterAll(async () => {
  await ctx?.close()
})

async function fire(scheduleId: string, workflowId: string, at: number, ms: number) {
  await createExecutionsRepo(ctx.database.db).insert({
    id: uuidv7(at),
    tenant: 'acme',
    kind: 'fire',
    scheduleId,
    workflowId,
    scheduledFor: new Date(at),
    startedAt: new Date(at),
    finishedAt: new Date(at + ms),
    status: 'succeeded',
    attempt: 1,
  })
}

const pattern = async (id: string) =>
  (
    await ctx.database.sql<{ runs: number; p95: number | null }[]>`
      select runs, p95_duration_ms as p95 from schedule_patterns where schedule_id = ${id}`
  )[0]

describe('execution patterns', () => {
  it('are refreshed by one worker at a time, and age out of the 7 days', async () => {
    const s = await makeSchedule(ctx, { cronExpression: '0 * * * *' })
    const now = Date.now()
    await fire(s.id, s.workflowId, now - 2 * DAY, 100)
    await fire(s.id, s.workflowId, now - 3 * 3_600_000, 300)

    // Another worker holds the lock: this one does nothing.
    const other = await ctx.database.sql.reserve()
    try {
      await other`select pg_advisory_lock(${advisoryLocks.namespace}, ${advisoryLocks.patterns})`
      expect(await refreshPatterns({ db: ctx.database, logger: silent, now: () => new Date(now) })).toBeNull()
      expect(await pattern(s.id)).toBeUndefined()
    } finally {
      await other`select pg_advisory_unlock(${advisoryLocks.namespace}, ${advisoryLocks.patterns})`
      other.release()
    }
    const first = await refreshPatterns({ db: ctx.database, logger: silent, now: () => new Date(now) })
    expect(first?.refreshed).toBeGreaterThanOrEqual(1)
    expect(await pattern(s.id)).toEqual({ runs: 2, p95: 300 })

    // Five and a half days later the older run has left the 7 days: recomputed though nothing new ran.
    const later = now + 5.5 * DAY
    await refreshPatterns({ db: ctx.database, logger: silent, now: () => new Date(later) })
    expect(await pattern(s.id)).toEqual({ runs: 1, p95: 300 })
  })

  it('are refreshed by the maintenance loop on its turn', async () => {
    const s = await makeSchedule(ctx, { cronExpression: '*/5 * * * *' })
    await fire(s.id, s.workflowId, Date.now() - 60_000, 40)
    const loop = createMaintenanceLoop({
      db: ctx.database,
      redis: ctx.redis.redis,
      keys: ctx.redis.keys,
      logger: silent,
      metrics: createWorkerMetrics(),
      config: {
        reconcileIntervalMs: 3_600_000,
        receiptPurgeIntervalMs: 3_600_000,
        retentionIntervalMs: 3_600_000,
        patternsIntervalMs: 100,
        retention: { executionDays: 30, deadDays: 90, auditDays: 365, rowsPerSecond: 5000 },
      },
    })
    loop.start()
    try {
      await expect.poll(() => pattern(s.id), { timeout: 5000, interval: 50 }).toEqual({ runs: 1, p95: 40 })
    } finally {
      loop.stop()
    }
  })
})
