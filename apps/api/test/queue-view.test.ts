import { uuidv7 } from '@punctual/core'
import { createExecutionQueue, type EnqueueItem } from '@punctual/queue'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/plugins/auth.ts'
import { createWorkflow, setup, type TestContext } from './helper.ts'

/** Issue 16 item 3: PATCH /api/executions/:id priority and GET /api/queue, against a real queue. */

let ctx: TestContext
const queue = () => createExecutionQueue(ctx.redis.redis, ctx.redis.keys)

beforeAll(async () => {
  ctx = await setup({ env: { TENANT_MAX_RUNNING: '1000' } })
})
afterAll(async () => {
  await ctx?.close()
})

let tenantNo = 0
/** Each test its own tenant: its own line in the queue. */
const freshTenant = () => `q${++tenantNo}-${Date.now()}`

interface Row {
  id: string
  priority?: number
  scheduledForMs: number
  availableAtMs?: number
  status?: 'queued' | 'retrying' | 'succeeded' | 'running'
  held?: boolean
}

/** Rows as the scheduler writes them, then enqueued as it does (held ones stay out of Redis). */
async function waiting(tenant: string, workflowId: string, rows: Row[]) {
  await waitingIn(ctx, tenant, workflowId, rows)
}

async function waitingIn(app: TestContext, tenant: string, workflowId: string, rows: Row[]) {
  for (const r of rows) {
    await app.database.sql`
      insert into executions (id, tenant, kind, workflow_id, scheduled_for, available_at, status, priority, held)
      values (${r.id}, ${tenant}, 'manual', ${workflowId}, ${new Date(r.scheduledForMs).toISOString()}::timestamptz,
              ${new Date(r.availableAtMs ?? r.scheduledForMs).toISOString()}::timestamptz, ${r.status ?? 'queued'},
              ${r.priority ?? 5}, ${r.held ?? false})`
  }
  const items: EnqueueItem[] = rows
    .filter((r) => !r.held && (r.status ?? 'queued') !== 'succeeded')
    .map((r) => ({
      id: r.id,
      priority: r.priority ?? 5,
      scheduledForMs: r.scheduledForMs,
      availableAtMs: r.availableAtMs ?? r.scheduledForMs,
      attempt: 0,
      tenant,
      workflowId,
      kind: 'manual',
      scheduleId: null,
    }))
  await createExecutionQueue(app.redis.redis, app.redis.keys).enqueue(items, Date.now())
}

const get = (url: string, tenant: string, role: Role = 'viewer') =>
  ctx.app.inject({ url, headers: ctx.auth(tenant, role) })
const patch = (id: string, payload: unknown, tenant: string, role: Role = 'editor') =>
  ctx.app.inject({
    method: 'PATCH',
    url: `/api/executions/${id}`,
    headers: ctx.auth(tenant, role),
    payload: payload as Record<string, unknown>,
  })

async function wholeQueue(tenant: string, limit: number) {
  const items: { executionId: string; blockedBy?: string; priority: number; availableAt: string }[] = []
  let cursor: string | null = null
  do {
    const res = await get(`/api/queue?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, tenant)
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    items.push(...body.items)
    cursor = body.nextCursor
  } while (cursor)
  return items
}

describe('PATCH priority and GET /api/queue', () => {
  it('a priority change reorders the real queue; GET /api/queue lists the order the claims then take', async () => {
    const tenant = freshTenant()
    const wf = await createWorkflow(ctx, tenant)
    const t0 = Date.now() - 60_000
    const ids = Array.from({ length: 6 }, (_, i) => uuidv7(t0 + i))
    await waiting(
      tenant,
      wf.id,
      ids.map((id, i) => ({ id, scheduledForMs: t0 + i * 1000, priority: i === 2 ? 7 : 5 })),
    )
    // Before: the priority 7 one first, then by time.
    expect((await wholeQueue(tenant, 50)).map((i) => i.executionId)).toEqual([
      ids[2],
      ids[0],
      ids[1],
      ids[3],
      ids[4],
      ids[5],
    ])
    const res = await patch(ids[4]!, { priority: 9 }, tenant)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ id: ids[4], priority: 9, status: 'queued' })
    const low = await patch(ids[0]!, { priority: 0 }, tenant)
    expect(low.statusCode, low.body).toBe(200)
    const listed = (await wholeQueue(tenant, 2)).map((i) => i.executionId)
    expect(listed).toEqual([ids[4], ids[2], ids[1], ids[3], ids[5], ids[0]])
    // What workers actually take: claims one at a time, in order.
    const taken: string[] = []
    for (let i = 0; i < 6; i++) {
      const claim = await queue().dequeue({ workerId: 'w', count: 1, leaseMs: 60_000, now: Date.now() })
      taken.push(...claim.items.filter((c) => c.tenant === tenant).map((c) => c.id))
    }
    expect(taken).toEqual(listed)
    // The audit log has it, and Postgres holds the new priorities.
    const rows = await ctx.database
      .sql`select id, priority from executions where id = any(${[ids[0]!, ids[4]!]}::uuid[])`
    expect(Object.fromEntries(rows.map((r) => [r['id'], r['priority']]))).toEqual({
      [ids[0]!]: 0,
      [ids[4]!]: 9,
    })
    const audit = await ctx.database
      .sql`select action from audit_log where tenant = ${tenant} and action = 'execution.reprioritised'`
    expect(audit).toHaveLength(2)
  })

  it('ready ones first, then delayed by availableAt; blockedBy for a capped workflow and buffer_one', async () => {
    const tenant = freshTenant()
    const [open, capped] = [await createWorkflow(ctx, tenant), await createWorkflow(ctx, tenant)]
    await ctx.app.inject({
      method: 'PATCH',
      url: `/api/workflows/${capped.id}`,
      headers: ctx.auth(tenant, 'editor'),
      payload: { maxConcurrency: 1 },
    })
    const now = Date.now()
    const [a, b, c, d, e, f] = Array.from({ length: 6 }, (_, i) => uuidv7(now - 10_000 + i))
    await waiting(tenant, open.id, [
      { id: a!, scheduledForMs: now - 5000 },
      { id: d!, scheduledForMs: now - 4000, availableAtMs: now + 120_000 }, // delayed, later
      { id: e!, scheduledForMs: now - 3000, availableAtMs: now + 60_000, status: 'retrying' }, // delayed, sooner
      { id: f!, scheduledForMs: now - 6000, held: true }, // buffer_one
    ])
    await waiting(tenant, capped.id, [
      { id: b!, scheduledForMs: now - 9000, priority: 6 },
      { id: c!, scheduledForMs: now - 8000, priority: 6 },
    ])
    // One slot of the capped workflow taken: its other ready one waits for a slot.
    const claim = await queue().dequeue({ workerId: 'w', count: 1, leaseMs: 60_000, now })
    expect(claim.items.map((i) => i.id)).toEqual([b])
    await ctx.database.sql`update executions set status = 'running' where id = ${b!}`
    const items = await wholeQueue(tenant, 50)
    expect(items.map((i) => [i.executionId, i.blockedBy ?? null])).toEqual([
      [c, 'workflow_concurrency'],
      [f, 'buffer_one'],
      [a, null],
      [e, null],
      [d, null],
    ])
    expect(Date.parse(items[3]!.availableAt)).toBe(now + 60_000)
    // Paginated one by one: the same list.
    expect((await wholeQueue(tenant, 1)).map((i) => i.executionId)).toEqual(items.map((i) => i.executionId))
    // Other tenants see none of it.
    expect((await wholeQueue(freshTenant(), 50)).length).toBe(0)
  })

  it('bad input: priority outside 0-9 or not an integer (400 naming it), a finished or running one (409), another tenant (404)', async () => {
    const tenant = freshTenant()
    const wf = await createWorkflow(ctx, tenant)
    const [q, done, run] = Array.from({ length: 3 }, () => uuidv7())
    await waiting(tenant, wf.id, [
      { id: q!, scheduledForMs: Date.now() },
      { id: done!, scheduledForMs: Date.now(), status: 'succeeded' },
    ])
    await ctx.database.sql`insert into executions (id, tenant, kind, workflow_id, scheduled_for, status)
                           values (${run!}, ${tenant}, 'manual', ${wf.id}, now(), 'running')`
    for (const payload of [
      { priority: 10 },
      { priority: -1 },
      { priority: 2.5 },
      { priority: '5' },
      {},
      { priority: 5, x: 1 },
    ]) {
      const res = await patch(q!, payload, tenant)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.headers['content-type']).toMatch(/problem\+json/)
      expect(JSON.stringify(res.json().errors)).toMatch(/body/)
    }
    expect((await patch(q!, { priority: 10 }, tenant)).json().errors[0].path).toBe('body.priority')
    for (const id of [done!, run!]) {
      const res = await patch(id, { priority: 8 }, tenant)
      expect(res.statusCode, res.body).toBe(409)
      expect(res.json().code).toBe('SCHED_ERR_INVALID_STATE')
    }
    expect((await patch(q!, { priority: 8 }, freshTenant())).statusCode).toBe(404)
    expect((await patch(q!, { priority: 8 }, tenant, 'viewer')).statusCode).toBe(403)
    // Nothing changed.
    const rows = await ctx.database
      .sql`select priority from executions where id = any(${[q!, done!, run!]}::uuid[])`
    expect(rows.map((r) => r['priority'])).toEqual([5, 5, 5])
    expect((await queue().get(q!))!.priority).toBe(5)
    const bad = await get('/api/queue?cursor=nope', tenant)
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].path).toBe('query.cursor')
  })
})

describe('GET /api/queue with TENANT_MAX_RUNNING', () => {
  it('marks the ready ones of a tenant at its cap tenant_concurrency, not those of a tenant below it', async () => {
    const capped = await setup({ env: { TENANT_MAX_RUNNING: '1' } })
    try {
      const full = freshTenant()
      const free = freshTenant()
      const wfFull = await createWorkflow(capped, full)
      const wfFree = await createWorkflow(capped, free)
      const now = Date.now() - 1000
      const [a, b, c] = [uuidv7(now), uuidv7(now + 1), uuidv7(now + 2)]
      const rows = (tenant: string, wf: string, r: Row[]) => waitingIn(capped, tenant, wf, r)
      await rows(full, wfFull.id, [
        { id: a!, scheduledForMs: now },
        { id: b!, scheduledForMs: now + 1 },
      ])
      // The full tenant's first one is claimed (the only tenant in line): it holds its one slot.
      const claim = await createExecutionQueue(capped.redis.redis, capped.redis.keys).dequeue({
        workerId: 'w',
        count: 1,
        leaseMs: 60_000,
        now: Date.now(),
        tenantMaxRunning: 1,
      })
      expect(claim.items.map((x) => x.id)).toEqual([a])
      await capped.database.sql`update executions set status = 'running' where id = ${a!}`
      await rows(free, wfFree.id, [{ id: c!, scheduledForMs: now }])
      const view = async (tenant: string) => {
        const res = await capped.app.inject({ url: '/api/queue', headers: capped.auth(tenant, 'viewer') })
        expect(res.statusCode, res.body).toBe(200)
        return res
          .json()
          .items.map((i: { executionId: string; blockedBy?: string }) => [i.executionId, i.blockedBy ?? null])
      }
      expect(await view(full)).toEqual([[b, 'tenant_concurrency']])
      expect(await view(free)).toEqual([[c, null]])
    } finally {
      await capped.close()
    }
  })
})
