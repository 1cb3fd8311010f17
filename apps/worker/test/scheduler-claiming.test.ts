import { sleep, waitFor } from '@punctual/core/testing'
import { createDb, type DbHandle } from '@punctual/db'
import { claimDue, createExecutionQueue, createRedis, getDueEntry, type Redis } from '@punctual/queue'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createScheduler, type Scheduler, type SchedulerConfig } from '../src/scheduler/index.ts'
import { recordFires } from '../src/scheduler/record-fires.ts'
import {
  collect,
  deleteAllSchedules,
  fireRows,
  makeSchedule,
  nextEvent,
  nextSecond,
  scheduleRow,
  setupWorkerTest,
  type WorkerTestContext,
} from './helpers.ts'

let ctx: WorkerTestContext
const opened: { scheduler: Scheduler; redis: Redis; db: DbHandle }[] = []

beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterEach(async () => {
  const all = opened.splice(0)
  await Promise.all(all.map((o) => o.scheduler.stop()))
  for (const o of all) {
    o.redis.disconnect()
    await o.db.close()
  }
  await deleteAllSchedules(ctx)
})
afterAll(async () => {
  await ctx?.close()
})

/** A scheduler with its own Redis connection and Postgres pool, as a separate worker process would have. */
function startScheduler(
  workerId: string,
  config: Partial<SchedulerConfig> = {},
  opts: { start?: boolean } = {},
) {
  const redis = createRedis(ctx.redis.url, { name: `test-${workerId}` })
  const db = createDb(ctx.database.url, { max: 3 })
  const scheduler = createScheduler({ db, redis, keys: ctx.redis.keys, workerId, logger: ctx.logger, config })
  opened.push({ scheduler, redis, db })
  if (opts.start ?? true) scheduler.start()
  return scheduler
}

/** Asserts one row per second from `from` through `through`, and no scheduled time twice. */
function expectEverySecond(rows: { scheduledForMs: number }[], from: number, through: number) {
  const times = rows.map((r) => r.scheduledForMs)
  expect(new Set(times).size, 'no (schedule_id, scheduled_for) twice').toBe(times.length)
  const window = times.filter((t) => t >= from && t <= through)
  const expected: number[] = []
  for (let t = from; t <= through; t += 1000) expected.push(t)
  expect(window).toEqual(expected)
}

describe('fire claiming', () => {
  it('three schedulers on one every-second schedule record exactly one fire per second', async () => {
    const t0 = nextSecond(300)
    const allow = await makeSchedule(ctx, { overlapPolicy: 'allow', nextRunAt: new Date(t0) })
    // buffer_one with nothing running the executions: every later fire is decided at its own time (the first
    // one is still queued), so this one exercises the held-claim path across schedulers.
    const buffer = await makeSchedule(ctx, { overlapPolicy: 'buffer_one', nextRunAt: new Date(t0) })
    // Default overlap (skip): recorded ahead like allow; the later fires carry the check to their start.
    const skip = await makeSchedule(ctx, { nextRunAt: new Date(t0) })
    const schedulers = ['a', 'b', 'c'].map((id) => startScheduler(`w-${id}`))
    const recorded = schedulers.map((s) => collect(s.events, 'fire.recorded'))
    await sleep(t0 + 5200 - Date.now())
    await Promise.all(schedulers.map((s) => s.stop()))

    const allowRows = await fireRows(ctx, allow.id)
    expectEverySecond(allowRows, t0, t0 + 5000)
    expect(allowRows.every((r) => r.status === 'queued' && !r.held)).toBe(true)
    // Look-ahead: fires up to about 2 s ahead were recorded, and each waits in Redis (delayed or ready).
    expect(Math.max(...allowRows.map((r) => r.scheduledForMs))).toBeGreaterThanOrEqual(t0 + 6000)
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    for (const r of allowRows) expect(await queue.get(r.id), r.id).not.toBeNull()
    // Each fire was recorded by exactly one of the schedulers.
    const events = recorded.flatMap((c) => c.items).filter((e) => e.scheduleId === allow.id)
    expect(events.map((e) => e.executionId).sort()).toEqual(allowRows.map((r) => r.id).sort())

    const bufferRows = await fireRows(ctx, buffer.id)
    expectEverySecond(bufferRows, t0, t0 + 5000)
    expect(bufferRows.slice(0, 2).map((r) => [r.status, r.held])).toEqual([
      ['queued', false],
      ['queued', true],
    ])
    expect(bufferRows.slice(2).every((r) => r.status === 'skipped')).toBe(true)
    // Decided at the fire's time, never ahead of it.
    expect(Math.max(...bufferRows.map((r) => r.scheduledForMs))).toBeLessThanOrEqual(t0 + 5200)

    const skipRows = await fireRows(ctx, skip.id)
    expectEverySecond(skipRows, t0, t0 + 5000)
    expect(skipRows.map((r) => [r.status, r.overlapCheck])).toEqual(skipRows.map((_, i) => ['queued', i > 0]))
    expect(Math.max(...skipRows.map((r) => r.scheduledForMs))).toBeGreaterThanOrEqual(t0 + 6000)
  }, 20_000)

  it('a claimer dying between recording and completeClaim duplicates nothing once its lease returns the entry', async () => {
    const t0 = nextSecond(400)
    const s = await makeSchedule(ctx, { overlapPolicy: 'allow', nextRunAt: new Date(t0) })
    // The doomed claimer: claims with a short lease, records the fires in Postgres, and dies before its Redis
    // steps (no enqueue, no completeClaim).
    const { claims } = await claimDue(ctx.redis.redis, ctx.redis.keys, {
      workerId: 'doomed',
      now: Date.now(),
      lookaheadMs: 2000,
      max: 10,
      leaseMs: 1000,
    })
    expect(claims.map((c) => c.scheduleId)).toEqual([s.id])
    const record = () =>
      recordFires(
        ctx.database.sql,
        claims.map((claim) => ({ claim })),
        { clock: Date.now, lookaheadMs: 2000 },
      )
    const first = await record()
    // t0, and t0 + 1 s when it is inside the look-ahead already.
    const doomedRows = await fireRows(ctx, s.id)
    expect(first.inserted.size).toBe(doomedRows.length)
    expect(doomedRows[0]!.scheduledForMs).toBe(t0)
    const nextRunAt = doomedRows.at(-1)!.scheduledForMs + 1000
    expect((await scheduleRow(ctx, s.id))!.nextRunAt!.getTime()).toBe(nextRunAt)
    // Recording the same claim again (a retry of the same step) inserts nothing.
    const again = await record()
    expect(again.inserted.size).toBe(0)

    const scheduler = startScheduler('survivor')
    // The entry comes back when the lease ends (its original score, t0) and is claimed again.
    await nextEvent(scheduler.events, 'fire.recorded', (e) => e.scheduleId === s.id, 5000)
    await sleep(nextSecond(2100) - Date.now())
    await scheduler.stop()
    const rows = await fireRows(ctx, s.id)
    expectEverySecond(rows, t0, t0 + 3000)
    // The doomed claimer's fires were never enqueued (the reconciler's job, ensureQueued), and were not recorded
    // a second time; the survivor's were.
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    for (const r of rows) {
      const doomed = doomedRows.some((d) => d.id === r.id)
      expect(await queue.get(r.id), r.id).toEqual(doomed ? null : expect.objectContaining({ id: r.id }))
    }
  }, 20_000)

  it('waits for a schedule row that is not visible yet instead of dropping its entry', async () => {
    const scheduler = startScheduler('patient', {}, { start: false })
    const t0 = nextSecond(300)
    const s = await makeSchedule(ctx, { overlapPolicy: 'allow', nextRunAt: new Date(t0) })
    // An API create writes the index entry before its INSERT commits: emulate the window.
    await ctx.database.sql`update schedules set version = 0 where id = ${s.id}`
    await scheduler.tick()
    expect(await fireRows(ctx, s.id)).toEqual([])
    await ctx.database.sql`update schedules set version = 1 where id = ${s.id}`
    scheduler.start()
    await nextEvent(scheduler.events, 'fire.recorded', (e) => e.scheduleId === s.id, 5000)
    await waitFor('the entry to move on', async () => {
      const entry = await getDueEntry(ctx.redis.redis, ctx.redis.keys, s.id)
      return entry?.scoreMs && entry.scoreMs > t0
    })
  })
})
