import { uuidv7 } from '@punctual/core'
import { createExecutionsRepo, type NewExecutionRow } from '@punctual/db'
import { createExecutionQueue, createRedis, waitForReady } from '@punctual/queue'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/plugins/auth.ts'
import { createWorkflow, setup, type TestContext } from './helper.ts'

let ctx: TestContext
let wf: { id: string }
let schedule: { id: string }
const queue = () => createExecutionQueue(ctx.redis.redis, ctx.redis.keys)

beforeAll(async () => {
  ctx = await setup()
  wf = await createWorkflow(ctx)
  schedule = await createSchedule({
    input: { a: 1, b: 2 },
    priority: 7,
    retryPolicy: { maxAttempts: 5, jitter: 'none' },
  })
})
afterAll(async () => {
  await ctx?.close()
})

let n = 0
async function createSchedule(body: Record<string, unknown> = {}, tenant = 'acme', workflowId?: string) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/schedules',
    headers: ctx.auth(tenant, 'editor'),
    payload: {
      workflowId: workflowId ?? wf.id,
      name: `s-${++n}`,
      cronExpression: '0 9 * * *',
      ...body,
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

/** Inserts an execution row as a worker would have left it. */
async function craft(row: Partial<NewExecutionRow> & { at?: number } = {}) {
  const { at = Date.now(), ...rest } = row
  const id = uuidv7(at)
  await createExecutionsRepo(ctx.database.db).insert({
    id,
    tenant: 'acme',
    kind: 'fire',
    scheduleId: schedule.id,
    workflowId: wf.id,
    scheduledFor: new Date(at),
    status: 'queued',
    ...rest,
  })
  return id
}

const rowOf = async (id: string) =>
  (
    await ctx.database.sql`
      select *, (extract(epoch from scheduled_for) * 1000)::float8 as scheduled_for_ms
      from executions where id = ${id}`
  )[0]!

async function trigger(scheduleId: string, payload?: unknown, tenant = 'acme', role: Role = 'editor') {
  return ctx.app.inject({
    method: 'POST',
    url: `/api/schedules/${scheduleId}/trigger`,
    headers: ctx.auth(tenant, role),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  })
}

const post = (url: string, tenant = 'acme', role: Role = 'editor') =>
  ctx.app.inject({ method: 'POST', url, headers: ctx.auth(tenant, role) })
const get = (url: string, tenant = 'acme', role: Role = 'viewer') =>
  ctx.app.inject({ url, headers: ctx.auth(tenant, role) })

describe('POST /api/schedules/:id/trigger', () => {
  it('commits a queued manual execution with the merged input and puts it in Redis ready', async () => {
    const before = Date.now()
    const res = await trigger(schedule.id, { input: { b: 3, c: { d: 4 } } })
    expect(res.statusCode, res.body).toBe(202)
    const { executionId } = res.json()
    expect(Object.keys(res.json())).toEqual(['executionId'])

    const row = await rowOf(executionId)
    expect(row).toMatchObject({
      tenant: 'acme',
      kind: 'manual',
      schedule_id: schedule.id,
      workflow_id: wf.id,
      status: 'queued',
      attempt: 0,
      priority: 7,
      retry_of: null,
      input: { a: 1, b: 3, c: { d: 4 } },
      retry_policy: {
        maxAttempts: 5,
        initialDelayMs: 1000,
        backoffMultiplier: 2,
        maxDelayMs: 300000,
        jitter: 'none',
      },
    })
    const scheduledFor = row.scheduled_for_ms as number
    expect(scheduledFor).toBeGreaterThanOrEqual(before)
    expect(scheduledFor).toBeLessThanOrEqual(Date.now())
    expect(row.available_at).toEqual(row.scheduled_for)

    const queued = await queue().get(executionId)
    expect(queued).toMatchObject({
      state: 'ready',
      kind: 'manual',
      priority: 7,
      attempt: 0,
      tenant: 'acme',
      workflowId: wf.id,
      scheduleId: schedule.id,
      scheduledForMs: scheduledFor,
    })

    const dto = (await get(`/api/executions/${executionId}`)).json()
    expect(dto).toMatchObject({
      id: executionId,
      kind: 'manual',
      manual: true,
      status: 'queued',
      attempt: 0,
      scheduleId: schedule.id,
      triggerId: null,
      retryOf: null,
      steps: [],
      input: { a: 1, b: 3, c: { d: 4 } },
    })
    expect(Date.parse(dto.scheduledFor)).toBe(scheduledFor)
  })

  it('runs with the schedule input when the body is absent, and does not touch the schedule', async () => {
    const res = await trigger(schedule.id)
    expect(res.statusCode, res.body).toBe(202)
    expect((await rowOf(res.json().executionId)).input).toEqual({ a: 1, b: 2 })
    const s = (await get(`/api/schedules/${schedule.id}`)).json()
    expect(s).toMatchObject({ executionCount: 0, version: 1, state: 'active' })
  })

  it('triggers a paused schedule too', async () => {
    const paused = await createSchedule()
    expect((await post(`/api/schedules/${paused.id}/pause`)).statusCode).toBe(200)
    const res = await trigger(paused.id, { input: {} })
    expect(res.statusCode, res.body).toBe(202)
    expect(await queue().get(res.json().executionId)).toMatchObject({ state: 'ready' })
  })

  it('is 404 for another tenant, 404 for an unknown id, 400 for a malformed id or body, 403 for a viewer', async () => {
    const other = await trigger(schedule.id, {}, 'globex')
    expect(other.statusCode).toBe(404)
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/)
    expect((await trigger(uuidv7(), {})).statusCode).toBe(404)
    const malformed = await trigger('not-a-uuid', {})
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().errors).toEqual([expect.objectContaining({ path: 'params.id' })])
    const badBody = await trigger(schedule.id, { input: 5, extra: true })
    expect(badBody.statusCode).toBe(400)
    expect(
      badBody
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.extra', 'body.input'])
    const viewer = await trigger(schedule.id, {}, 'acme', 'viewer')
    expect(viewer.statusCode).toBe(403)
    expect(viewer.json().code).toBe('SCHED_ERR_FORBIDDEN')
  })
})

describe('GET /api/schedules/:id/history', () => {
  it('lists the schedule executions newest first, paginated, filtered by status', async () => {
    const s = await createSchedule()
    const t0 = Date.now() - 60_000
    const ids = [
      await craft({ scheduleId: s.id, at: t0, status: 'succeeded' }),
      await craft({ scheduleId: s.id, at: t0 + 1000, status: 'dead' }),
      await craft({ scheduleId: s.id, at: t0 + 2000, status: 'succeeded' }),
      await craft({ scheduleId: s.id, at: t0 + 3000, status: 'skipped' }),
    ]
    const manual = (await trigger(s.id)).json().executionId as string
    // Noise: another schedule's execution and another tenant's.
    await craft({ at: t0 + 500 })
    await craft({ tenant: 'globex', scheduleId: s.id, at: t0 + 600 })

    const newestFirst = [manual, ...ids.slice().reverse()]
    const all = (await get(`/api/schedules/${s.id}/history`)).json()
    expect(all.items.map((e: { id: string }) => e.id)).toEqual(newestFirst)
    expect(all.nextCursor).toBeNull()

    const first = (await get(`/api/schedules/${s.id}/history?limit=2`)).json()
    expect(first.items.map((e: { id: string }) => e.id)).toEqual(newestFirst.slice(0, 2))
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = (await get(`/api/schedules/${s.id}/history?limit=2&cursor=${first.nextCursor}`)).json()
    expect(second.items.map((e: { id: string }) => e.id)).toEqual(newestFirst.slice(2, 4))
    const third = (await get(`/api/schedules/${s.id}/history?limit=2&cursor=${second.nextCursor}`)).json()
    expect(third.items.map((e: { id: string }) => e.id)).toEqual(newestFirst.slice(4))
    expect(third.nextCursor).toBeNull()

    const succeeded = (await get(`/api/schedules/${s.id}/history?status=succeeded`)).json()
    expect(succeeded.items.map((e: { status: string }) => e.status)).toEqual(['succeeded', 'succeeded'])
    expect(succeeded.items.map((e: { manual: boolean }) => e.manual)).toEqual([false, false])
  })

  it('is 404 across tenants and for unknown schedules, 400 for bad ids, cursors and filters', async () => {
    expect((await get(`/api/schedules/${schedule.id}/history`, 'globex')).statusCode).toBe(404)
    expect((await get(`/api/schedules/${uuidv7()}/history`)).statusCode).toBe(404)
    expect((await get('/api/schedules/nope/history')).statusCode).toBe(400)
    const cursor = await get(`/api/schedules/${schedule.id}/history?cursor=garbage`)
    expect(cursor.statusCode).toBe(400)
    expect(cursor.json().errors).toEqual([{ path: 'query.cursor', message: 'is not a valid cursor' }])
    expect((await get(`/api/schedules/${schedule.id}/history?status=done`)).statusCode).toBe(400)
    expect((await get(`/api/schedules/${schedule.id}/history?limit=501`)).statusCode).toBe(400)
  })
})

describe('GET /api/executions', () => {
  it('lists the tenant executions newest first with status, scheduleId and triggerId filters', async () => {
    const s = await createSchedule({}, 'initech', (await createWorkflow(ctx, 'initech')).id)
    const triggerId = uuidv7()
    const t0 = Date.now() - 30_000
    const a = await craft({ tenant: 'initech', scheduleId: s.id, at: t0, status: 'succeeded' })
    const b = await craft({ tenant: 'initech', scheduleId: s.id, at: t0 + 1, status: 'dead' })
    const c = await craft({
      tenant: 'initech',
      kind: 'webhook',
      scheduleId: null,
      triggerId,
      at: t0 + 2,
      status: 'dead',
    })
    const d = await craft({ tenant: 'initech', scheduleId: uuidv7(), at: t0 + 3, status: 'running' })
    const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((e) => e.id)

    expect(ids(await get('/api/executions', 'initech'))).toEqual([d, c, b, a])
    expect(ids(await get('/api/executions?status=dead', 'initech'))).toEqual([c, b])
    expect(ids(await get(`/api/executions?scheduleId=${s.id}`, 'initech'))).toEqual([b, a])
    expect(ids(await get(`/api/executions?scheduleId=${s.id}&status=dead`, 'initech'))).toEqual([b])
    expect(ids(await get(`/api/executions?triggerId=${triggerId}`, 'initech'))).toEqual([c])
    const p1 = (await get('/api/executions?limit=3', 'initech')).json()
    expect(p1.items).toHaveLength(3)
    const p2 = (await get(`/api/executions?limit=3&cursor=${p1.nextCursor}`, 'initech')).json()
    expect(p2).toEqual({ items: [expect.objectContaining({ id: a })], nextCursor: null })
    // Another tenant sees none of them.
    expect(ids(await get(`/api/executions?scheduleId=${s.id}`, 'acme'))).toEqual([])
  })

  it('gets one execution in the Execution shape; 404 across tenants, 400 for a malformed id or filter', async () => {
    const id = await craft({
      status: 'succeeded',
      attempt: 2,
      startedAt: new Date('2026-03-08T07:00:00.100Z'),
      finishedAt: new Date('2026-03-08T07:00:01.100Z'),
      workerId: 'w-1',
      steps: [
        {
          name: 'call',
          type: 'http',
          status: 'succeeded',
          statusCode: 200,
          durationMs: 12,
          startedAt: '2026-03-08T07:00:00.100Z',
        },
      ],
    })
    const res = await get(`/api/executions/${id}`)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      id,
      kind: 'fire',
      manual: false,
      status: 'succeeded',
      attempt: 2,
      workerId: 'w-1',
      startedAt: '2026-03-08T07:00:00.100Z',
      finishedAt: '2026-03-08T07:00:01.100Z',
      steps: [{ name: 'call', statusCode: 200 }],
    })
    const other = await get(`/api/executions/${id}`, 'globex')
    expect(other.statusCode).toBe(404)
    expect(other.json().code).toBe('SCHED_ERR_NOT_FOUND')
    expect((await get('/api/executions/123')).statusCode).toBe(400)
    expect((await get('/api/executions?scheduleId=nope')).statusCode).toBe(400)
    expect((await get('/api/executions?status=nope')).statusCode).toBe(400)
  })
})

describe('POST /api/executions/:id/cancel', () => {
  it('cancels a queued execution at once and takes it out of Redis', async () => {
    const { executionId } = (await trigger(schedule.id)).json()
    expect(await queue().get(executionId)).not.toBeNull()
    const res = await post(`/api/executions/${executionId}/cancel`)
    expect(res.statusCode, res.body).toBe(202)
    expect(res.json()).toMatchObject({ id: executionId, status: 'cancelled', finishedAt: expect.any(String) })
    expect((await rowOf(executionId)).status).toBe('cancelled')
    expect(await queue().get(executionId)).toBeNull()
    // Finished now: a second cancel is 409.
    const again = await post(`/api/executions/${executionId}/cancel`)
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('SCHED_ERR_INVALID_STATE')
  })

  it('cancels a retrying execution waiting in the delayed set', async () => {
    const id = await craft({ status: 'retrying', attempt: 1 })
    await queue().enqueue(
      [
        {
          id,
          priority: 5,
          scheduledForMs: Date.now(),
          availableAtMs: Date.now() + 60_000,
          attempt: 1,
          tenant: 'acme',
          workflowId: wf.id,
          kind: 'fire',
          scheduleId: schedule.id,
        },
      ],
      Date.now(),
    )
    expect(await queue().get(id)).toMatchObject({ state: 'delayed' })
    const res = await post(`/api/executions/${id}/cancel`)
    expect(res.statusCode).toBe(202)
    expect(res.json().status).toBe('cancelled')
    expect(await queue().get(id)).toBeNull()
  })

  it('releases the fire buffer_one held back when the waiting fire it queued behind is cancelled', async () => {
    const s = await createSchedule({ overlapPolicy: 'buffer_one' })
    const t0 = Date.now() - 10_000
    const waiting = await craft({ scheduleId: s.id, at: t0, status: 'queued' })
    const held = await craft({ scheduleId: s.id, at: t0 + 1000, status: 'queued', held: true, priority: 6 })
    // Cancelling the held one itself releases nothing.
    const other = await createSchedule({ overlapPolicy: 'buffer_one' })
    const otherRunning = await craft({ scheduleId: other.id, at: t0, status: 'running' })
    const otherHeld = await craft({ scheduleId: other.id, at: t0 + 1, status: 'queued', held: true })
    expect((await post(`/api/executions/${otherHeld}/cancel`)).json().status).toBe('cancelled')
    expect((await rowOf(otherRunning)).status).toBe('running')

    const res = await post(`/api/executions/${waiting}/cancel`)
    expect(res.statusCode).toBe(202)
    const released = await rowOf(held)
    expect(released).toMatchObject({ status: 'queued', held: false })
    expect(released.enqueued_at).not.toBeNull()
    expect(await queue().get(held)).toMatchObject({
      state: 'ready',
      kind: 'fire',
      priority: 6,
      scheduleId: s.id,
    })
  })

  it('asks the owner of a running execution to abort it: cancel_requested_at set and the id published', async () => {
    const id = await craft({ status: 'running', attempt: 1, startedAt: new Date(), workerId: 'w-7' })
    const subscriber = createRedis(ctx.redis.url, { name: 'test-cancel-subscriber' })
    try {
      await waitForReady(subscriber, 5000)
      const received = new Promise<[string, string]>((resolve) => {
        subscriber.on('message', (channel: string, message: string) => resolve([channel, message]))
      })
      await subscriber.subscribe(ctx.redis.keys.cancelChannel)

      const res = await post(`/api/executions/${id}/cancel`)
      expect(res.statusCode, res.body).toBe(202)
      expect(res.json()).toMatchObject({ id, status: 'running', workerId: 'w-7', finishedAt: null })
      expect(await received).toEqual([ctx.redis.keys.cancelChannel, id])
      const row = await rowOf(id)
      expect(row.status).toBe('running')
      expect(row.cancel_requested_at).not.toBeNull()
      // Asking again while it still runs is harmless and keeps the first request time.
      expect((await post(`/api/executions/${id}/cancel`)).statusCode).toBe(202)
      expect((await rowOf(id)).cancel_requested_at).toEqual(row.cancel_requested_at)
    } finally {
      subscriber.disconnect()
    }
  })

  it('is 409 for every finished status, 404 across tenants, 403 for a viewer, 400 for a malformed id', async () => {
    for (const status of ['succeeded', 'dead', 'skipped', 'missed', 'cancelled'] as const) {
      const id = await craft({ status })
      const res = await post(`/api/executions/${id}/cancel`)
      expect(res.statusCode, status).toBe(409)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect((await rowOf(id)).status).toBe(status)
    }
    const queued = await craft()
    expect((await post(`/api/executions/${queued}/cancel`, 'globex')).statusCode).toBe(404)
    expect((await post(`/api/executions/${queued}/cancel`, 'acme', 'viewer')).statusCode).toBe(403)
    expect((await rowOf(queued)).status).toBe('queued')
    expect((await post(`/api/executions/${uuidv7()}/cancel`)).statusCode).toBe(404)
    expect((await post('/api/executions/xyz/cancel')).statusCode).toBe(400)
  })
})

describe('POST /api/executions/:id/retry', () => {
  it('redrives a dead execution as a new queued redrive execution', async () => {
    const dead = await craft({
      status: 'dead',
      attempt: 3,
      priority: 8,
      input: { order: 42 },
      retryPolicy: {
        maxAttempts: 3,
        initialDelayMs: 10,
        backoffMultiplier: 2,
        maxDelayMs: 100,
        jitter: 'none',
      },
      error: { message: 'step call: HTTP 500', step: 'call', status: 500 },
      at: Date.now() - 3_600_000,
    })
    const before = Date.now()
    const res = await post(`/api/executions/${dead}/retry`)
    expect(res.statusCode, res.body).toBe(202)
    const { executionId } = res.json()
    expect(executionId).not.toBe(dead)
    const row = await rowOf(executionId)
    expect(row).toMatchObject({
      kind: 'redrive',
      status: 'queued',
      attempt: 0,
      retry_of: dead,
      schedule_id: schedule.id,
      workflow_id: wf.id,
      priority: 8,
      input: { order: 42 },
      retry_policy: {
        maxAttempts: 3,
        initialDelayMs: 10,
        backoffMultiplier: 2,
        maxDelayMs: 100,
        jitter: 'none',
      },
      error: null,
    })
    expect(row.scheduled_for_ms).toBeGreaterThanOrEqual(before)
    expect(await queue().get(executionId)).toMatchObject({ state: 'ready', kind: 'redrive', priority: 8 })
    expect((await get(`/api/executions/${executionId}`)).json()).toMatchObject({
      kind: 'redrive',
      retryOf: dead,
      manual: false,
    })
    // The dead one stays dead (it can be redriven again).
    expect((await rowOf(dead)).status).toBe('dead')
  })

  it('is 409 unless dead, 404 across tenants, 403 for a viewer', async () => {
    for (const status of [
      'queued',
      'running',
      'retrying',
      'succeeded',
      'cancelled',
      'skipped',
      'missed',
    ] as const) {
      const id = await craft({ status })
      const res = await post(`/api/executions/${id}/retry`)
      expect(res.statusCode, status).toBe(409)
      expect(res.json().code).toBe('SCHED_ERR_INVALID_STATE')
    }
    const dead = await craft({ status: 'dead' })
    expect((await post(`/api/executions/${dead}/retry`, 'globex')).statusCode).toBe(404)
    expect((await post(`/api/executions/${dead}/retry`, 'acme', 'viewer')).statusCode).toBe(403)
    expect((await post('/api/executions/1/retry')).statusCode).toBe(400)
    const count = await ctx.database.sql`select count(*)::int as c from executions where retry_of = ${dead}`
    expect(count[0]!.c).toBe(0)
  })
})

describe('GET /api/schedules/:id/status', () => {
  it('computes lastExecution, successRate and averageDurationMs from the executions', async () => {
    const s = await createSchedule()
    const t0 = Date.parse('2026-03-01T00:00:00.000Z')
    const ran = (startMs: number, durationMs: number) => ({
      startedAt: new Date(startMs),
      finishedAt: new Date(startMs + durationMs),
    })
    const on = { scheduleId: s.id }
    await craft({ ...on, at: t0, status: 'succeeded', ...ran(t0, 1000) })
    await craft({ ...on, at: t0 + 1, kind: 'manual', status: 'succeeded', ...ran(t0, 3000) })
    await craft({ ...on, at: t0 + 2, status: 'dead', ...ran(t0, 50_000) })
    await craft({ ...on, at: t0 + 3, status: 'cancelled' })
    await craft({ ...on, at: t0 + 4, status: 'skipped' })
    await craft({ ...on, at: t0 + 5, status: 'missed' })
    await craft({ ...on, at: t0 + 6, status: 'running', ...ran(t0, 0), finishedAt: null })
    // Redrives are left out of the rate and the mean (they would count a failure twice).
    const dead = await craft({ ...on, at: t0 + 7, status: 'dead' })
    await craft({
      ...on,
      at: t0 + 8,
      kind: 'redrive',
      retryOf: dead,
      status: 'succeeded',
      ...ran(t0, 90_000),
    })
    // Another tenant's rows on the same schedule id are not counted.
    await craft({ ...on, tenant: 'globex', at: t0 + 9, status: 'dead' })
    const last = await craft({ ...on, at: t0 + 10, kind: 'redrive', retryOf: dead, status: 'queued' })

    const res = await get(`/api/schedules/${s.id}/status`)
    expect(res.statusCode, res.body).toBe(200)
    const status = res.json()
    // 2 succeeded of 2 + 2 dead + 1 cancelled.
    expect(status.successRate).toBeCloseTo(2 / 5, 10)
    expect(status.averageDurationMs).toBeCloseTo(2000, 6)
    expect(status.lastExecution).toMatchObject({ id: last, kind: 'redrive', status: 'queued', retryOf: dead })
    expect(status).toMatchObject({ state: 'active', executionCount: 0, missedCount: 0 })
    expect(status.nextRuns).toHaveLength(5)
  })

  it('leaves the figures null for a schedule without executions, and is 404 across tenants', async () => {
    const s = await createSchedule()
    const status = (await get(`/api/schedules/${s.id}/status`)).json()
    expect(status).toMatchObject({ lastExecution: null, successRate: null, averageDurationMs: null })
    expect((await get(`/api/schedules/${s.id}/status`, 'globex')).statusCode).toBe(404)
  })

  it('gives a null successRate while nothing has finished, and the newest execution of any kind', async () => {
    const s = await createSchedule()
    await craft({ scheduleId: s.id, status: 'skipped' })
    const { executionId } = (await trigger(s.id)).json()
    const status = (await get(`/api/schedules/${s.id}/status`)).json()
    expect(status).toMatchObject({ successRate: null, averageDurationMs: null })
    expect(status.lastExecution).toMatchObject({ id: executionId, manual: true })
  })
})

describe('OpenAPI', () => {
  it('documents the execution routes with their choices', async () => {
    const spec = (await ctx.app.inject({ url: '/openapi.json' })).json()
    for (const path of [
      '/api/schedules/{id}/trigger',
      '/api/schedules/{id}/history',
      '/api/schedules/stats',
      '/api/executions',
      '/api/executions/{id}',
      '/api/executions/{id}/cancel',
      '/api/executions/{id}/retry',
      '/api/workers',
    ]) {
      expect(spec.paths, path).toHaveProperty([path])
    }
    expect(spec.paths['/api/schedules/{id}/trigger'].post.description).toMatch(/still 202/)
    expect(spec.paths['/api/schedules/stats'].get.description).toMatch(
      /the tenant's own depths, nothing of other tenants/,
    )
    expect(spec.paths['/api/executions/{id}/retry'].post.responses).toHaveProperty(['202'])
  })
})
