import { uuidv7 } from '@punctual/core'
import { sleep } from '@punctual/core/testing'
import { createExecutionsRepo } from '@punctual/db'
import { createExecutionQueue } from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, setup, type TestContext } from './helper.ts'

describe('execution writes with Redis unreachable', () => {
  let proxy: TcpProxy
  let ctx: TestContext
  let wf: { id: string }
  let scheduleId: string

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    ctx = await setup({ redisUrl: (base) => proxy.url(base.url) })
    wf = await createWorkflow(ctx)
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: ctx.auth(),
      payload: { workflowId: wf.id, name: 'nightly', cronExpression: '0 3 * * *', input: { x: 1 } },
    })
    expect(res.statusCode, res.body).toBe(201)
    scheduleId = res.json().id
  })
  afterAll(async () => {
    proxy?.restore()
    await ctx?.close()
    await proxy?.close()
  })

  const craft = async (status: 'queued' | 'running' | 'dead') => {
    const id = uuidv7()
    await createExecutionsRepo(ctx.database.db).insert({
      id,
      tenant: 'acme',
      kind: 'fire',
      scheduleId,
      workflowId: wf.id,
      scheduledFor: new Date(),
      status,
    })
    return id
  }
  const rowOf = async (id: string) =>
    (await ctx.database.sql`select status, cancel_requested_at from executions where id = ${id}`)[0]!
  const post = (url: string, payload?: Record<string, unknown>) =>
    ctx.app.inject({ method: 'POST', url, headers: ctx.auth(), ...(payload && { payload }) })

  it('answers a trigger and a retry 202 once the row is committed (the reconciler enqueues it later)', async () => {
    const dead = await craft('dead')
    proxy.cut()
    const t0 = Date.now()
    const triggered = await post(`/api/schedules/${scheduleId}/trigger`, { input: { y: 2 } })
    expect(triggered.statusCode, triggered.body).toBe(202)
    const retried = await post(`/api/executions/${dead}/retry`)
    expect(retried.statusCode, retried.body).toBe(202)
    expect(Date.now() - t0).toBeLessThan(5000)

    const rows = await ctx.database.sql`
      select id, kind, status, input from executions where id in ${ctx.database.sql([
        triggered.json().executionId,
        retried.json().executionId,
      ])} order by kind`
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { id: triggered.json().executionId, kind: 'manual', status: 'queued', input: { x: 1, y: 2 } },
      { id: retried.json().executionId, kind: 'redrive', status: 'queued', input: {} },
    ])
    proxy.restore()
  })

  it('cancels a queued execution in Postgres even while Redis is away (runners drop what is not startable)', async () => {
    const id = await craft('queued')
    proxy.cut()
    const res = await post(`/api/executions/${id}/cancel`)
    expect(res.statusCode, res.body).toBe(202)
    expect(res.json().status).toBe('cancelled')
    expect((await rowOf(id)).status).toBe('cancelled')
    proxy.restore()
  })

  it('answers 503 for cancelling a running execution and leaves the row unchanged, then works once Redis is back', async () => {
    const id = await craft('running')
    proxy.cut()
    const res = await post(`/api/executions/${id}/cancel`)
    expect(res.statusCode).toBe(503)
    expect(res.json().code).toBe('SCHED_ERR_DEPENDENCY_DOWN')
    expect(await rowOf(id)).toEqual({ status: 'running', cancel_requested_at: null })

    proxy.restore()
    let status = 0
    for (let i = 0; i < 50 && status !== 202; i++) {
      await sleep(100)
      status = (await post(`/api/executions/${id}/cancel`)).statusCode
    }
    expect(status).toBe(202)
    expect((await rowOf(id)).cancel_requested_at).not.toBeNull()
    // And a trigger now lands in Redis at once.
    const triggered = await post(`/api/schedules/${scheduleId}/trigger`)
    const queued = await createExecutionQueue(ctx.redis.redis, ctx.redis.keys).get(
      triggered.json().executionId,
    )
    expect(queued).toMatchObject({ state: 'ready', kind: 'manual' })
  })

  it('PATCH priority answers 503 with Redis away and changes nothing; GET /api/queue still lists from Postgres', async () => {
    const id = await craft('queued')
    await createExecutionQueue(ctx.redis.redis, ctx.redis.keys).enqueue(
      [
        {
          id,
          priority: 5,
          scheduledForMs: Date.now(),
          attempt: 0,
          tenant: 'acme',
          workflowId: wf.id,
          kind: 'fire',
          scheduleId,
        },
      ],
      Date.now(),
    )
    proxy.cut()
    const t0 = Date.now()
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/executions/${id}`,
      headers: ctx.auth(),
      payload: { priority: 9 },
    })
    expect(res.statusCode, res.body).toBe(503)
    expect(Date.now() - t0).toBeLessThan(5000)
    const listed = await ctx.app.inject({ url: '/api/queue', headers: ctx.auth() })
    expect(listed.statusCode, listed.body).toBe(200)
    expect(listed.json().items.map((i: { executionId: string }) => i.executionId)).toContain(id)
    proxy.restore()
    const row = await ctx.database.sql`select priority from executions where id = ${id}`
    expect(row[0]!['priority']).toBe(5)
    expect((await createExecutionQueue(ctx.redis.redis, ctx.redis.keys).get(id))!.priority).toBe(5)
    // Once the API's connection is back (it reconnects by itself), the same PATCH goes through.
    let again = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/executions/${id}`,
      headers: ctx.auth(),
      payload: { priority: 9 },
    })
    for (let i = 0; i < 50 && again.statusCode === 503; i++) {
      await sleep(100)
      again = await ctx.app.inject({
        method: 'PATCH',
        url: `/api/executions/${id}`,
        headers: ctx.auth(),
        payload: { priority: 9 },
      })
    }
    expect(again.statusCode, again.body).toBe(200)
    expect((await createExecutionQueue(ctx.redis.redis, ctx.redis.keys).get(id))!.priority).toBe(9)
  })
})
