import { uuidv7 } from '@punctual/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuditRepo } from '../src/repos/audit.ts'
import { PAGE_FETCH_BYTES } from '../src/repos/page.ts'
import { createWorkflowsRepo } from '../src/repos/workflows.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

// Rows of ~60% of the fetch budget each: the second crosses it.
const big = (tag: string) => [{ name: tag, type: 'delay', ms: 0, pad: 'x'.repeat(PAGE_FETCH_BYTES * 0.6) }]

describe('page(): one page of a list, bounded in rows and bytes', () => {
  it('stops after the row that crosses the byte budget and says whether the list goes on', async () => {
    const repo = createWorkflowsRepo(t.db)
    const ids: string[] = []
    for (const tag of ['a', 'b', 'c']) {
      ids.push((await repo.insert({ id: uuidv7(), tenant: 't', name: tag, steps: big(tag) })).id)
    }
    const idsOf = (page: { rows: { id: string }[] }) => page.rows.map((r) => r.id)

    const first = await repo.page('t', { limit: 10 })
    expect(idsOf(first)).toEqual(ids.slice(0, 2))
    expect(first.more).toBe(true)
    expect(first.rows[0]!.steps).toEqual(big('a'))
    expect(first.rows[0]!.createdAt).toBeInstanceOf(Date)
    expect(first.rows[0]).not.toHaveProperty('pageNext')

    const rest = await repo.page('t', { limit: 10, after: ids[1] })
    expect(idsOf(rest)).toEqual(ids.slice(2))
    expect(rest.more).toBe(false)

    // The crossing row is the last of the list: no next page.
    await t.sql`delete from workflows where id = ${ids[2]!}`
    const two = await repo.page('t', { limit: 10 })
    expect(idsOf(two)).toEqual(ids.slice(0, 2))
    expect(two.more).toBe(false)

    // By count, as before.
    expect(await repo.page('t', { limit: 1 })).toMatchObject({ rows: [{ id: ids[0] }], more: true })
    expect(await repo.page('t', { limit: 2 })).toMatchObject({ more: false })
    expect(await repo.page('nobody', { limit: 5 })).toEqual({ rows: [], more: false })
  })

  it('newest first (audit): the same cut in descending order', async () => {
    const audit = createAuditRepo(t.db)
    for (const tag of ['a', 'b', 'c']) {
      await audit.record({
        tenant: 't',
        actor: 'x',
        action: 'workflow.updated',
        targetType: 'workflow',
        details: { tag, pad: 'x'.repeat(PAGE_FETCH_BYTES * 0.6) },
      })
    }
    const page = await audit.page('t', { limit: 10 })
    expect(page.rows.map((r) => r.details.tag)).toEqual(['c', 'b'])
    expect(page.more).toBe(true)
    const rest = await audit.page('t', { limit: 10, before: page.rows[1]!.id })
    expect(rest.rows.map((r) => r.details.tag)).toEqual(['a'])
    expect(rest.more).toBe(false)
  })
})
