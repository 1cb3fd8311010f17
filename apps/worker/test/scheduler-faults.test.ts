import { sleep, waitFor } from '@punctual/core/testing'
import { createDb } from '@punctual/db'
import { createExecutionQueue, createRedis } from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createScheduler, type RoundFailedEvent, type Scheduler } from '../src/scheduler/index.ts'
import {
  collect,
  deleteAllSchedules,
  fireRows,
  makeSchedule,
  nextEvent,
  nextSecond,
  setupWorkerTest,
  type WorkerTestContext,
} from './helpers.ts'

let ctx: WorkerTestContext
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
  await deleteAllSchedules(ctx)
})
afterAll(async () => {
  await ctx?.close()
})

function url(raw: string) {
  const u = new URL(raw)
  return { host: u.hostname, port: Number(u.port) }
}

/** fire_all inside a catch-up window: every fire due while the scheduler was cut off still runs. */
async function everySecondSchedule(t0: number) {
  return makeSchedule(ctx, {
    overlapPolicy: 'allow',
    misfirePolicy: 'fire_all',
    catchupWindowMs: 60_000,
    nextRunAt: new Date(t0),
  })
}

async function expectContiguous(scheduleId: string, from: number, through: number) {
  const rows = await fireRows(ctx, scheduleId)
  const times = rows.map((r) => r.scheduledForMs)
  expect(new Set(times).size).toBe(times.length)
  const expected: number[] = []
  for (let t = from; t <= through; t += 1000) expected.push(t)
  expect(times.filter((t) => t <= through)).toEqual(expected)
  expect(rows.every((r) => r.status === 'queued')).toBe(true)
  return rows
}

describe('dependencies going away', () => {
  it('Redis down: the loop backs off, resumes by itself, and records the fires due meanwhile', async () => {
    const proxy: TcpProxy = await startTcpProxy(url(ctx.redis.url))
    const redis = createRedis(proxy.url(ctx.redis.url), { name: 'scheduler-behind-proxy' })
    const scheduler: Scheduler = createScheduler({
      db: ctx.database,
      redis,
      keys: ctx.redis.keys,
      workerId: 'flaky-redis',
      logger: ctx.logger,
    })
    cleanups.push(
      () => proxy.close(),
      () => redis.disconnect(),
      () => scheduler.stop(),
    )
    const t0 = nextSecond(300)
    const s = await everySecondSchedule(t0)
    scheduler.start()
    await nextEvent(scheduler.events, 'fire.recorded', (e) => e.scheduleId === s.id)

    const failures = collect(scheduler.events, 'round.failed')
    proxy.cut()
    const cutAt = Date.now()
    await waitFor('a few failed rounds', () => failures.items.length >= 3)
    await sleep(cutAt + 4000 - Date.now())
    expect(scheduler.state).toBe('running')
    const backoffs = failures.items.map((f: RoundFailedEvent) => f.retryInMs)
    expect(Math.max(...backoffs)).toBeLessThanOrEqual(5000)
    expect(failures.items.at(-1)!.failures).toBe(failures.items.length)

    proxy.restore()
    const restoredAt = Date.now()
    // Recovery: the fires that came due during the cut are recorded (fire_all), then on-time ones again.
    await nextEvent(
      scheduler.events,
      'fire.recorded',
      (e) => e.scheduleId === s.id && e.scheduledFor.getTime() > restoredAt,
      10_000,
    )
    await scheduler.stop()
    const rows = await expectContiguous(s.id, t0, Math.floor(restoredAt / 1000) * 1000 + 1000)
    // Every recorded fire reached the Redis queue (the steps owed at the cut were retried after it).
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    for (const r of rows) expect(await queue.get(r.id), r.id).not.toBeNull()
  }, 30_000)

  it('Postgres down: claims go back, the loop backs off and resumes, nothing lost or doubled', async () => {
    const proxy = await startTcpProxy(url(ctx.database.url))
    const db = createDb(proxy.url(ctx.database.url), { max: 3, connectTimeoutSeconds: 1 })
    const scheduler = createScheduler({
      db,
      redis: ctx.redis.redis,
      keys: ctx.redis.keys,
      workerId: 'flaky-postgres',
      logger: ctx.logger,
    })
    cleanups.push(
      () => proxy.close(),
      () => db.close(),
      () => scheduler.stop(),
    )
    const t0 = nextSecond(300)
    const s = await everySecondSchedule(t0)
    scheduler.start()
    await nextEvent(scheduler.events, 'fire.recorded', (e) => e.scheduleId === s.id)
    const failures = collect(scheduler.events, 'round.failed')
    proxy.cut()
    const cutAt = Date.now()
    // A connection the far end accepts and closes makes postgres.js wait forever: the round's deadline fails it.
    await waitFor('a failed round', () => failures.items.length >= 1, { timeoutMs: 15_000 })
    await sleep(cutAt + 3000 - Date.now())
    proxy.restore()
    const restoredAt = Date.now()
    await nextEvent(
      scheduler.events,
      'fire.recorded',
      (e) => e.scheduleId === s.id && e.scheduledFor.getTime() > restoredAt,
      15_000,
    )
    await scheduler.stop()
    expect(failures.items.length).toBeGreaterThanOrEqual(1)
    await expectContiguous(s.id, t0, Math.floor(restoredAt / 1000) * 1000 + 1000)
  }, 30_000)

  it('stop() hands held claims back at once', async () => {
    const t0 = nextSecond(1200)
    // buffer_one with an unfinished execution: the claim is held until the fire's time.
    const s = await makeSchedule(ctx, { overlapPolicy: 'buffer_one', nextRunAt: new Date(t0) })
    await ctx.database.sql`
      insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, status, attempt)
      values (gen_random_uuid(), 'acme', 'manual', ${s.id}, ${s.workflowId}, now(), 'running', 1)`
    const scheduler = createScheduler({
      db: ctx.database,
      redis: ctx.redis.redis,
      keys: ctx.redis.keys,
      workerId: 'holder',
      logger: ctx.logger,
    })
    const [round] = await Promise.all([
      nextEvent(scheduler.events, 'round', (r) => r.held > 0),
      scheduler.tick(),
    ])
    expect(round[0].held).toBe(1)
    expect(await ctx.redis.redis.zscore(ctx.redis.keys.dueClaims, s.id)).not.toBeNull()
    await scheduler.stop()
    expect(scheduler.state).toBe('stopped')
    expect(await ctx.redis.redis.zscore(ctx.redis.keys.dueClaims, s.id)).toBeNull()
    expect(Number(await ctx.redis.redis.zscore(ctx.redis.keys.due, s.id))).toBe(t0)
  })
})
