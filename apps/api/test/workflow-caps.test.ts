import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpStep, setup, type TestContext } from './helper.ts'

/** A workflow's maxConcurrency: written to Redis inside the workflow's transaction (issue 13 item 2). */

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup()
})
afterAll(async () => {
  await ctx?.close()
})

const write = (c: TestContext, method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  c.app.inject({ method, url, headers: c.auth('acme', 'editor'), ...(payload && { payload }) })

async function capInRedis(c: TestContext, workflowId: string) {
  const { redis, keys } = c.redis
  const [cap, version] = await Promise.all([
    redis.hget(keys.workflowCaps, workflowId),
    redis.hget(keys.workflowCapVersions, workflowId),
  ])
  return { cap: cap === null ? null : Number(cap), version: version === null ? null : Number(version) }
}

describe('maxConcurrency', () => {
  it('is kept on the row and in Redis at the row version through create, patch, replace and delete', async () => {
    const created = await write(ctx, 'POST', '/api/workflows', {
      name: 'capped',
      steps: [httpStep()],
      maxConcurrency: 2,
    })
    expect(created.statusCode, created.body).toBe(201)
    const wf = created.json()
    expect(wf).toMatchObject({ maxConcurrency: 2, version: 1 })
    expect(await capInRedis(ctx, wf.id)).toEqual({ cap: 2, version: 1 })

    const raised = await write(ctx, 'PATCH', `/api/workflows/${wf.id}`, { maxConcurrency: 5 })
    expect(raised.json()).toMatchObject({ maxConcurrency: 5, version: 2 })
    expect(await capInRedis(ctx, wf.id)).toEqual({ cap: 5, version: 2 })

    // A change that leaves the cap alone does not touch Redis.
    const renamed = await write(ctx, 'PATCH', `/api/workflows/${wf.id}`, { description: 'x' })
    expect(renamed.json()).toMatchObject({ maxConcurrency: 5, version: 3 })
    expect(await capInRedis(ctx, wf.id)).toEqual({ cap: 5, version: 2 })

    // PUT without the field removes the cap, as it resets every optional field.
    const replaced = await write(ctx, 'PUT', `/api/workflows/${wf.id}`, {
      name: 'capped',
      steps: [httpStep()],
    })
    expect(replaced.json()).toMatchObject({ maxConcurrency: null, version: 4 })
    expect(await capInRedis(ctx, wf.id)).toEqual({ cap: null, version: 4 })

    const capped = await write(ctx, 'PATCH', `/api/workflows/${wf.id}`, { maxConcurrency: 1 })
    expect(await capInRedis(ctx, wf.id)).toEqual({ cap: 1, version: 5 })
    expect(capped.statusCode).toBe(200)
    const removed = await write(ctx, 'PATCH', `/api/workflows/${wf.id}`, { maxConcurrency: null })
    expect(removed.json()).toMatchObject({ maxConcurrency: null, version: 6 })
    expect(await capInRedis(ctx, wf.id)).toEqual({ cap: null, version: 6 })

    expect((await write(ctx, 'DELETE', `/api/workflows/${wf.id}`)).statusCode).toBe(204)
    expect(await capInRedis(ctx, wf.id)).toEqual({ cap: null, version: null })
  })

  it('an uncapped workflow leaves nothing in Redis', async () => {
    const created = await write(ctx, 'POST', '/api/workflows', { name: 'free', steps: [httpStep()] })
    expect(created.json()).toMatchObject({ maxConcurrency: null })
    expect(await capInRedis(ctx, created.json().id)).toEqual({ cap: null, version: null })
  })

  it.each([0, -1, 1.5, '2', 1_000_001, true])(
    'refuses maxConcurrency %j naming the field (400), creating nothing',
    async (bad) => {
      const name = `bad-${String(bad)}`
      const res = await write(ctx, 'POST', '/api/workflows', {
        name,
        steps: [httpStep()],
        maxConcurrency: bad,
      })
      expect(res.statusCode).toBe(400)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('body.maxConcurrency')
      const [row] = await ctx.database.sql`select count(*)::int as n from workflows where name = ${name}`
      expect(row!.n).toBe(0)
    },
  )
})

describe('maxConcurrency with Redis unreachable', () => {
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

  it('a write that changes the cap is 503 and changes nothing; one that does not still succeeds', async () => {
    const created = await write(faulty, 'POST', '/api/workflows', {
      name: 'capped-down',
      steps: [httpStep()],
      maxConcurrency: 3,
    })
    expect(created.statusCode).toBe(201)
    const wf = created.json()
    proxy.cut()
    try {
      const patched = await write(faulty, 'PATCH', `/api/workflows/${wf.id}`, { maxConcurrency: 1 })
      expect(patched.statusCode).toBe(503)
      expect(patched.headers['content-type']).toMatch(/application\/problem\+json/)
      const fresh = await write(faulty, 'POST', '/api/workflows', {
        name: 'capped-new',
        steps: [httpStep()],
        maxConcurrency: 1,
      })
      expect(fresh.statusCode).toBe(503)
      // No cap involved: Postgres alone answers.
      const plain = await write(faulty, 'PATCH', `/api/workflows/${wf.id}`, { description: 'still writable' })
      expect(plain.statusCode).toBe(200)
      expect(plain.json()).toMatchObject({ maxConcurrency: 3, version: 2 })
    } finally {
      proxy.restore()
    }
    const rows = await faulty.database.sql`select name, max_concurrency, version from workflows order by name`
    expect(rows.map((r) => ({ ...r }))).toEqual([{ name: 'capped-down', max_concurrency: 3, version: 2 }])
    expect(await capInRedis(faulty, wf.id)).toEqual({ cap: 3, version: 1 })
  })
})
