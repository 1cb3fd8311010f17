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
