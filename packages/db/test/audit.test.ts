import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuditRepo } from '../src/repos/audit.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

describe('audit repo', () => {
  it('records one entry or many, and lists a tenant newest first with a cursor', async () => {
    const audit = createAuditRepo(t.db)
    await audit.record({ tenant: 'a', actor: 'alice', action: 'workflow.created', targetType: 'workflow' })
    await audit.record([
      {
        tenant: 'a',
        actor: 'alice',
        action: 'trigger.created',
        targetType: 'trigger',
        targetId: 't1',
        details: { name: 'x' },
      },
      { tenant: 'b', actor: 'bob', action: 'trigger.deleted', targetType: 'trigger', targetId: 't2' },
    ])
    await audit.record([])

    const first = await audit.list('a', { limit: 1 })
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({
      tenant: 'a',
      actor: 'alice',
      action: 'trigger.created',
      targetType: 'trigger',
      targetId: 't1',
      details: { name: 'x' },
    })
    expect(first[0]!.at).toBeInstanceOf(Date)
    const second = await audit.list('a', { limit: 5, before: first[0]!.id })
    expect(second.map((r) => [r.action, r.targetId, r.details])).toEqual([['workflow.created', null, {}]])
    expect((await audit.list('b', { limit: 5 })).map((r) => r.actor)).toEqual(['bob'])
  })

  it('writes with the transaction it was given: a rolled-back change leaves no entry', async () => {
    await t.db
      .transaction(async (tx) => {
        await createAuditRepo(tx).record({
          tenant: 'rollback',
          actor: 'carol',
          action: 'schedule.paused',
          targetType: 'schedule',
        })
        throw new Error('abort')
      })
      .catch(() => {})
    expect(await createAuditRepo(t.db).list('rollback', { limit: 5 })).toEqual([])
  })
})
