import { AppError, MatchBudgetExceeded, uuidv7 } from '@punctual/core'
import { triggers } from '@punctual/db'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matchOrRefuse } from '../src/services/match-cost.ts'
import { createWorkflow, setup, type TestContext } from './helper.ts'
import { insertTrigger } from './trigger-rows.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup({ env: { TRIGGER_CACHE_TTL_MS: '0' }, ownRedisDb: true })
})
afterAll(() => ctx?.close())

const publish = (tenant: string, payload: unknown) =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/events',
    headers: ctx.auth(tenant, 'editor'),
    payload: payload as object,
  })

/** `values` anchor values × 16 sub-patterns (TENANT_MAX_SUBPATTERNS_PER_ANCHOR) under each, on `x`. */
async function manyAnchors(tenant: string, values: number) {
  const { id: workflowId } = await createWorkflow(ctx, tenant)
  const rows = Array.from({ length: values * 16 }, (_, i) => ({
    id: uuidv7(),
    tenant,
    workflowId,
    name: `many-${i}`,
    type: 'event' as const,
    eventType: 'cost.test',
    filter: { x: { a: [i % values], b: [{ numeric: ['>', 1e9 + i] }] } },
  }))
  // In chunks: one INSERT holds at most 65,535 parameters.
  for (let i = 0; i < rows.length; i += 2_000)
    await ctx.database.db.insert(triggers).values(rows.slice(i, i + 2_000))
}

/** The densest array of elements each listing every anchor value that keeps the request under 1 MiB. */
function listingAll(values: number) {
  const element = { a: Array.from({ length: values }, (_, i) => i), b: 1 }
  const count = Math.floor((1024 * 1024 - 200) / (JSON.stringify(element).length + 1))
  return { x: Array.from({ length: count }, () => element) }
}

const counts = async (tenant: string, eventId: string) => {
  const [e] = await ctx.database.sql<{ n: number }[]>`
    select count(*)::int as n from executions where tenant = ${tenant}`
  const [r] = await ctx.database.sql<{ n: number }[]>`
    select count(*)::int as n from event_receipts where tenant = ${tenant} and event_id = ${eventId}`
  return { executions: e!.n, receipts: r!.n }
}

describe('POST /api/events: a body too costly to match', () => {
  it('625 values × 16 sub-patterns, elements listing them all: 422, nothing written; an ordinary event after it starts', async () => {
    const tenant = 'costly'
    await manyAnchors(tenant, 625)
    const ordinary = await insertTrigger(ctx, tenant, { eventType: 'cost.ok', filter: { kind: ['ok'] } })
    const res = await publish(tenant, { id: 'evt-costly', type: 'cost.test', data: listingAll(625) })
    expect(res.statusCode, res.body.slice(0, 500)).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const problem = res.json()
    expect(problem).toMatchObject({ status: 422, code: 'SCHED_ERR_EVENT_TOO_COSTLY' })
    expect(problem.detail).toMatch(/arrays × the filters' multi-key sub-patterns/)
    expect(problem.detail).toMatch(/at `x`/)
    expect(await counts(tenant, 'evt-costly')).toEqual({ executions: 0, receipts: 0 })

    const ok = await publish(tenant, { id: 'evt-ok', type: 'cost.ok', data: { kind: 'ok' } })
    expect(ok.statusCode, ok.body).toBe(202)
    expect(ok.json().executions).toHaveLength(1)
    const [started] = await ctx.database
      .sql`select trigger_id from executions where id = ${ok.json().executions[0]}`
    expect(started).toMatchObject({ trigger_id: ordinary.id })
    // No receipt was kept: the refused id can be sent again (here with a body that is cheap to match).
    const again = await publish(tenant, {
      id: 'evt-costly',
      type: 'cost.test',
      data: { x: [{ a: 3, b: 1 }] },
    })
    expect(again.statusCode, again.body).toBe(202)
    expect(again.json().executions).toEqual([])
  })

  it('a large but ordinary body still matches exactly', async () => {
    const tenant = 'large'
    const { id: workflowId } = await createWorkflow(ctx, tenant)
    const rows = Array.from({ length: 100 }, (_, i) => ({
      id: uuidv7(),
      tenant,
      workflowId,
      name: `large-${i}`,
      type: 'event' as const,
      eventType: 'cost.large',
      filter: { items: { sku: [`sku_${i * 7}`], qty: [{ numeric: ['>', 10] }] } },
    }))
    await ctx.database.db.insert(triggers).values(rows)
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      sku: `sku_${i}`,
      qty: i % 100,
      tags: ['a', 'b'],
    }))
    const res = await publish(tenant, { type: 'cost.large', data: { items } })
    expect(res.statusCode, res.body.slice(0, 500)).toBe(202)
    const want = rows.filter((_, i) => (i * 7) % 100 > 10).map((t) => t.id)
    const got = await ctx.database.sql<{ trigger_id: string }[]>`
      select trigger_id from executions where id = any(${res.json().executions}::uuid[])`
    expect(got.map((r) => r.trigger_id).sort()).toEqual(want.sort())
  })
})

describe('matchOrRefuse (the /hooks and /api/events refusal)', () => {
  // One webhook filter cannot reach the budget with a 1 MiB body (its sub-patterns are few), so the /hooks
  // refusal is checked here: a spent budget becomes 422 and is counted; other errors pass through.
  it('turns MatchBudgetExceeded into 422 SCHED_ERR_EVENT_TOO_COSTLY and calls onRefused', () => {
    let refused = 0
    const spent = () => {
      throw new MatchBudgetExceeded(11, 10, ['items'])
    }
    let caught: unknown
    try {
      matchOrRefuse("the trigger's filter", spent, () => refused++)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(AppError)
    expect(caught).toMatchObject({ code: 'SCHED_ERR_EVENT_TOO_COSTLY', status: 422 })
    expect((caught as AppError).message).toMatch(/trigger's filter.*at `items`/)
    expect(refused).toBe(1)
    expect(
      matchOrRefuse(
        'x',
        () => 42,
        () => refused++,
      ),
    ).toBe(42)
    expect(() =>
      matchOrRefuse('x', () => {
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(refused).toBe(1)
  })
})
