import { uuidv7 } from '@punctual/core'
import { createExecutionsRepo, type NewExecutionRow } from '@punctual/db'
import { createExecutionQueue, type EnqueueItem } from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, setup, type TestContext } from './helper.ts'

const HOUR = 3_600_000
let ctx: TestContext
let wf: { id: string }

beforeAll(async () => {
  ctx = await setup()
  wf = await createWorkflow(ctx)
})
afterAll(async () => {
  await ctx?.close()
})

async function craft(row: Partial<NewExecutionRow> & { at: number }) {
  const { at, ...rest } = row
  const id = uuidv7(at)
  await createExecutionsRepo(ctx.database.db).insert({
    id,
    tenant: 'acme',
    kind: 'fire',
    scheduleId: uuidv7(),
    workflowId: wf.id,
    scheduledFor: new Date(at),
    status: 'queued',
    ...rest,
  })
  return id
}

let n = 0
async function createSchedule(tenant = 'acme', workflowId = wf.id) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/schedules',
    headers: ctx.auth(tenant, 'editor'),
    payload: { workflowId, name: `s-${++n}`, cronExpression: '*/5 * * * *' },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

function heartbeat(id: string, lastSeenAt: number, state: 'running' | 'draining' = 'running') {
  return JSON.stringify({
    id,
    host: 'box-1',
    pid: 4242,
    startedAt: new Date(lastSeenAt - 60_000).toISOString(),
    lastSeenAt: new Date(lastSeenAt).toISOString(),
    concurrency: 10,
    running: 3,
    cpuPercent: 12.5,
    rssBytes: 123_456_789,
    eventLoopLagMs: 1.5,
    state,
  })
}

const item = (over: Partial<EnqueueItem> = {}): EnqueueItem => ({
  id: uuidv7(),
  priority: 5,
  scheduledForMs: Date.now(),
  attempt: 0,
  tenant: 'someone-else',
  workflowId: wf.id,
  kind: 'manual',
  ...over,
})

describe('GET /api/schedules/stats, /api/workers and /metrics', () => {
  const now = Date.now()
  let stats: Record<string, unknown>

  beforeAll(async () => {
    // Schedules: 3 active (in the due-index), 1 paused, 1 completed; and one of another tenant.
    const ids = [
      await createSchedule(),
      await createSchedule(),
      await createSchedule(),
      await createSchedule(),
    ]
    const completed = await createSchedule()
    await ctx.app.inject({
      method: 'POST',
      url: `/api/schedules/${ids[3]!.id}/pause`,
      headers: ctx.auth('acme', 'editor'),
    })
    await ctx.database.sql`update schedules set state = 'completed' where id = ${completed.id}`
    await createSchedule('globex', (await createWorkflow(ctx, 'globex')).id)

    // Executions: in the last hour, earlier today, two days ago, and another tenant's.
    const lagsMs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    for (const [i, lag] of lagsMs.entries()) {
      const at = now - 30 * 60_000 + i * 1000
      await craft({ at, status: 'succeeded', startedAt: new Date(at + lag), finishedAt: new Date(at + 500) })
    }
    // Not fires, or not started: no lag.
    await craft({ at: now - 60_000, kind: 'manual', status: 'succeeded', startedAt: new Date(now - 50_000) })
    await craft({ at: now - 60_000, status: 'queued' })
    await craft({ at: now - 60_000, status: 'dead' })
    await craft({ at: now - 3 * HOUR, status: 'dead' })
    await craft({ at: now - 3 * HOUR, status: 'missed', startedAt: null })
    await craft({ at: now - 3 * HOUR, status: 'succeeded', startedAt: new Date(now - 3 * HOUR + 9_999_999) })
    await craft({ at: now - 48 * HOUR, status: 'dead' })
    await craft({ at: now - 48 * HOUR, status: 'succeeded' })
    await craft({ at: now - 60_000, tenant: 'globex', status: 'dead' })
    await craft({ at: now - 60_000, tenant: 'globex', status: 'succeeded', startedAt: new Date(now) })

    // Redis side: acme has 2 ready, 1 delayed, 1 running; another tenant 3 ready (not acme's to see).
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    const acme = { tenant: 'acme' }
    await queue.enqueue([item(acme)], Date.now())
    const claimed = await queue.dequeue({ workerId: 'w-1', count: 1, leaseMs: 60_000, now: Date.now() })
    expect(claimed.items.map((i) => i.tenant)).toEqual(['acme'])
    await queue.enqueue(
      [item(acme), item(acme), item({ ...acme, availableAtMs: Date.now() + HOUR }), item(), item(), item()],
      Date.now(),
    )

    // Heartbeats: two fresh (one draining), one stale, one unreadable.
    await ctx.redis.redis.hset(ctx.redis.keys.workers, {
      'w-fresh': heartbeat('w-fresh', Date.now() - 2000),
      'w-draining': heartbeat('w-draining', Date.now() - 100, 'draining'),
      'w-stale': heartbeat('w-stale', Date.now() - 20_000),
      'w-garbage': '{not json',
    })

    const res = await ctx.app.inject({ url: '/api/schedules/stats', headers: ctx.auth('acme', 'viewer') })
    expect(res.statusCode, res.body).toBe(200)
    stats = res.json()
  })

  it('counts the tenant schedules by state', () => {
    expect(stats.schedules).toEqual({ active: 3, paused: 1, completed: 1, expired: 0 })
  })

  it('counts the tenant executions by status over the last hour and the last day', () => {
    const zero = {
      queued: 0,
      running: 0,
      retrying: 0,
      succeeded: 0,
      dead: 0,
      skipped: 0,
      missed: 0,
      cancelled: 0,
    }
    expect(stats.lastHour).toEqual({ ...zero, succeeded: 11, queued: 1, dead: 1 })
    expect(stats.lastDay).toEqual({ ...zero, succeeded: 12, queued: 1, dead: 2, missed: 1 })
  })

  it('gives firing-lag percentiles of the fires of the last hour (percentile_cont)', () => {
    const lag = stats.firingLagMs as { p50: number; p95: number; p99: number }
    expect(lag.p50).toBeCloseTo(55, 3)
    expect(lag.p95).toBeCloseTo(95.5, 3)
    expect(lag.p99).toBeCloseTo(99.1, 3)
  })

  it("reports the tenant's own queue depths and the live workers", () => {
    // due: acme's 3 active schedules (not the paused one, the completed one, nor globex's);
    // ready / running / retrying: acme's own (the other tenant's 3 ready are not counted).
    expect(stats.queue).toEqual({ due: 3, overdue: 0, ready: 2, running: 1, retrying: 1, dead: 3 })
    expect(stats.workersAlive).toBe(2)
    expect(Date.parse(stats.generatedAt as string)).toBeGreaterThanOrEqual(now)
  })

  it('does not collide with GET /api/schedules/:id', async () => {
    const res = await ctx.app.inject({ url: '/api/schedules/stats', headers: ctx.auth('empty', 'viewer') })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      schedules: { active: 0, paused: 0, completed: 0, expired: 0 },
      firingLagMs: null,
      queue: { due: 0, overdue: 0, ready: 0, running: 0, retrying: 0, dead: 0 },
    })
  })

  it('lists the live workers only (fresh heartbeats), for any role', async () => {
    const res = await ctx.app.inject({ url: '/api/workers', headers: ctx.auth('globex', 'viewer') })
    expect(res.statusCode, res.body).toBe(200)
    const { items } = res.json()
    expect(items.map((w: { id: string }) => w.id)).toEqual(['w-draining', 'w-fresh'])
    expect(items[1]).toEqual(JSON.parse(heartbeat('w-fresh', Date.parse(items[1].lastSeenAt))))
    expect((await ctx.app.inject({ url: '/api/workers' })).statusCode).toBe(401)
  })

  it('exposes queue depths, executions of the last hour and live workers on /metrics', async () => {
    const res = await ctx.app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(200)
    const body = res.body
    // Deployment-wide (operators): acme's 2 and the other tenant's 3.
    expect(body).toContain('punctual_api_queue_depth{queue="ready"} 5')
    expect(body).toContain('punctual_api_queue_depth{queue="delayed"} 1')
    expect(body).toContain('punctual_api_queue_depth{queue="running"} 1')
    expect(body).toContain('punctual_api_queue_depth{queue="due"} 5')
    // All tenants: acme 11 + globex 1 succeeded, 1 dead each.
    expect(body).toContain('punctual_api_executions_last_hour{status="succeeded"} 12')
    expect(body).toContain('punctual_api_executions_last_hour{status="dead"} 2')
    expect(body).toContain('punctual_api_executions_last_hour{status="cancelled"} 0')
    expect(body).toContain('punctual_api_workers_alive{state="running"} 1')
    expect(body).toContain('punctual_api_workers_alive{state="draining"} 1')
  })
})

describe('with Redis unreachable', () => {
  let proxy: TcpProxy
  let faulty: TestContext

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    faulty = await setup({ redisUrl: (base) => proxy.url(base.url) })
  })
  afterAll(async () => {
    await faulty?.close()
    await proxy?.close()
  })

  it('answers stats from Postgres with the Redis figures null, workers 503, metrics without those samples', async () => {
    proxy.cut()
    const t0 = Date.now()
    const res = await faulty.app.inject({
      url: '/api/schedules/stats',
      headers: faulty.auth('acme', 'viewer'),
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      queue: { due: 0, overdue: 0, ready: null, running: null, retrying: null, dead: 0 },
      workersAlive: null,
      schedules: { active: 0 },
    })
    const workers = await faulty.app.inject({ url: '/api/workers', headers: faulty.auth('acme', 'viewer') })
    expect(workers.statusCode).toBe(503)
    expect(workers.headers['content-type']).toMatch(/application\/problem\+json/)
    const metrics = await faulty.app.inject({ url: '/metrics' })
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).not.toContain('punctual_api_queue_depth{')
    expect(metrics.body).toContain('punctual_api_executions_last_hour{status="queued"} 0')
    expect(Date.now() - t0).toBeLessThan(5000)
    proxy.restore()
  })
})
