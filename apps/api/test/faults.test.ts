import { sleep } from '@punctual/core/testing'
import { getDueEntry } from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, setup, type TestContext } from './helper.ts'

describe('Redis unreachable', () => {
  let proxy: TcpProxy
  let ctx: TestContext

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    ctx = await setup({ redisUrl: (base) => proxy.url(base.url) })
  })
  afterAll(async () => {
    await ctx?.close()
    await proxy?.close()
  })

  it('answers writes with 503 within 5 s leaving Postgres unchanged, keeps reads working, and recovers', async () => {
    const wf = await createWorkflow(ctx)
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: ctx.auth(),
      payload: { workflowId: wf.id, name: 'before', cronExpression: '*/5 * * * *' },
    })
    expect(created.statusCode).toBe(201)
    const s = created.json()

    proxy.cut()
    const t0 = Date.now()
    const write = await ctx.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: ctx.auth(),
      payload: { workflowId: wf.id, name: 'during', cronExpression: '*/5 * * * *' },
    })
    expect(write.statusCode).toBe(503)
    expect(write.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(Date.now() - t0).toBeLessThan(5000)

    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/schedules/${s.id}`,
      headers: ctx.auth(),
      payload: { cronExpression: '0 0 * * *' },
    })
    expect(patch.statusCode).toBe(503)
    for (const action of ['pause', 'resume']) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/schedules/${s.id}/${action}`,
        headers: ctx.auth(),
      })
      expect(res.statusCode).toBe(503)
    }
    expect(
      (await ctx.app.inject({ method: 'DELETE', url: `/api/schedules/${s.id}`, headers: ctx.auth() }))
        .statusCode,
    ).toBe(503)

    // Postgres is unchanged: no 'during' row, the schedule still at version 1 with its old expression.
    const rows = await ctx.database
      .sql`select name, version, cron_expression, state from schedules order by name`
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { name: 'before', version: 1, cron_expression: '*/5 * * * *', state: 'active' },
    ])

    // Reads are served from Postgres; the rate limiter fails open.
    const read = await ctx.app.inject({ url: `/api/schedules/${s.id}`, headers: ctx.auth() })
    expect(read.statusCode).toBe(200)
    expect((await ctx.app.inject({ url: '/healthz' })).statusCode).toBe(200)
    const ready = await ctx.app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ postgres: 'up', redis: 'down' })

    proxy.restore()
    let recovered = 0
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      await sleep(200)
      recovered = (await ctx.app.inject({ url: '/readyz' })).statusCode
    }
    expect(recovered).toBe(200)
    const after = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/schedules/${s.id}`,
      headers: ctx.auth(),
      payload: { cronExpression: '0 0 * * *' },
    })
    expect(after.statusCode).toBe(200)
    expect(after.json().version).toBe(2)
    expect(await getDueEntry(ctx.redis.redis, ctx.redis.keys, s.id)).toEqual({
      scoreMs: Date.parse(after.json().nextRunAt),
      version: 2,
    })
  })

  it('answers 503 within 5 s when Redis stalls (no reset, just silence)', async () => {
    const wf = await createWorkflow(ctx)
    proxy.stall()
    try {
      const t0 = Date.now()
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/schedules',
        headers: ctx.auth(),
        payload: { workflowId: wf.id, name: 'stalled', cronExpression: '0 * * * *' },
      })
      expect(res.statusCode).toBe(503)
      expect(Date.now() - t0).toBeLessThan(5000)
      const rows = await ctx.database.sql`select 1 from schedules where name = 'stalled'`
      expect(rows).toHaveLength(0)
    } finally {
      proxy.restore()
    }
  })
})

describe('Postgres unreachable', () => {
  let ctx: TestContext
  beforeAll(async () => {
    // A port nothing listens on: every query fails to connect.
    ctx = await setup({ databaseUrl: () => 'postgres://postgres@127.0.0.1:1/none' })
  })
  afterAll(async () => {
    await ctx?.close()
  })

  it('answers 503 within 5 s on reads and writes, stays alive and reports not ready', async () => {
    for (const call of [
      { method: 'GET' as const, url: '/api/schedules' },
      { method: 'GET' as const, url: '/api/workflows' },
      {
        method: 'POST' as const,
        url: '/api/workflows',
        payload: { name: 'x', steps: [{ name: 'd', type: 'delay', ms: 1 }] },
      },
    ]) {
      const t0 = Date.now()
      const res = await ctx.app.inject({ ...call, headers: ctx.auth() })
      expect(res.statusCode, call.url).toBe(503)
      expect(res.json().code).toBe('SCHED_ERR_DEPENDENCY_DOWN')
      expect(Date.now() - t0).toBeLessThan(5000)
    }
    expect((await ctx.app.inject({ url: '/healthz' })).statusCode).toBe(200)
    const ready = await ctx.app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ postgres: 'down', redis: 'up' })
  })
})
