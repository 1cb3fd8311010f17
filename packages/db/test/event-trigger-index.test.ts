import { randomUUID as uuid } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEventTriggerIndex } from '../src/event-trigger-index.ts'
import { triggers, workflows } from '../src/schema/index.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

async function trigger(tenant: string, values: Partial<typeof triggers.$inferInsert> = {}) {
  const [wf] = await t.db
    .insert(workflows)
    .values({ id: uuid(), tenant, name: `wf-${uuid()}`, steps: [{ name: 'wait', type: 'delay', ms: 1 }] })
    .returning()
  const [row] = await t.db
    .insert(triggers)
    .values({
      id: uuid(),
      tenant,
      name: `tr-${uuid()}`,
      type: 'event',
      eventType: 'order.created',
      ...values,
      workflowId: wf!.id,
    })
    .returning()
  return row!
}

describe('createEventTriggerIndex', () => {
  it('reads the triggers again on every call with no cache, but rebuilds the matcher only when one changed', async () => {
    const index = createEventTriggerIndex({ db: t.db, cacheTtlMs: 0 })
    const a = await trigger('reuse', { filter: { k: [1] } })
    const b = await trigger('reuse', { eventType: 'order.*', filter: null })
    const first = await index.matcherFor('reuse')
    expect(
      first
        .match('order.created', { k: 1 })
        .map((x) => x.id)
        .sort(),
    ).toEqual([a.id, b.id].sort())
    // Same ids and versions: the same matcher (and whatever it built on first need) is kept.
    expect(await index.matcherFor('reuse')).toBe(first)

    // A change bumps the version: rebuilt, and the change is seen.
    await t.db
      .update(triggers)
      .set({ filter: { k: [2] }, version: sql`${triggers.version} + 1` })
      .where(eq(triggers.id, a.id))
    const second = await index.matcherFor('reuse')
    expect(second).not.toBe(first)
    expect(second.match('order.created', { k: 1 }).map((x) => x.id)).toEqual([b.id])
    expect(
      second
        .match('order.created', { k: 2 })
        .map((x) => x.id)
        .sort(),
    ).toEqual([a.id, b.id].sort())
    expect(await index.matcherFor('reuse')).toBe(second)

    // A trigger disabled, or a new one: another set of ids.
    await t.db.update(triggers).set({ enabled: false, version: 9 }).where(eq(triggers.id, b.id))
    const third = await index.matcherFor('reuse')
    expect(third.match('order.created', { k: 2 }).map((x) => x.id)).toEqual([a.id])
    const c = await trigger('reuse')
    const fourth = await index.matcherFor('reuse')
    expect(fourth).not.toBe(third)
    expect(
      fourth
        .match('order.created', { k: 2 })
        .map((x) => x.id)
        .sort(),
    ).toEqual([a.id, c.id].sort())
    // Other tenants have their own.
    expect((await index.matcherFor('nobody')).size).toBe(0)
  })
})

describe('createEventTriggerIndex: builds in slices', () => {
  it('answers another tenant while a big matcher is built, and shares one build between concurrent calls', async () => {
    // 10,000 triggers of 10 matchers (100,000, TENANT_MAX_FILTER_MATCHERS), none an exact value.
    const [wf] = await t.db
      .insert(workflows)
      .values({ id: uuid(), tenant: 'big', name: 'wf', steps: [{ name: 'wait', type: 'delay', ms: 1 }] })
      .returning()
    await t.db.execute(sql`
      insert into triggers (id, tenant, name, type, event_type, workflow_id, filter)
      select gen_random_uuid(), 'big', 'tr-' || i, 'event', 'order.created', ${wf!.id}::uuid,
             jsonb_build_object(
               's', jsonb_build_array(jsonb_build_object('prefix', 'ab' || i), jsonb_build_object('suffix', i || 'ba'),
                                      jsonb_build_object('anything-but', jsonb_build_object('prefix', 'x' || i)),
                                      jsonb_build_object('exists', false)),
               'n', jsonb_build_array(jsonb_build_object('numeric', jsonb_build_array('>', i, '<=', i + 5)),
                                      jsonb_build_object('anything-but', jsonb_build_array(i))),
               'items', jsonb_build_object('sku', jsonb_build_array(jsonb_build_object('prefix', 'sku-' || i),
                                                                    jsonb_build_object('exists', false))),
               'k' || i, jsonb_build_array(jsonb_build_object('numeric', jsonb_build_array('>=', 0)),
                                           jsonb_build_object('exists', false)))
        from generate_series(1, 10000) i`)
    const small = await trigger('small', { filter: { k: [1] } })

    let pauses = 0
    let buildEnded = false
    const index = createEventTriggerIndex({
      db: t.db,
      cacheTtlMs: 0,
      slices: {
        sliceMs: 5,
        pause: async () => {
          pauses++
          await new Promise<void>((resolve) => setImmediate(resolve))
        },
      },
    })
    const bigFirst = index.matcherFor('big').then((m) => {
      buildEnded = true
      return m
    })
    // Wait for the build to have started (it has paused once), then ask for the other tenant, and again for
    // the same one (same versions: the build in progress is shared).
    while (pauses === 0) await new Promise<void>((resolve) => setImmediate(resolve))
    const bigSecond = index.matcherFor('big')
    const smallMatch = (await index.matcherFor('small')).match('order.created', { k: 1 })
    expect(smallMatch.map((x) => x.id)).toEqual([small.id])
    expect(buildEnded).toBe(false)

    const [first, second] = await Promise.all([bigFirst, bigSecond])
    expect(second).toBe(first)
    expect(first.size).toBe(10_000)
    // 100,000 entries: far more than one slice's work (about 1 s of CPU in all, in 5 ms slices).
    expect(pauses).toBeGreaterThan(20)
    const found = first.match('order.created', { s: 'ab17', n: 0.5, k17: 1 }).length
    expect(found).toBe(10_000)
    expect(first.match('order.created', { k3: -1, s: Array.from({ length: 10_000 }, () => 'ab3x') })).toEqual(
      [],
    )
  })
})
