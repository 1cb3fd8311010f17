import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, httpStep, setup, type TestContext } from './helper.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup()
})
afterAll(async () => {
  await ctx?.close()
})

const post = (payload: unknown, tenant = 'acme') =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/workflows',
    headers: ctx.auth(tenant, 'editor'),
    payload: payload as object,
  })

describe('workflows CRUD', () => {
  it('creates, reads, patches, replaces and deletes a workflow', async () => {
    const created = await post({
      name: 'nightly-report',
      description: 'sends the report',
      steps: [
        httpStep('fetch', 'https://example.com/{{input.id}}'),
        { name: 'wait', type: 'delay', ms: 100 },
      ],
      timeoutMs: 60000,
    })
    expect(created.statusCode).toBe(201)
    const wf = created.json()
    expect(wf).toMatchObject({ name: 'nightly-report', version: 1, timeoutMs: 60000 })
    expect(wf.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(wf.id[14]).toBe('7') // UUIDv7

    const got = await ctx.app.inject({ url: `/api/workflows/${wf.id}`, headers: ctx.auth('acme', 'viewer') })
    expect(got.json()).toEqual(wf)

    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/workflows/${wf.id}`,
      headers: ctx.auth(),
      payload: { description: 'new text' },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ description: 'new text', version: 2, timeoutMs: 60000 })

    const replaced = await ctx.app.inject({
      method: 'PUT',
      url: `/api/workflows/${wf.id}`,
      headers: ctx.auth(),
      payload: { name: 'nightly-report-2', steps: [httpStep()] },
    })
    expect(replaced.statusCode).toBe(200)
    expect(replaced.json()).toMatchObject({
      name: 'nightly-report-2',
      description: null,
      timeoutMs: null,
      version: 3,
    })

    const del = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/workflows/${wf.id}`,
      headers: ctx.auth(),
    })
    expect(del.statusCode).toBe(204)
    expect(del.body).toBe('')
    const gone = await ctx.app.inject({ url: `/api/workflows/${wf.id}`, headers: ctx.auth() })
    expect(gone.statusCode).toBe(404)
  })

  it('reports every failing field at once (400)', async () => {
    const res = await post({
      name: '',
      steps: [
        { name: 'a', type: 'http', method: 'FETCH', url: 'https://x' },
        { name: 'b', type: 'delay', ms: -1 },
      ],
      timeoutMs: 'soon',
      extra: true,
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
    const paths = res.json().errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.name',
        'body.steps.0.method',
        'body.steps.1.ms',
        'body.timeoutMs',
        'body.extra',
      ]),
    )
  })

  it('rejects an unknown step type naming the field', async () => {
    const res = await post({ name: 'x', steps: [{ name: 'a', type: 'shell', cmd: 'rm' }] })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].path).toMatch(/^body\.steps\.0/)
  })

  it('rejects duplicate step names and non-http URLs (422)', async () => {
    const res = await post({
      name: 'dup',
      steps: [httpStep('a'), httpStep('a', 'ftp://example.com/x'), httpStep('c', 'not a url')],
    })
    expect(res.statusCode).toBe(422)
    const paths = res.json().errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(['body.steps.1.name', 'body.steps.1.url', 'body.steps.2.url'])
  })

  it('answers 409 for a name already used in the tenant, but not across tenants', async () => {
    expect((await post({ name: 'same', steps: [httpStep()] })).statusCode).toBe(201)
    const again = await post({ name: 'same', steps: [httpStep()] })
    expect(again.statusCode).toBe(409)
    expect(again.json().errors[0].path).toBe('body.name')
    expect((await post({ name: 'same', steps: [httpStep()] }, 'globex')).statusCode).toBe(201)
  })

  it("hides another tenant's workflow (404) for read, write and delete", async () => {
    const wf = await createWorkflow(ctx, 'acme')
    const other = ctx.auth('globex', 'admin')
    expect((await ctx.app.inject({ url: `/api/workflows/${wf.id}`, headers: other })).statusCode).toBe(404)
    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/workflows/${wf.id}`,
      headers: other,
      payload: { name: 'stolen' },
    })
    expect(patch.statusCode).toBe(404)
    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/workflows/${wf.id}`, headers: other })
    expect(del.statusCode).toBe(404)
    expect((await ctx.app.inject({ url: `/api/workflows/${wf.id}`, headers: ctx.auth() })).json().name).toBe(
      wf.name,
    )
  })

  it('refuses to delete a workflow a schedule uses (409)', async () => {
    const wf = await createWorkflow(ctx)
    const sched = await ctx.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: ctx.auth(),
      payload: { workflowId: wf.id, name: `uses-${wf.id}`, cronExpression: '0 * * * *' },
    })
    expect(sched.statusCode).toBe(201)
    const del = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/workflows/${wf.id}`,
      headers: ctx.auth(),
    })
    expect(del.statusCode).toBe(409)
    expect((await ctx.app.inject({ url: `/api/workflows/${wf.id}`, headers: ctx.auth() })).statusCode).toBe(
      200,
    )
  })

  it('paginates with a cursor', async () => {
    for (let i = 0; i < 5; i++) await createWorkflow(ctx, 'pager', `p${i}`)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const url: string = `/api/workflows?limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const res = await ctx.app.inject({ url, headers: ctx.auth('pager', 'viewer') })
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.items.length).toBeLessThanOrEqual(2)
      seen.push(...body.items.map((w: { name: string }) => w.name))
      cursor = body.nextCursor
    } while (cursor)
    expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4'])
    const bad = await ctx.app.inject({ url: '/api/workflows?cursor=zzz', headers: ctx.auth('pager') })
    expect(bad.statusCode).toBe(400)
    const tooMany = await ctx.app.inject({ url: '/api/workflows?limit=501', headers: ctx.auth('pager') })
    expect(tooMany.statusCode).toBe(400)
    expect(tooMany.json().errors[0].path).toBe('query.limit')
  })
})

describe('bodies', () => {
  it('answers 400 for malformed JSON, 415 for another content type, 413 over 1 MiB', async () => {
    const malformed = await ctx.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: { ...ctx.auth(), 'content-type': 'application/json' },
      payload: '{"name": ',
    })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.headers['content-type']).toMatch(/application\/problem\+json/)

    const text = await ctx.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: { ...ctx.auth(), 'content-type': 'text/plain' },
      payload: 'name=x',
    })
    expect(text.statusCode).toBe(415)

    const big = await ctx.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: { ...ctx.auth(), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'big', description: 'x'.repeat(1_100_000), steps: [httpStep()] }),
    })
    expect(big.statusCode).toBe(413)
    const list = await ctx.app.inject({ url: '/api/workflows?limit=500', headers: ctx.auth() })
    expect(list.json().items.map((w: { name: string }) => w.name)).not.toContain('big')
  })
})
