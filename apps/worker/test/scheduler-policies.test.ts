import { stableJitterMs, uuidv7 } from '@punctual/core'
import { sleep } from '@punctual/core/testing'
import { createExecutionsRepo, startExecutions, toExecutionDto } from '@punctual/db'
import { createExecutionQueue, createRedis, getDueEntry, waitForReady } from '@punctual/queue'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createScheduler, type Scheduler } from '../src/scheduler/index.ts'
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
let scheduler: Scheduler | undefined

beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterEach(async () => {
  await scheduler?.stop()
  scheduler = undefined
  await deleteAllSchedules(ctx)
})
afterAll(async () => {
  await ctx?.close()
})

function newScheduler(): Scheduler {
  scheduler = createScheduler({
    db: ctx.database,
    redis: ctx.redis.redis,
    keys: ctx.redis.keys,
    workerId: 'policy-test',
    logger: ctx.logger,
  })
  return scheduler
}

const due = (id: string) => getDueEntry(ctx.redis.redis, ctx.redis.keys, id)
const second = (ms: number) => new Date(ms).getUTCSeconds()

/** An execution of the schedule that is already unfinished when its next fire comes. */
async function existingExecution(
  scheduleId: string,
  workflowId: string,
  status: 'queued' | 'running',
  kind: 'fire' | 'manual' = 'manual',
): Promise<string> {
  const id = uuidv7()
  const at = new Date(Date.now() - 60_000).toISOString()
  await ctx.database.sql`
    insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, status, attempt, started_at)
    values (${id}, 'acme', ${kind}, ${scheduleId}, ${workflowId}, ${at}::timestamptz, ${status},
            ${status === 'running' ? 1 : 0}, ${status === 'running' ? at : null}::timestamptz)`
  return id
}

describe('misfire policies on resumption', () => {
  /** Fires 30, 20 and 10 s before the current second (and again each minute); the entry due 30 s ago. */
  async function resumed(overrides: Parameters<typeof makeSchedule>[1]) {
    const base = Math.floor(Date.now() / 1000) * 1000
    const fires = [base - 30_000, base - 20_000, base - 10_000]
    const s = await makeSchedule(ctx, {
      cronExpression: `${fires.map(second).join(',')} * * * * *`,
      nextRunAt: new Date(fires[0]!),
      ...overrides,
    })
    await newScheduler().tick()
    const rows = await fireRows(ctx, s.id)
    return { s, fires, rows, base, statuses: rows.map((r) => [r.scheduledForMs, r.status]) }
  }

  it('fire_once runs the latest missed fire and records the others as missed', async () => {
    const { s, fires, statuses, base } = await resumed({ misfirePolicy: 'fire_once' })
    expect(statuses).toEqual([
      [fires[0], 'missed'],
      [fires[1], 'missed'],
      [fires[2], 'queued'],
    ])
    const row = await scheduleRow(ctx, s.id)
    expect(row).toMatchObject({ missedCount: 2, state: 'active', version: 1 })
    expect(row!.nextRunAt!.getTime()).toBe(base + 30_000)
    expect(await due(s.id)).toEqual({ scoreMs: base + 30_000, version: 1 })
  })

  it('fire_all runs each missed fire in the catch-up window', async () => {
    const { s, fires, statuses } = await resumed({ misfirePolicy: 'fire_all' })
    expect(statuses).toEqual(fires.map((f) => [f, 'queued']))
    expect((await scheduleRow(ctx, s.id))!.missedCount).toBe(0)
    // All three wait in Redis, ready at once (their time has passed).
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    const rows = await fireRows(ctx, s.id)
    for (const r of rows) expect((await queue.get(r.id))?.state).toBe('ready')
  })

  it('skip runs none and records each as missed', async () => {
    const { s, fires, statuses } = await resumed({ misfirePolicy: 'skip' })
    expect(statuses).toEqual(fires.map((f) => [f, 'missed']))
    expect((await scheduleRow(ctx, s.id))!.missedCount).toBe(3)
  })

  it('never runs fires older than catchupWindowMs', async () => {
    const { fires, statuses } = await resumed({ misfirePolicy: 'fire_all', catchupWindowMs: 15_000 })
    expect(statuses).toEqual([
      [fires[0], 'missed'],
      [fires[1], 'missed'],
      [fires[2], 'queued'],
    ])
  })

  it('records at most 100 missed rows per resumption; missedCount counts them all', async () => {
    const base = Math.floor(Date.now() / 1000) * 1000
    const s = await makeSchedule(ctx, {
      cronExpression: '* * * * * *',
      misfirePolicy: 'skip',
      overlapPolicy: 'allow',
      nextRunAt: new Date(base - 150_000),
    })
    const sc = newScheduler()
    const missed = nextEvent(sc.events, 'fire.missed', (e) => e.scheduleId === s.id)
    await sc.tick()
    const [event] = await missed
    const rows = await fireRows(ctx, s.id)
    const missedRows = rows.filter((r) => r.status === 'missed')
    expect(missedRows.length).toBe(100)
    // The earliest ones get rows.
    expect(missedRows[0]!.scheduledForMs).toBe(base - 150_000)
    expect(missedRows[99]!.scheduledForMs).toBe(base - 51_000)
    expect(event.scheduledFor.length).toBe(100)
    expect(event.count).toBeGreaterThanOrEqual(148)
    expect((await scheduleRow(ctx, s.id))!.missedCount).toBe(event.count)
    // The fires on time (within the misfire tolerance) and ahead still run.
    expect(rows.filter((r) => r.status === 'queued').length).toBeGreaterThan(0)
  })
})

describe('overlap policies at fire time', () => {
  it('skip, allow, buffer_one and cancel_previous with an earlier execution still unfinished', async () => {
    const t0 = nextSecond(1200)
    const make = (overlapPolicy: 'skip' | 'allow' | 'buffer_one' | 'cancel_previous') =>
      makeSchedule(ctx, { overlapPolicy, nextRunAt: new Date(t0) })
    const [skip, allow, buffer, cancel] = await Promise.all([
      make('skip'),
      make('allow'),
      make('buffer_one'),
      make('cancel_previous'),
    ])
    for (const s of [skip, allow, buffer]) await existingExecution(s.id, s.workflowId, 'running')
    const running = await existingExecution(cancel.id, cancel.workflowId, 'running')
    const queued = await existingExecution(cancel.id, cancel.workflowId, 'queued', 'fire')
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    await queue.enqueue(
      [
        {
          id: queued,
          priority: 5,
          scheduledForMs: Date.now() - 60_000,
          attempt: 0,
          tenant: 'acme',
          workflowId: cancel.workflowId,
          kind: 'fire',
          scheduleId: cancel.id,
        },
      ],
      Date.now(),
    )
    const subscriber = createRedis(ctx.redis.url, { name: 'cancel-listener' })
    const published: string[] = []
    subscriber.on('message', (_channel: string, id: string) => published.push(id))
    await waitForReady(subscriber, 5000)
    await subscriber.subscribe(ctx.redis.keys.cancelChannel)

    const sc = newScheduler()
    const skipped = collect(sc.events, 'fire.skipped')
    const cancelled = nextEvent(sc.events, 'overlap.cancelled', (e) => e.scheduleId === cancel.id)
    sc.start()
    // Two fires of each schedule: t0 and t0 + 1 s.
    await sleep(t0 + 1300 - Date.now())
    await sc.stop()
    subscriber.disconnect()

    // skip: recorded ahead with the overlap check (the scheduler cannot know yet whether the earlier one ends
    // first); the fire start decides: the earlier execution still runs, so both become skipped, not started.
    const skipRows = await ctx.database.sql<{ id: string; status: string; overlap_check: boolean }[]>`
      select id, status, overlap_check from executions
       where schedule_id = ${skip.id} and kind = 'fire' order by scheduled_for limit 2`
    expect(skipRows.map((r) => [r.status, r.overlap_check])).toEqual([
      ['queued', true],
      ['queued', true],
    ])
    expect(skipped.items.filter((e) => e.scheduleId === skip.id)).toEqual([])
    const atStart = await startExecutions(ctx.database.sql, {
      candidates: skipRows.map((r) => ({ id: r.id, kind: 'fire' as const, scheduleId: skip.id })),
      workerId: 'w-test',
      nowMs: Date.now(),
    })
    expect(atStart.started).toEqual([])
    expect(atStart.skipped.map((k) => k.id).sort()).toEqual(skipRows.map((r) => r.id).sort())
    expect((await fireRows(ctx, skip.id)).slice(0, 2).map((r) => [r.scheduledForMs, r.status])).toEqual([
      [t0, 'skipped'],
      [t0 + 1000, 'skipped'],
    ])

    // allow: runs beside the earlier one.
    const allowRows = await fireRows(ctx, allow.id)
    expect(allowRows.slice(0, 2).map((r) => [r.scheduledForMs, r.status])).toEqual([
      [t0, 'queued'],
      [t0 + 1000, 'queued'],
    ])

    // buffer_one: one waiting fire, held in Postgres and not in Redis; the next one is skipped.
    const bufferRows = await fireRows(ctx, buffer.id)
    expect(bufferRows.slice(0, 2).map((r) => [r.scheduledForMs, r.status, r.held])).toEqual([
      [t0, 'queued', true],
      [t0 + 1000, 'skipped', false],
    ])
    expect(await queue.get(bufferRows[0]!.id)).toBeNull()

    // cancel_previous: the queued one is cancelled (and out of Redis), the running one asked to stop, the new
    // fire queued.
    const [event] = await cancelled
    expect(event.cancelled).toEqual([queued])
    expect(event.cancelRequested).toEqual([running])
    expect(published).toContain(running)
    expect(await queue.get(queued)).toBeNull()
    const states = await ctx.database.sql<{ id: string; status: string; cr: boolean }[]>`
      select id, status, cancel_requested_at is not null as cr from executions where id in (${queued}, ${running})`
    expect(Object.fromEntries(states.map((r) => [r.id, [r.status, r.cr]]))).toEqual({
      [queued]: ['cancelled', false],
      [running]: ['running', true],
    })
    const cancelRows = await fireRows(ctx, cancel.id)
    const first = cancelRows.find((r) => r.scheduledForMs === t0)!
    expect(first.status).toMatch(/^(queued|cancelled)$/) // the t0 + 1 s fire cancels it in turn
    expect(cancelRows.some((r) => r.scheduledForMs === t0 + 1000 && r.status === 'queued')).toBe(true)
  }, 15_000)
})

describe('bounds', () => {
  it('endDate: fires through it inclusively, then the schedule is expired', async () => {
    const t0 = nextSecond(300)
    const s = await makeSchedule(ctx, {
      overlapPolicy: 'allow',
      nextRunAt: new Date(t0),
      endDate: new Date(t0 + 2000).toISOString(),
    })
    const sc = newScheduler()
    const done = nextEvent(sc.events, 'schedule.completed', (e) => e.scheduleId === s.id)
    sc.start()
    const [event] = await done
    expect(event.state).toBe('expired')
    await sleep(t0 + 3500 - Date.now())
    const rows = await fireRows(ctx, s.id)
    expect(rows.map((r) => r.scheduledForMs)).toEqual([t0, t0 + 1000, t0 + 2000])
    expect(await scheduleRow(ctx, s.id)).toMatchObject({ state: 'expired', nextRunAt: null, version: 1 })
    expect(await due(s.id)).toEqual({ scoreMs: null, version: 1 })
  })

  it('maxExecutions: records no fire beyond the budget, counting fires already started', async () => {
    const t0 = nextSecond(300)
    const s = await makeSchedule(ctx, { overlapPolicy: 'allow', nextRunAt: new Date(t0), maxExecutions: 5 })
    // Two fires already ran (the runner's execution_count).
    await ctx.database.sql`update schedules set execution_count = 2 where id = ${s.id}`
    const sc = newScheduler()
    const done = nextEvent(sc.events, 'schedule.completed', (e) => e.scheduleId === s.id)
    sc.start()
    const [event] = await done
    expect(event.state).toBe('completed')
    await sleep(t0 + 4500 - Date.now())
    const rows = await fireRows(ctx, s.id)
    expect(rows.map((r) => [r.scheduledForMs, r.status])).toEqual([
      [t0, 'queued'],
      [t0 + 1000, 'queued'],
      [t0 + 2000, 'queued'],
    ])
    expect(await scheduleRow(ctx, s.id)).toMatchObject({ state: 'completed', nextRunAt: null })
    expect(await due(s.id)).toEqual({ scoreMs: null, version: 1 })
  })

  it('maxExecutions: skipped fires do not spend the budget', async () => {
    const t0 = nextSecond(1200)
    const s = await makeSchedule(ctx, { nextRunAt: new Date(t0), maxExecutions: 1 })
    const earlier = await existingExecution(s.id, s.workflowId, 'running')
    const sc = newScheduler()
    sc.start()
    await nextEvent(sc.events, 'fire.skipped', (e) => e.scheduleId === s.id)
    // The earlier execution ends: the next fire runs, and that one completes the schedule.
    await ctx.database.sql`update executions set status = 'succeeded' where id = ${earlier}`
    const [event] = await nextEvent(sc.events, 'schedule.completed', (e) => e.scheduleId === s.id)
    expect(event.state).toBe('completed')
    const rows = await fireRows(ctx, s.id)
    expect(rows.filter((r) => r.status === 'queued').length).toBe(1)
    expect(rows.every((r) => r.status === 'queued' || r.status === 'skipped')).toBe(true)
  })
})

describe('fire rows', () => {
  it('jitter delays availableAt by a stable amount; scheduledFor stays nominal', async () => {
    const t0 = nextSecond(300)
    const s = await makeSchedule(ctx, { overlapPolicy: 'allow', nextRunAt: new Date(t0), jitterMs: 900 })
    await newScheduler().tick()
    const rows = await fireRows(ctx, s.id)
    expect(rows.length).toBeGreaterThan(0)
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    for (const r of rows) {
      expect(r.scheduledForMs % 1000).toBe(0)
      expect(r.availableAtMs).toBe(r.scheduledForMs + stableJitterMs(s.id, new Date(r.scheduledForMs), 900))
      expect(await queue.get(r.id)).toMatchObject({ state: 'delayed', score: r.availableAtMs })
      // As the API shows it: dueAt is the jittered time, scheduledFor the nominal one.
      const dto = toExecutionDto((await createExecutionsRepo(ctx.database.db).find(s.tenant, r.id))!)
      expect(dto.scheduledFor).toBe(new Date(r.scheduledForMs).toISOString())
      expect(dto.dueAt).toBe(new Date(r.availableAtMs!).toISOString())
    }
  })

  it('copies priority, input and retry policy; records a round in fire time, then priority order', async () => {
    const t0 = nextSecond(300)
    const made = await Promise.all(
      [1, 9, 5].map((priority) =>
        makeSchedule(ctx, {
          overlapPolicy: 'allow',
          nextRunAt: new Date(t0),
          priority,
          input: { p: priority },
        }),
      ),
    )
    const sc = newScheduler()
    const recorded = collect(sc.events, 'fire.recorded')
    await sc.tick()
    const order = recorded.items
      .filter((e) => e.scheduledFor.getTime() === t0)
      .map((e) => made.find((s) => s.id === e.scheduleId)!.priority)
    expect(order).toEqual([9, 5, 1])
    const rows = await ctx.database.sql<{ priority: number; input: { p: number }; retry_policy: unknown }[]>`
      select priority, input, retry_policy from executions where kind = 'fire' and scheduled_for = ${new Date(t0).toISOString()}::timestamptz`
    expect(rows.length).toBe(3)
    for (const r of rows) {
      expect(r.input.p).toBe(r.priority)
      expect(r.retry_policy).toEqual(made[0]!.retryPolicy)
    }
  })
})
