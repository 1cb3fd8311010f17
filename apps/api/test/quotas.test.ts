import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, setup, type TestContext } from './helper.ts'

// Two API replicas on one database and one Redis keyspace, with small quotas.
const env = {
  TENANT_MAX_SCHEDULES: '5',
  TENANT_MAX_TRIGGERS: '3',
  TENANT_MAX_FILTER_MATCHERS: '10',
}
let a: TestContext
let b: TestContext
let wf: { id: string }

beforeAll(async () => {
  a = await setup({ env })
  b = await setup({ env, databaseUrl: () => a.database.url, shareRedisWith: a })
  wf = await createWorkflow(a)
})
afterAll(async () => {
  await b?.close()
  await a?.close()
})

let n = 0
const name = () => `q-${++n}`

function createSchedule(ctx: TestContext, tenant = 'acme', workflowId = wf.id) {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/schedules',
    headers: ctx.auth(tenant, 'editor'),
    payload: { workflowId, name: name(), cronExpression: '0 9 * * *' },
  })
}

function createTrigger(ctx: TestContext, filter?: Record<string, unknown>) {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/triggers',
    headers: ctx.auth('acme', 'editor'),
    payload: {
      workflowId: wf.id,
      name: name(),
      type: 'event',
      eventType: 'order.created',
      ...(filter && { filter }),
    },
  })
}

const count = async (table: 'schedules' | 'triggers', tenant = 'acme') =>
  Number(
    (
      await a.database.sql`select count(*)::int as c from ${a.database.sql(table)} where tenant = ${tenant}`
    )[0]!.c,
  )

const usage = async (tenant = 'acme') =>
  (
    await a.database
      .sql`select schedules, triggers, filter_matchers from tenant_usage where tenant = ${tenant}`
  )[0]

describe('TENANT_MAX_SCHEDULES', () => {
  it('lets exactly one of two concurrent creates at the edge through, across replicas', async () => {
    for (let i = 0; i < 4; i++) expect((await createSchedule(a)).statusCode).toBe(201)
    const [r1, r2] = await Promise.all([createSchedule(a), createSchedule(b)])
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([201, 422])
    const refused = r1.statusCode === 422 ? r1 : r2
    expect(refused.headers['content-type']).toContain('application/problem+json')
    expect(refused.json()).toMatchObject({
      code: 'SCHED_ERR_QUOTA_EXCEEDED',
      detail: expect.stringContaining('TENANT_MAX_SCHEDULES'),
      errors: [{ path: 'body', message: expect.stringContaining('TENANT_MAX_SCHEDULES') }],
    })
    expect(await count('schedules')).toBe(5)
    // The refused create wrote nothing to Redis either.
    expect(await a.redis.redis.zcard(a.redis.keys.due)).toBe(5)
    expect(await usage()).toMatchObject({ schedules: 5 })
  })

  it('refuses every create past the quota however many arrive at once, and frees room on delete', async () => {
    const tenant = 'burst'
    const other = await createWorkflow(a, tenant)
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createSchedule(i % 2 ? a : b, tenant, other.id)),
    )
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(5)
    expect(results.filter((r) => r.statusCode === 422)).toHaveLength(7)
    expect(await count('schedules', tenant)).toBe(5)
    const id = results.find((r) => r.statusCode === 201)!.json().id
    const del = await a.app.inject({
      method: 'DELETE',
      url: `/api/schedules/${id}`,
      headers: a.auth(tenant, 'editor'),
    })
    expect(del.statusCode).toBe(204)
    expect(await usage(tenant)).toMatchObject({ schedules: 4 })
    expect((await createSchedule(b, tenant, other.id)).statusCode).toBe(201)
    expect((await createSchedule(b, tenant, other.id)).statusCode).toBe(422)
  })
})

describe('a batch with a faulty create', () => {
  it('refuses only the creates naming an unknown workflow, inserts the others, and leaves no index entry behind', async () => {
    const tenant = 'mixed'
    const own = await createWorkflow(a, tenant)
    const unknown = '01890000-0000-7000-8000-000000000000'
    const results = await Promise.all(
      [own.id, unknown, own.id, own.id, unknown].map((workflowId) => createSchedule(a, tenant, workflowId)),
    )
    expect(results.map((r) => r.statusCode)).toEqual([201, 422, 201, 201, 422])
    expect(results[1]!.json().code).toBe('SCHED_ERR_WORKFLOW_UNKNOWN')
    expect(await count('schedules', tenant)).toBe(3)
    expect(await usage(tenant)).toMatchObject({ schedules: 3 })
    // Every schedule of every tenant has its due entry, and nothing else does: the refused ones were taken back.
    const dueIds = (await a.redis.redis.zrange(a.redis.keys.due, 0, -1)).sort()
    const rows = await a.database.sql<{ id: string }[]>`select id from schedules order by id`
    expect(dueIds).toEqual(rows.map((r) => r.id).sort())
  })
})

describe('TENANT_MAX_TRIGGERS and TENANT_MAX_FILTER_MATCHERS', () => {
  it('counts triggers and filter entries, refuses creates and updates past them, and frees room on delete', async () => {
    // 6 entries: two values, one prefix matcher, one numeric matcher, two values below a nested key.
    const six = {
      country: ['FR', 'DE'],
      sku: [{ prefix: 'A-' }],
      total: [{ numeric: ['>', 100] }],
      a: { b: [1, 2] },
    }
    const first = await createTrigger(a, six)
    expect(first.statusCode).toBe(201)
    const over = await createTrigger(b, { country: ['FR', 'DE', 'IT', 'ES', 'PT'] })
    expect(over.statusCode).toBe(422)
    expect(over.json()).toMatchObject({
      code: 'SCHED_ERR_QUOTA_EXCEEDED',
      errors: [{ path: 'body.filter', message: expect.stringContaining('TENANT_MAX_FILTER_MATCHERS') }],
    })
    const second = await createTrigger(b, { country: ['FR', 'DE', 'IT', 'ES'] })
    expect(second.statusCode).toBe(201)
    expect(await usage()).toMatchObject({ triggers: 2, filter_matchers: 10 })
    // Growing a filter past the quota is refused; shrinking one is fine.
    const grow = await a.app.inject({
      method: 'PATCH',
      url: `/api/triggers/${second.json().id}`,
      headers: a.auth('acme', 'editor'),
      payload: { filter: { country: ['FR', 'DE', 'IT', 'ES', 'PT'] } },
    })
    expect(grow.statusCode).toBe(422)
    const shrink = await a.app.inject({
      method: 'PATCH',
      url: `/api/triggers/${second.json().id}`,
      headers: a.auth('acme', 'editor'),
      payload: { filter: { country: ['FR'] } },
    })
    expect(shrink.statusCode).toBe(200)
    expect(await usage()).toMatchObject({ triggers: 2, filter_matchers: 7 })
    // Two concurrent creates at the trigger quota's edge: exactly one wins.
    const [t1, t2] = await Promise.all([createTrigger(a), createTrigger(b)])
    expect([t1.statusCode, t2.statusCode].sort()).toEqual([201, 422])
    expect((t1.statusCode === 422 ? t1 : t2).json().detail).toContain('TENANT_MAX_TRIGGERS')
    expect(await count('triggers')).toBe(3)
    const del = await a.app.inject({
      method: 'DELETE',
      url: `/api/triggers/${first.json().id}`,
      headers: a.auth('acme', 'editor'),
    })
    expect(del.statusCode).toBe(204)
    expect(await usage()).toMatchObject({ triggers: 2, filter_matchers: 1 })
    expect((await createTrigger(a, six)).statusCode).toBe(201)
  })
})

describe('TENANT_MAX_UNANCHORED_SUBPATTERNS', () => {
  const tenant = 'unanchored'
  let workflowId: string
  // Two more replicas on the same database, with this quota small and the others at their defaults.
  let c: TestContext
  let d: TestContext
  beforeAll(async () => {
    const small = { TENANT_MAX_UNANCHORED_SUBPATTERNS: '2' }
    c = await setup({ env: small, databaseUrl: () => a.database.url, shareRedisWith: a })
    d = await setup({ env: small, databaseUrl: () => a.database.url, shareRedisWith: a })
    workflowId = (await createWorkflow(c, tenant)).id
  })
  afterAll(async () => {
    await d?.close()
    await c?.close()
  })
  const create = (ctx: TestContext, filter: Record<string, unknown>, type: 'event' | 'webhook' = 'event') =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/triggers',
      headers: ctx.auth(tenant, 'editor'),
      payload: { workflowId, name: name(), type, ...(type === 'event' && { eventType: 'order.*' }), filter },
    })
  const usageOf = async () =>
    (
      await a.database.sql`select triggers, unanchored_subpatterns from tenant_usage where tenant = ${tenant}`
    )[0]
  // Multi-key sub-patterns with no leaf of only values: answered on every element of the array they look into.
  const two = {
    items: { qty: [{ numeric: ['>', 5] }], tag: [{ exists: true }] },
    lines: { price: [{ numeric: ['<', 0] }], kind: [{ 'anything-but': ['gift'] }] },
  }
  const one = { items: { qty: [{ numeric: ['>', 9] }], sku: [{ 'anything-but': { prefix: 'x' } }] } }

  it('accepts exactly the limit, refuses one more (422 naming the quota, nothing written), races and frees room', async () => {
    // Not counted: the root object (one instance per event), anchored sub-patterns, webhook filters.
    const free = await create(c, {
      qty: [{ numeric: ['>', 5] }],
      items: { sku: ['A'], qty: [{ numeric: ['>', 1] }] },
    })
    expect(free.statusCode, free.body).toBe(201)
    expect((await create(c, two, 'webhook')).statusCode).toBe(201)
    expect(await usageOf()).toMatchObject({ triggers: 2, unanchored_subpatterns: 0 })

    const edge = await create(c, two)
    expect(edge.statusCode, edge.body).toBe(201)
    expect(await usageOf()).toMatchObject({ triggers: 3, unanchored_subpatterns: 2 })
    const before = await count('triggers', tenant)
    const over = await create(d, one)
    expect(over.statusCode).toBe(422)
    expect(over.headers['content-type']).toContain('application/problem+json')
    expect(over.json()).toMatchObject({
      code: 'SCHED_ERR_QUOTA_EXCEEDED',
      errors: [
        { path: 'body.filter', message: expect.stringContaining('TENANT_MAX_UNANCHORED_SUBPATTERNS') },
      ],
    })
    expect(over.json().detail).toContain('TENANT_MAX_UNANCHORED_SUBPATTERNS')
    expect(await count('triggers', tenant)).toBe(before)
    expect(await usageOf()).toMatchObject({ triggers: 3, unanchored_subpatterns: 2 })

    // Growing a filter past the quota is refused (the row unchanged); shrinking one frees room.
    const grow = await c.app.inject({
      method: 'PATCH',
      url: `/api/triggers/${free.json().id}`,
      headers: c.auth(tenant, 'editor'),
      payload: { filter: one },
    })
    expect(grow.statusCode).toBe(422)
    expect(grow.json().detail).toContain('TENANT_MAX_UNANCHORED_SUBPATTERNS')
    const shrink = await c.app.inject({
      method: 'PATCH',
      url: `/api/triggers/${edge.json().id}`,
      headers: c.auth(tenant, 'editor'),
      payload: { filter: { items: two.items } },
    })
    expect(shrink.statusCode).toBe(200)
    expect(await usageOf()).toMatchObject({ unanchored_subpatterns: 1 })

    // One place left, two replicas race for it: exactly one wins.
    await c.app.inject({
      method: 'DELETE',
      url: `/api/triggers/${free.json().id}`,
      headers: c.auth(tenant, 'editor'),
    })
    const [r1, r2] = await Promise.all([create(c, one), create(d, one)])
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([201, 422])
    expect(await usageOf()).toMatchObject({ unanchored_subpatterns: 2 })
  })
})

describe('TENANT_MAX_SUBPATTERNS_PER_ANCHOR', () => {
  const tenant = 'per-anchor'
  let workflowId: string
  // Two more replicas on the same database, with this quota small and the others at their defaults.
  let c: TestContext
  let d: TestContext
  beforeAll(async () => {
    const small = { TENANT_MAX_SUBPATTERNS_PER_ANCHOR: '3', TENANT_MAX_UNANCHORED_SUBPATTERNS: '1' }
    c = await setup({ env: small, databaseUrl: () => a.database.url, shareRedisWith: a })
    d = await setup({ env: small, databaseUrl: () => a.database.url, shareRedisWith: a })
    workflowId = (await createWorkflow(c, tenant)).id
  })
  afterAll(async () => {
    await d?.close()
    await c?.close()
  })
  const create = (ctx: TestContext, filter: Record<string, unknown>, type: 'event' | 'webhook' = 'event') =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/triggers',
      headers: ctx.auth(tenant, 'editor'),
      payload: { workflowId, name: name(), type, ...(type === 'event' && { eventType: 'order.*' }), filter },
    })
  const sku = (value: string | string[], min = 1e9) => ({
    items: { sku: Array.isArray(value) ? value : [value], qty: [{ numeric: ['>', min] }] },
  })
  const anchorsOf = async (id: string) =>
    (await a.database.sql`select subpattern_anchors from triggers where id = ${id}`)[0]!.subpattern_anchors

  it('accepts exactly the limit per anchor, refuses one more (422 naming the quota, nothing written), PATCH too', async () => {
    const first = await create(c, sku('A', 1))
    expect(first.statusCode, first.body).toBe(201)
    expect(await anchorsOf(first.json().id)).toEqual(['"items"."sku"="A"'])
    // A leaf of several values is in each value's group; webhook filters and the root object hold no anchor.
    const both = await create(c, sku(['A', 'B'], 2))
    expect(both.statusCode, both.body).toBe(201)
    expect((await create(c, sku('A'), 'webhook')).statusCode).toBe(201)
    expect((await create(c, { sku: ['A'], qty: [{ numeric: ['>', 1] }] })).statusCode).toBe(201)
    const edge = await create(c, { ...sku('A', 3), other: { x: ['y'], n: [{ exists: true }] } })
    expect(edge.statusCode, edge.body).toBe(201)

    const before = await count('triggers', tenant)
    const over = await create(d, sku(['C', 'A'], 4))
    expect(over.statusCode).toBe(422)
    expect(over.headers['content-type']).toContain('application/problem+json')
    expect(over.json()).toMatchObject({
      code: 'SCHED_ERR_QUOTA_EXCEEDED',
      errors: [
        { path: 'body.filter', message: expect.stringContaining('TENANT_MAX_SUBPATTERNS_PER_ANCHOR') },
      ],
    })
    expect(over.json().detail).toContain('TENANT_MAX_SUBPATTERNS_PER_ANCHOR')
    expect(await count('triggers', tenant)).toBe(before)
    // Another path, another key or another value is another anchor.
    expect((await create(c, { lines: { sku: ['A'], qty: [{ numeric: ['>', 1] }] } })).statusCode).toBe(201)
    expect((await create(c, { items: { code: ['A'], qty: [{ numeric: ['>', 1] }] } })).statusCode).toBe(201)
    expect((await create(c, sku('B', 5))).statusCode).toBe(201)

    // A PATCH that adds a shared anchor is refused (the row unchanged); one that keeps its anchors is not.
    const other = await create(c, sku('Z'))
    expect(other.statusCode).toBe(201)
    const patch = (id: string, filter: Record<string, unknown>) =>
      c.app.inject({
        method: 'PATCH',
        url: `/api/triggers/${id}`,
        headers: c.auth(tenant, 'editor'),
        payload: { filter },
      })
    const grow = await patch(other.json().id, sku(['Z', 'A']))
    expect(grow.statusCode).toBe(422)
    expect(grow.json().detail).toContain('TENANT_MAX_SUBPATTERNS_PER_ANCHOR')
    expect(await anchorsOf(other.json().id)).toEqual(['"items"."sku"="Z"'])
    expect((await patch(edge.json().id, sku('A', 7))).statusCode).toBe(200)
    // Freeing a place in the group lets another trigger in.
    expect((await patch(first.json().id, sku('Y'))).statusCode).toBe(200)
    expect((await patch(other.json().id, sku(['Z', 'A']))).statusCode).toBe(200)
  })

  it('does not limit triggers anchored by different values', async () => {
    for (let i = 0; i < 100; i++) {
      const res = await create(c, sku(`own-${i}`))
      expect(res.statusCode, res.body).toBe(201)
    }
  })

  it('two replicas racing for the last place in a group: exactly one wins', async () => {
    expect((await create(c, sku('R', 1))).statusCode).toBe(201)
    expect((await create(c, sku('R', 2))).statusCode).toBe(201)
    const [r1, r2] = await Promise.all([create(c, sku('R', 3)), create(d, sku('R', 4))])
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([201, 422])
    expect((r1.statusCode === 422 ? r1 : r2).json().detail).toContain('TENANT_MAX_SUBPATTERNS_PER_ANCHOR')
    const [{ n }] = await a.database.sql`
      select count(*)::int as n from triggers where tenant = ${tenant} and '"items"."sku"="R"' = any(subpattern_anchors)`
    expect(n).toBe(3)
  })

  it('counts sub-patterns anchored only by prefixes or suffixes as unanchored', async () => {
    const prefixed = { items: { sku: [{ prefix: 'A-' }], qty: [{ numeric: ['>', 1] }] } }
    const first = await create(c, prefixed)
    expect(first.statusCode, first.body).toBe(201)
    expect(await anchorsOf(first.json().id)).toEqual([])
    const usage = await a.database
      .sql`select unanchored_subpatterns from tenant_usage where tenant = ${tenant}`
    expect(usage[0]).toMatchObject({ unanchored_subpatterns: 1 })
    const over = await create(c, { lines: { sku: [{ suffix: '-Z' }], qty: [{ numeric: ['>', 1] }] } })
    expect(over.statusCode).toBe(422)
    expect(over.json().detail).toContain('TENANT_MAX_UNANCHORED_SUBPATTERNS')
  })
})
