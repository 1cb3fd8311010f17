import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpStep, setup, type TestContext } from './helper.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup()
})
afterAll(async () => {
  await ctx?.close()
})

interface Entry {
  id: string
  at: string
  actor: string
  tenant: string
  action: string
  targetType: string
  targetId: string | null
  details: Record<string, unknown>
}

/** Writes as a named editor: the audit's actor is the token's `sub`. */
const as = (tenant: string, sub: string, role: 'viewer' | 'editor' | 'admin' = 'editor') => ({
  authorization: `Bearer ${ctx.token(tenant, role, { sub })}`,
})

async function send(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: object,
) {
  return ctx.app.inject({ method, url, headers, ...(payload !== undefined && { payload }) })
}

async function ok(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: object,
) {
  const res = await send(method, url, headers, payload)
  expect(res.statusCode, res.body).toBeLessThan(300)
  return res.statusCode === 204 ? undefined : res.json()
}

/** Every entry of the tenant, newest first, following the cursors. */
async function auditOf(tenant: string, limit = 500): Promise<Entry[]> {
  const out: Entry[] = []
  let cursor: string | null = null
  do {
    const res = await ctx.app.inject({
      url: `/api/audit?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      headers: ctx.auth(tenant, 'admin'),
    })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as { items: Entry[]; nextCursor: string | null }
    out.push(...body.items)
    cursor = body.nextCursor
  } while (cursor)
  return out
}

const actionsFor = async (tenant: string, targetId: string) =>
  (await auditOf(tenant))
    .filter((e) => e.targetId === targetId)
    .reverse()
    .map((e) => e.action)

describe('audit of workflows and schedules', () => {
  it('records each create, update, pause, resume and delete with actor, tenant, time and target', async () => {
    const alice = as('t-life', 'alice')
    const before = Date.now()
    const wf = await ok('POST', '/api/workflows', alice, { name: 'report', steps: [httpStep()] })
    await ok('PATCH', `/api/workflows/${wf.id}`, alice, { description: 'x' })
    await ok('PUT', `/api/workflows/${wf.id}`, alice, { name: 'report-2', steps: [httpStep()] })
    const s = await ok('POST', '/api/schedules', alice, {
      workflowId: wf.id,
      name: 'nightly',
      cronExpression: '0 3 * * *',
    })
    await ok('PATCH', `/api/schedules/${s.id}`, alice, { cronExpression: '0 4 * * *', priority: 7 })
    await ok('POST', `/api/schedules/${s.id}/pause`, alice, { note: 'maintenance' })
    await ok('POST', `/api/schedules/${s.id}/resume`, alice)
    await ok('DELETE', `/api/schedules/${s.id}`, as('t-life', 'bob'))
    await ok('DELETE', `/api/workflows/${wf.id}`, alice)

    const entries = await auditOf('t-life')
    expect(entries.map((e) => [e.action, e.targetType, e.targetId, e.actor]).reverse()).toEqual([
      ['workflow.created', 'workflow', wf.id, 'alice'],
      ['workflow.updated', 'workflow', wf.id, 'alice'],
      ['workflow.updated', 'workflow', wf.id, 'alice'],
      ['schedule.created', 'schedule', s.id, 'alice'],
      ['schedule.updated', 'schedule', s.id, 'alice'],
      ['schedule.paused', 'schedule', s.id, 'alice'],
      ['schedule.resumed', 'schedule', s.id, 'alice'],
      ['schedule.deleted', 'schedule', s.id, 'bob'],
      ['workflow.deleted', 'workflow', wf.id, 'alice'],
    ])
    for (const e of entries) {
      expect(e.tenant).toBe('t-life')
      expect(e.id[14]).toBe('7') // UUIDv7
      const at = Date.parse(e.at)
      expect(at).toBeGreaterThanOrEqual(before - 1000)
      expect(at).toBeLessThanOrEqual(Date.now() + 1000)
    }
    const byAction = (a: string) => entries.filter((e) => e.action === a).map((e) => e.details)
    expect(byAction('schedule.created')).toEqual([{ name: 'nightly', workflowId: wf.id }])
    expect(byAction('schedule.updated')).toEqual([{ fields: ['cronExpression', 'priority'], version: 2 }])
    expect(byAction('schedule.paused')).toEqual([{ note: 'maintenance', version: 3 }])
    expect(byAction('schedule.resumed')).toEqual([{ state: 'active', version: 4 }])
    expect(byAction('schedule.deleted')).toEqual([{ name: 'nightly' }])
    expect(byAction('workflow.updated')).toEqual([
      { fields: ['name', 'steps'], replace: true, version: 3 },
      { fields: ['description'], replace: false, version: 2 },
    ])
  })

  it('writes one schedule.created per schedule from concurrent (group-committed) creates, none for refused ones', async () => {
    const h = as('t-batch', 'carol')
    const wf = await ok('POST', '/api/workflows', h, { name: 'wf', steps: [httpStep()] })
    const names = Array.from({ length: 30 }, (_, i) => `s-${i}`)
    // Two of the bodies reuse a name: one of each pair is refused with 409 and must leave no entry.
    const bodies = [...names, 's-3', 's-17'].map((name) => ({
      workflowId: wf.id,
      name,
      cronExpression: '*/5 * * * *',
    }))
    const results = await Promise.all(bodies.map((b) => send('POST', '/api/schedules', h, b)))
    const created = results.filter((r) => r.statusCode === 201).map((r) => r.json().id as string)
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(2)
    expect(created).toHaveLength(30)

    const entries = (await auditOf('t-batch')).filter((e) => e.action === 'schedule.created')
    expect(entries.map((e) => e.targetId).sort()).toEqual([...created].sort())
    expect(new Set(entries.map((e) => e.id)).size).toBe(30)
    for (const e of entries) expect(e.actor).toBe('carol')
  })

  it('writes nothing for a refused change', async () => {
    const h = as('t-refused', 'dave')
    const wf = await ok('POST', '/api/workflows', h, { name: 'wf', steps: [httpStep()] })
    await ok('POST', '/api/schedules', h, { workflowId: wf.id, name: 'taken', cronExpression: '0 * * * *' })
    const baseline = (await auditOf('t-refused')).length
    const refused = [
      // unknown workflow (422), name taken (409), bad cron (422), workflow still used (409), unknown id (404)
      await send('POST', '/api/schedules', h, {
        workflowId: '01900000-0000-7000-8000-000000000000',
        name: 'x',
        cronExpression: '0 * * * *',
      }),
      await send('POST', '/api/schedules', h, {
        workflowId: wf.id,
        name: 'taken',
        cronExpression: '0 * * * *',
      }),
      await send('POST', '/api/workflows', h, { name: 'wf', steps: [httpStep()] }),
      await send('DELETE', `/api/workflows/${wf.id}`, h),
      await send('DELETE', '/api/schedules/01900000-0000-7000-8000-000000000000', h),
      await send('POST', '/api/schedules/01900000-0000-7000-8000-000000000000/pause', h, {}),
    ]
    expect(refused.map((r) => r.statusCode)).toEqual([422, 409, 409, 409, 404, 404])
    expect((await auditOf('t-refused')).length).toBe(baseline)
  })
})

describe('audit of triggers', () => {
  it('records create, update, rotation and delete, never the secret', async () => {
    const h = as('t-trig', 'ivy')
    const wf = await ok('POST', '/api/workflows', h, { name: 'wf', steps: [httpStep()] })
    const hook = await ok('POST', '/api/triggers', h, { workflowId: wf.id, name: 'gh', type: 'webhook' })
    const event = await ok('POST', '/api/triggers', h, {
      workflowId: wf.id,
      name: 'orders',
      type: 'event',
      eventType: 'order.*',
    })
    await ok('PATCH', `/api/triggers/${event.id}`, h, { enabled: false })
    await ok('PUT', `/api/triggers/${hook.id}`, h, {
      workflowId: wf.id,
      name: 'gh',
      type: 'webhook',
      priority: 1,
    })
    const rotated = await ok('POST', `/api/triggers/${hook.id}/rotate-secret`, as('t-trig', 'jack'))
    await ok('DELETE', `/api/triggers/${event.id}`, h)
    // Refused: nothing recorded.
    expect((await send('POST', `/api/triggers/${event.id}/rotate-secret`, h)).statusCode).toBe(404)

    expect(await actionsFor('t-trig', hook.id)).toEqual([
      'trigger.created',
      'trigger.updated',
      'trigger.secret_rotated',
    ])
    expect(await actionsFor('t-trig', event.id)).toEqual([
      'trigger.created',
      'trigger.updated',
      'trigger.deleted',
    ])
    const entries = (await auditOf('t-trig')).filter((e) => e.targetType === 'trigger')
    const of = (action: string, id: string) => entries.find((e) => e.action === action && e.targetId === id)!
    expect(of('trigger.created', hook.id)).toMatchObject({
      actor: 'ivy',
      tenant: 't-trig',
      details: { name: 'gh', type: 'webhook', workflowId: wf.id },
    })
    expect(of('trigger.updated', event.id).details).toEqual({
      fields: ['enabled'],
      replace: false,
      version: 2,
    })
    expect(of('trigger.updated', hook.id).details).toEqual({
      fields: ['workflowId', 'name', 'priority'],
      replace: true,
      version: 2,
    })
    expect(of('trigger.secret_rotated', hook.id)).toMatchObject({
      actor: 'jack',
      details: { previousSecretExpiresAt: rotated.previousSecretExpiresAt, version: 3 },
    })
    expect(of('trigger.deleted', event.id).details).toEqual({ name: 'orders' })

    const [row] = await ctx.database.sql<{ s: string; p: string }[]>`
      select secret_ciphertext as s, previous_secret_ciphertext as p from triggers where id = ${hook.id}`
    const dump = JSON.stringify(await ctx.database.sql`select * from audit_log where tenant = 't-trig'`)
    for (const secret of [hook.secret, rotated.secret, row!.s, row!.p]) {
      expect(dump).not.toContain(secret)
      expect(dump).not.toContain(secret.slice(6, 30))
    }
  })
})

describe('audit of runs started or stopped by hand', () => {
  it('records a manual trigger, a cancel and a redrive with actor and target; none for a refused one', async () => {
    const carol = as('t-runs', 'carol')
    const wf = await ok('POST', '/api/workflows', carol, { name: 'runs', steps: [httpStep()] })
    const s = await ok('POST', '/api/schedules', carol, {
      workflowId: wf.id,
      name: 'manual',
      cronExpression: '0 3 * * *',
    })
    const { executionId } = await ok('POST', `/api/schedules/${s.id}/trigger`, carol, { input: { a: 'x' } })
    await ok('POST', `/api/executions/${executionId}/cancel`, as('t-runs', 'dave'))
    // Cancelling it again is 409 and leaves no entry.
    expect((await send('POST', `/api/executions/${executionId}/cancel`, carol)).statusCode).toBe(409)
    // A dead execution, redriven.
    const dead = (await ok('POST', `/api/schedules/${s.id}/trigger`, carol)).executionId as string
    await ctx.database.sql`update executions set status = 'dead', finished_at = now() where id = ${dead}`
    const { executionId: redrive } = await ok('POST', `/api/executions/${dead}/retry`, as('t-runs', 'erin'))
    // Retrying an execution that is not dead is 409 and leaves no entry.
    expect((await send('POST', `/api/executions/${redrive}/retry`, carol)).statusCode).toBe(409)

    const entries = (await auditOf('t-runs')).reverse().filter((e) => !e.action.endsWith('.created'))
    expect(entries.map((e) => [e.action, e.targetType, e.targetId, e.actor])).toEqual([
      ['schedule.triggered', 'schedule', s.id, 'carol'],
      ['execution.cancelled', 'execution', executionId, 'dave'],
      ['schedule.triggered', 'schedule', s.id, 'carol'],
      ['execution.redriven', 'execution', dead, 'erin'],
    ])
    expect(entries.map((e) => e.details)).toEqual([
      { executionId, inputGiven: true },
      { kind: 'manual', from: 'queued' },
      { executionId: dead, inputGiven: false },
      { redriveId: redrive, workflowId: wf.id, inputGiven: false },
    ])
    // Never the input itself.
    expect(JSON.stringify(entries)).not.toContain('"x"')
  })
})

describe('GET /api/audit', () => {
  it('is admin only: viewer and editor get 403, no token 401', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      const res = await ctx.app.inject({ url: '/api/audit', headers: ctx.auth('acme', role) })
      expect(res.statusCode).toBe(403)
      expect(res.headers['content-type']).toContain('application/problem+json')
    }
    expect((await ctx.app.inject({ url: '/api/audit' })).statusCode).toBe(401)
  })

  it("shows only the token's tenant", async () => {
    await ok('POST', '/api/workflows', as('t-iso-a', 'erin'), { name: 'secret-plan', steps: [httpStep()] })
    await ok('POST', '/api/workflows', as('t-iso-b', 'frank'), { name: 'other', steps: [httpStep()] })
    const a = await auditOf('t-iso-a')
    const b = await auditOf('t-iso-b')
    expect(a.map((e) => [e.tenant, e.actor])).toEqual([['t-iso-a', 'erin']])
    expect(b.map((e) => [e.tenant, e.actor])).toEqual([['t-iso-b', 'frank']])
    expect(JSON.stringify(b)).not.toContain('secret-plan')
  })

  it('pages newest first with limit and cursor, and refuses a bad limit or cursor', async () => {
    const h = as('t-page', 'gina')
    const ids: string[] = []
    for (let i = 0; i < 7; i++) {
      ids.push((await ok('POST', '/api/workflows', h, { name: `wf-${i}`, steps: [httpStep()] })).id)
    }
    const pages: string[][] = []
    let cursor: string | null = null
    do {
      const res = await ctx.app.inject({
        url: `/api/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        headers: ctx.auth('t-page', 'admin'),
      })
      const body = res.json() as { items: Entry[]; nextCursor: string | null }
      pages.push(body.items.map((e) => e.targetId!))
      cursor = body.nextCursor
    } while (cursor)
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1])
    expect(pages.flat()).toEqual([...ids].reverse())

    const defaults = await ctx.app.inject({ url: '/api/audit', headers: ctx.auth('t-page', 'admin') })
    expect(defaults.json().items).toHaveLength(7)
    expect(defaults.json().nextCursor).toBeNull()

    for (const [query, path] of [
      ['limit=0', 'query.limit'],
      ['limit=501', 'query.limit'],
      ['cursor=bm9wZQ', 'query.cursor'],
      ['foo=1', 'query.foo'],
    ]) {
      const res = await ctx.app.inject({ url: `/api/audit?${query}`, headers: ctx.auth('t-page', 'admin') })
      expect(res.statusCode, query).toBe(400)
      expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual([path])
    }
  })
})
