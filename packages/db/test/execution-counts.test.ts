import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addExecutionCounts } from '../src/statements/execution-counts.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

async function schedule(): Promise<string> {
  const wf = randomUUID()
  const id = randomUUID()
  await t.sql`insert into workflows (id, tenant, name, steps) values (${wf}, 'acme', ${`wf-${wf}`}, '[]'::jsonb)`
  await t.sql`insert into schedules (id, tenant, workflow_id, name, cron_expression)
              values (${id}, 'acme', ${wf}, ${`s-${id}`}, '* * * * *')`
  return id
}

const countOf = async (id: string) =>
  (await t.sql<{ n: number }[]>`select execution_count as n from schedules where id = ${id}`)[0]!.n

describe('addExecutionCounts', () => {
  it('adds the starts, skips (without waiting) a row another transaction holds, and treats gone rows as done', async () => {
    const [free, held] = [await schedule(), await schedule()]
    const gone = randomUUID()
    let release!: () => void
    const holding = new Promise<void>((r) => {
      release = r
    })
    let locked!: () => void
    const isLocked = new Promise<void>((r) => {
      locked = r
    })
    // A scheduler's transaction holding `held` (FOR UPDATE) while it records fires.
    const tx = t.sql.begin(async (sql) => {
      await sql`select id from schedules where id = ${held} for update`
      locked()
      await holding
    })
    await isLocked
    const added = await addExecutionCounts(
      t.sql,
      new Map([
        [free, 2],
        [held, 3],
        [gone, 1],
      ]),
    )
    expect([...added].sort()).toEqual([free, gone].sort())
    expect(await countOf(free)).toBe(2)
    expect(await countOf(held)).toBe(0)
    release()
    await tx
    // The caller keeps the held one's count for its next turn.
    expect([...(await addExecutionCounts(t.sql, new Map([[held, 3]])))]).toEqual([held])
    expect(await countOf(held)).toBe(3)
  })
})
