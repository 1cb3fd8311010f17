import { createExecutionQueue } from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setup, type TestContext } from './helper.ts'
import { insertTrigger, type TriggerValues } from './trigger-rows.ts'

interface ExecutionDto {
  id: string
  kind: string
  triggerId: string | null
  scheduleId: string | null
  workflowId: string
  status: string
  priority: number
  input: Record<string, unknown>
  attempt: number
}

let ctx: TestContext
beforeAll(async () => {
  // Triggers are written straight into the database here, so the index is read on every event.
  ctx = await setup({ env: { TRIGGER_CACHE_TTL_MS: '0' }, ownRedisDb: true })
})
afterAll(() => ctx?.close())

const publish = (payload: unknown, tenant = 'acme', role: 'viewer' | 'editor' | 'admin' = 'editor') =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/events',
    headers: ctx.auth(tenant, role),
    payload: payload as object,
  })

async function executionsOf(triggerId: string, tenant = 'acme'): Promise<ExecutionDto[]> {
  const res = await ctx.app.inject({
    method: 'GET',
    url: `/api/executions?triggerId=${triggerId}`,
    headers: ctx.auth(tenant, 'viewer'),
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items
}

const trigger = (values: TriggerValues, tenant = 'acme') => insertTrigger(ctx, tenant, values)

describe('POST /api/events: matching by type', () => {
  it('starts every enabled trigger whose eventType selects the type, with input = data, and queues it', async () => {
    const exact = await trigger({ eventType: 'shop.order.created', priority: 8 })
    const glob = await trigger({ eventType: 'shop.order.*' })
    const deepGlob = await trigger({ eventType: 'shop.*' })
    const other = await trigger({ eventType: 'shop.order.paid' })
    const tooDeep = await trigger({ eventType: 'shop.order.created.*' })
    const disabled = await trigger({ eventType: 'shop.order.created', enabled: false })

    const data = { order: { id: 42, lines: [{ sku: 'A' }] } }
    const res = await publish({ type: 'shop.order.created', data })
    expect(res.statusCode, res.body).toBe(202)
    const body = res.json()
    expect(typeof body.eventId).toBe('string')
    expect(body.executions).toHaveLength(3)
    // One execution per matching trigger, in trigger id order.
    const started = [exact, glob, deepGlob].sort((a, b) => (a.id < b.id ? -1 : 1))
    for (const [i, t] of started.entries()) {
      const [execution] = await executionsOf(t.id)
      expect(execution).toMatchObject({
        id: body.executions[i],
        kind: 'event',
        triggerId: t.id,
        scheduleId: null,
        workflowId: t.workflowId,
        status: 'queued',
        attempt: 0,
        priority: t.priority,
        input: data,
      })
    }
    for (const t of [other, tooDeep, disabled]) expect(await executionsOf(t.id)).toEqual([])
    // Durably queued, and in Redis for a worker to take.
    const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
    for (const id of body.executions)
      expect(await queue.get(id)).toMatchObject({ id, kind: 'event', attempt: 0 })
    const [exactRun] = await executionsOf(exact.id)
    expect((await queue.get(exactRun!.id))?.priority).toBe(8)
  })

  it('does not select "order" with "order.*", and answers 202 with no executions when nothing matches', async () => {
    const glob = await trigger({ eventType: 'ledger.*' })
    const res = await publish({ type: 'ledger', data: {} })
    expect(res.statusCode, res.body).toBe(202)
    expect(res.json().executions).toEqual([])
    expect(await executionsOf(glob.id)).toEqual([])
  })

  it('selects every type with "*"', async () => {
    const all = await trigger({ eventType: '*' }, 'star-tenant')
    const a = await publish({ type: 'x', data: {} }, 'star-tenant')
    const b = await publish({ type: 'y.z', data: {} }, 'star-tenant')
    expect([a.statusCode, b.statusCode]).toEqual([202, 202])
    expect(await executionsOf(all.id, 'star-tenant')).toHaveLength(2)
  })
})

describe('POST /api/events: filters, end to end', () => {
  // Each case: a trigger with this filter (its own event type), payloads that start it and payloads that do not.
  const cases: { name: string; filter: Record<string, unknown> | null; yes: unknown[]; no: unknown[] }[] = [
    {
      name: 'exact strings (any of the list)',
      filter: { status: ['paid', 'shipped'] },
      yes: [{ status: 'paid' }, { status: 'shipped', extra: 1 }],
      no: [{ status: 'open' }, { status: 5 }, {}, { status: ['open'] }],
    },
    {
      name: 'exact numbers, booleans and null, strictly typed',
      filter: { n: [5], b: [true], z: [null] },
      yes: [{ n: 5, b: true, z: null }],
      no: [
        { n: '5', b: true, z: null },
        { n: 5, b: 'true', z: null },
        { n: 5, b: true },
      ],
    },
    {
      name: 'prefix',
      filter: { sku: [{ prefix: 'AB-' }] },
      yes: [{ sku: 'AB-1' }, { sku: 'AB-' }],
      no: [{ sku: 'XAB-1' }, { sku: 12 }, {}],
    },
    {
      name: 'suffix',
      filter: { file: [{ suffix: '.png' }] },
      yes: [{ file: 'a.png' }],
      no: [{ file: 'a.png.jpg' }, { file: null }],
    },
    {
      name: 'anything-but (a list)',
      filter: { state: [{ 'anything-but': ['cancelled', 'failed'] }] },
      yes: [{ state: 'open' }, { state: 3 }],
      no: [{ state: 'cancelled' }, { state: 'failed' }, {}],
    },
    {
      name: 'anything-but (a prefix)',
      filter: { env: [{ 'anything-but': { prefix: 'test-' } }] },
      yes: [{ env: 'prod' }],
      no: [{ env: 'test-1' }],
    },
    {
      name: 'numeric range',
      filter: { amount: [{ numeric: ['>', 0, '<=', 5] }] },
      yes: [{ amount: 5 }, { amount: 0.5 }],
      no: [{ amount: 0 }, { amount: 5.01 }, { amount: '3' }, {}],
    },
    {
      name: 'numeric equality',
      filter: { count: [{ numeric: ['=', 3] }] },
      yes: [{ count: 3 }, { count: 3.0 }],
      no: [{ count: 4 }],
    },
    {
      name: 'exists: true (present, whatever the value)',
      filter: { coupon: [{ exists: true }] },
      yes: [{ coupon: 'X' }, { coupon: null }, { coupon: [] }],
      no: [{}, { coupons: 'X' }],
    },
    {
      name: 'exists: false',
      filter: { coupon: [{ exists: false }] },
      yes: [{}, { other: 1 }],
      no: [{ coupon: 'X' }, { coupon: null }],
    },
    {
      name: 'nested objects',
      filter: { customer: { address: { country: ['FR', 'DE'] } } },
      yes: [{ customer: { address: { country: 'DE', city: 'Berlin' } } }],
      no: [{ customer: { country: 'FR' } }, { customer: { address: { country: 'IT' } } }, { customer: 'FR' }],
    },
    {
      name: 'an array in the payload matches when any element does',
      filter: { tags: ['urgent'] },
      yes: [{ tags: ['low', 'urgent'] }, { tags: 'urgent' }],
      no: [{ tags: ['low'] }, { tags: [] }],
    },
    {
      name: 'an array of objects: one element must match the whole sub-pattern',
      filter: { items: { sku: ['a'], qty: [{ numeric: ['>=', 2] }] } },
      yes: [
        {
          items: [
            { sku: 'b', qty: 9 },
            { sku: 'a', qty: 2 },
          ],
        },
      ],
      no: [
        {
          items: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 3 },
          ],
        },
        { items: [] },
      ],
    },
    {
      name: 'several keys must all match, several matchers of a leaf are alternatives',
      filter: { kind: ['refund'], total: [{ numeric: ['>', 100] }, { exists: false }] },
      yes: [{ kind: 'refund', total: 150 }, { kind: 'refund' }],
      no: [
        { kind: 'refund', total: 50 },
        { kind: 'sale', total: 150 },
      ],
    },
    { name: 'an empty filter matches everything', filter: {}, yes: [{}, { a: 1 }], no: [] },
    { name: 'no filter matches everything', filter: null, yes: [{ any: ['thing'] }], no: [] },
  ]

  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const type = `filter.case${i}`
      const t = await trigger({ eventType: type, filter: c.filter })
      // A second trigger of the same type without filter: tells "matched nothing" from "did not run".
      const witness = await trigger({ eventType: type })
      for (const data of c.yes) {
        const res = await publish({ type, data })
        expect(res.statusCode, res.body).toBe(202)
        expect(res.json().executions, `should match: ${JSON.stringify(data)}`).toHaveLength(2)
      }
      for (const data of c.no) {
        const res = await publish({ type, data })
        expect(res.statusCode, res.body).toBe(202)
        expect(res.json().executions, `should not match: ${JSON.stringify(data)}`).toHaveLength(1)
      }
      const started = await executionsOf(t.id)
      expect(started).toHaveLength(c.yes.length)
      // Newest first: the inputs are the matching payloads.
      expect(started.map((e) => e.input).reverse()).toEqual(c.yes)
      expect(await executionsOf(witness.id)).toHaveLength(c.yes.length + c.no.length)
    })
  }
})

describe('POST /api/events: deduplication by id', () => {
  it('starts nothing for an id seen in the last 24 h and answers the first executions, per tenant', async () => {
    const a = await trigger({ eventType: 'dedup.created' })
    const b = await trigger({ eventType: 'dedup.*' })
    const first = await publish({ type: 'dedup.created', data: { n: 1 }, id: 'evt-001' })
    expect(first.statusCode, first.body).toBe(202)
    expect(first.json()).toEqual({ eventId: 'evt-001', executions: expect.any(Array) })
    expect(first.json().executions).toHaveLength(2)

    // Same id, even with another payload: nothing new.
    const again = await publish({ type: 'dedup.created', data: { n: 2 }, id: 'evt-001' })
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json()).toEqual({
      eventId: 'evt-001',
      executions: expect.arrayContaining(first.json().executions),
      deduplicated: true,
    })
    expect(again.json().executions).toHaveLength(2)
    expect(await executionsOf(a.id)).toHaveLength(1)
    expect(await executionsOf(b.id)).toHaveLength(1)

    // The same id in another tenant is another event.
    const t2 = await trigger({ eventType: 'dedup.created' }, 'tenant-two')
    const other = await publish({ type: 'dedup.created', data: {}, id: 'evt-001' }, 'tenant-two')
    expect(other.statusCode, other.body).toBe(202)
    expect(await executionsOf(t2.id, 'tenant-two')).toHaveLength(1)
  })

  it('still deduplicates after the Redis database is flushed (ids are remembered in Postgres)', async () => {
    const t = await trigger({ eventType: 'flush.created' })
    const first = await publish({ type: 'flush.created', data: {}, id: 'evt-flush' })
    expect(first.statusCode).toBe(202)
    await ctx.redis.redis.flushdb()
    const again = await publish({ type: 'flush.created', data: {}, id: 'evt-flush' })
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json()).toMatchObject({ deduplicated: true, executions: first.json().executions })
    expect(await executionsOf(t.id)).toHaveLength(1)
  })

  it('starts again once the first receipt is older than 24 h', async () => {
    const t = await trigger({ eventType: 'aged.created' })
    const first = await publish({ type: 'aged.created', data: {}, id: 'evt-aged' })
    expect(first.statusCode).toBe(202)
    await ctx.database.sql`
      update event_receipts set received_at = now() - interval '24 hours 1 second'
       where tenant = 'acme' and event_id = 'evt-aged'`
    const again = await publish({ type: 'aged.created', data: {}, id: 'evt-aged' })
    expect(again.statusCode, again.body).toBe(202)
    expect(again.json().executions).not.toEqual(first.json().executions)
    expect(await executionsOf(t.id)).toHaveLength(2)
    const third = await publish({ type: 'aged.created', data: {}, id: 'evt-aged' })
    expect(third.json()).toMatchObject({ deduplicated: true, executions: again.json().executions })
  })

  it('starts one set of executions for the same id sent many times at once', async () => {
    const t = await trigger({ eventType: 'race.created' })
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => publish({ type: 'race.created', data: {}, id: 'evt-race' })),
    )
    const codes = answers.map((r) => r.statusCode).sort()
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 202])
    const started = await executionsOf(t.id)
    expect(started).toHaveLength(1)
    for (const r of answers) expect(r.json().executions).toEqual([started[0]!.id])
  })

  it('never deduplicates events sent without an id (each gets its own eventId)', async () => {
    const t = await trigger({ eventType: 'noid.created' })
    const a = await publish({ type: 'noid.created', data: {} })
    const b = await publish({ type: 'noid.created', data: {} })
    expect([a.statusCode, b.statusCode]).toEqual([202, 202])
    expect(a.json().eventId).not.toBe(b.json().eventId)
    expect(await executionsOf(t.id)).toHaveLength(2)
  })
})

describe('POST /api/events: tenants', () => {
  it("never starts another tenant's triggers, nor shows their executions", async () => {
    const mine = await trigger({ eventType: 'iso.created' }, 'iso-a')
    const res = await publish({ type: 'iso.created', data: {} }, 'iso-b')
    expect(res.statusCode).toBe(202)
    expect(res.json().executions).toEqual([])
    expect(await executionsOf(mine.id, 'iso-a')).toEqual([])
    const own = await publish({ type: 'iso.created', data: {} }, 'iso-a')
    expect(own.json().executions).toHaveLength(1)
    // Tenant b does not see tenant a's executions, even by trigger id.
    expect(await executionsOf(mine.id, 'iso-b')).toEqual([])
    expect(await executionsOf(mine.id, 'iso-a')).toHaveLength(1)
  })
})

describe('POST /api/events: bad input', () => {
  it('answers 400 naming every failing field, and starts nothing', async () => {
    const t = await trigger({ eventType: 'bad.created' })
    const cases: [unknown, string[]][] = [
      [{}, ['body.type', 'body.data']],
      [{ type: 'bad.created' }, ['body.data']],
      [{ type: 'bad.created', data: [1, 2] }, ['body.data']],
      [{ type: 'bad.created', data: 'x' }, ['body.data']],
      [{ type: 'bad.*', data: {} }, ['body.type']],
      [{ type: '', data: {} }, ['body.type']],
      [{ type: 'bad..created', data: {} }, ['body.type']],
      [{ type: 'bad created', data: {} }, ['body.type']],
      [{ type: 'x'.repeat(257), data: {} }, ['body.type']],
      [{ type: 'bad.created', data: {}, id: '' }, ['body.id']],
      [{ type: 'bad.created', data: {}, id: 'x'.repeat(201) }, ['body.id']],
      [{ type: 'bad.created', data: {}, id: 7 }, ['body.id']],
      [{ type: 'bad.created', data: {}, extra: true }, ['body.extra']],
    ]
    for (const [payload, paths] of cases) {
      const res = await publish(payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.headers['content-type']).toContain('application/problem+json')
      const named = new Set(res.json().errors.map((e: { path: string }) => e.path))
      expect([...named].sort()).toEqual([...paths].sort())
    }
    const malformed = await ctx.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { ...ctx.auth('acme', 'editor'), 'content-type': 'application/json' },
      payload: '{"type": "bad.created", "data": {',
    })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().code).toBe('SCHED_ERR_MALFORMED_JSON')
    const text = await ctx.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: { ...ctx.auth('acme', 'editor'), 'content-type': 'text/plain' },
      payload: 'bad.created',
    })
    expect(text.statusCode).toBe(415)
    const huge = await publish({ type: 'bad.created', data: { blob: 'x'.repeat(1_100_000) } })
    expect(huge.statusCode).toBe(413)
    expect(await executionsOf(t.id)).toEqual([])
  })

  it('needs a token (401) and the editor role (403)', async () => {
    const t = await trigger({ eventType: 'auth.created' })
    const none = await ctx.app.inject({
      method: 'POST',
      url: '/api/events',
      payload: { type: 'auth.created', data: {} },
    })
    expect(none.statusCode).toBe(401)
    const viewer = await publish({ type: 'auth.created', data: {} }, 'acme', 'viewer')
    expect(viewer.statusCode).toBe(403)
    expect(await executionsOf(t.id)).toEqual([])
  })
})

describe('POST /api/events with the trigger index cached', () => {
  let cached: TestContext
  beforeAll(async () => {
    cached = await setup({ env: { TRIGGER_CACHE_TTL_MS: '60000' } })
  })
  afterAll(() => cached?.close())

  const send = (type: string) =>
    cached.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: cached.auth('acme', 'editor'),
      payload: { type, data: {} },
    })

  it('never starts a trigger disabled or deleted after the index was read; invalidate shows new ones', async () => {
    const kept = await insertTrigger(cached, 'acme', { eventType: 'cache.created' })
    const disabled = await insertTrigger(cached, 'acme', { eventType: 'cache.created' })
    const deleted = await insertTrigger(cached, 'acme', { eventType: 'cache.created' })
    expect((await send('cache.created')).json().executions).toHaveLength(3)

    await cached.database.sql`update triggers set enabled = false where id = ${disabled.id}`
    await cached.database.sql`delete from triggers where id = ${deleted.id}`
    const after = await send('cache.created')
    expect(after.statusCode).toBe(202)
    const [row] = await cached.database
      .sql`select trigger_id from executions where id = ${after.json().executions[0]}`
    expect(after.json().executions).toHaveLength(1)
    expect(row!.trigger_id).toBe(kept.id)

    // A trigger added by another process is seen once the cached index expires or is invalidated.
    const added = await insertTrigger(cached, 'acme', { eventType: 'cache.created' })
    expect((await send('cache.created')).json().executions).toHaveLength(1)
    cached.app.services.events.invalidate('acme')
    const fresh = await send('cache.created')
    expect(fresh.json().executions).toHaveLength(2)
    const triggerIds = await cached.database.sql`
      select trigger_id from executions where id in ${cached.database.sql(fresh.json().executions)}`
    expect(triggerIds.map((r) => r.trigger_id).sort()).toEqual([kept.id, added.id].sort())
  })
})

describe('POST /api/events with a dependency down', () => {
  let proxy: TcpProxy
  let faulty: TestContext
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    faulty = await setup({ env: { TRIGGER_CACHE_TTL_MS: '0' }, redisUrl: (base) => proxy.url(base.url) })
  })
  afterAll(async () => {
    proxy?.restore()
    await faulty?.close()
    await proxy?.close()
  })

  it('answers 202 with Redis unreachable: the executions are committed and left to the reconciler', async () => {
    const t = await insertTrigger(faulty, 'acme', { eventType: 'down.created' })
    proxy.cut()
    const t0 = Date.now()
    const res = await faulty.app.inject({
      method: 'POST',
      url: '/api/events',
      headers: faulty.auth('acme', 'editor'),
      payload: { type: 'down.created', data: { x: 1 }, id: 'evt-down' },
    })
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(res.statusCode, res.body).toBe(202)
    const rows = await faulty.database
      .sql`select status, trigger_id, input from executions where id = ${res.json().executions[0]}`
    expect(rows.map((r) => ({ ...r }))).toEqual([{ status: 'queued', trigger_id: t.id, input: { x: 1 } }])
    proxy.restore()
  })

  it('answers 503 within 5 s with Postgres unreachable, and nothing is written', async () => {
    const down = await setup({ databaseUrl: () => 'postgres://postgres@127.0.0.1:1/none' })
    try {
      const t0 = Date.now()
      const res = await down.app.inject({
        method: 'POST',
        url: '/api/events',
        headers: down.auth('acme', 'editor'),
        payload: { type: 'down.created', data: {} },
      })
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(res.statusCode, res.body).toBe(503)
      expect(res.json().code).toBe('SCHED_ERR_DEPENDENCY_DOWN')
    } finally {
      await down.close()
    }
  })
})
