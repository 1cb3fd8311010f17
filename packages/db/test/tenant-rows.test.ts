import { randomUUID as uuid } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tenantRows } from '../src/repos/tenant-rows.ts'
import { workflows } from '../src/schema/index.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

describe('tenantRows: one row by (tenant, id)', () => {
  it('inserts, reads, updates and deletes a row only within its tenant', async () => {
    const rows = tenantRows(t.db, workflows)
    const id = uuid()
    const created = await rows.insert({ id, tenant: 'acme', name: 'wf-a', steps: [] })
    expect(created).toMatchObject({ id, tenant: 'acme', name: 'wf-a', version: 1 })

    expect(await rows.get('other', id)).toBeUndefined()
    expect(await rows.update('other', id, { name: 'stolen' })).toBeUndefined()
    expect(await rows.delete('other', id)).toBe(false)

    const updated = await rows.update('acme', id, { name: 'wf-b', version: 2 })
    expect(updated).toMatchObject({ id, name: 'wf-b', version: 2 })
    expect(await rows.get('acme', id)).toMatchObject({ name: 'wf-b' })

    expect(await rows.delete('acme', id)).toBe(true)
    expect(await rows.get('acme', id)).toBeUndefined()
    expect(await rows.delete('acme', id)).toBe(false)
  })

  it('get with forUpdate locks the row until the transaction ends', async () => {
    const rows = tenantRows(t.db, workflows)
    const id = uuid()
    await rows.insert({ id, tenant: 'acme', name: 'locked', steps: [] })
    const order: string[] = []
    let other: Promise<unknown> | undefined
    await t.db.transaction(async (tx) => {
      expect(await tenantRows(tx, workflows).get('acme', id, { forUpdate: true })).toMatchObject({ id })
      // Another writer must wait for this transaction: without the lock it would be done during the pause.
      other = rows.update('acme', id, { name: 'second' }).then(() => order.push('other'))
      await new Promise((r) => setTimeout(r, 200))
      order.push('holder')
      await tenantRows(tx, workflows).update('acme', id, { name: 'first' })
    })
    await other
    expect(order).toEqual(['holder', 'other'])
    expect((await rows.get('acme', id))?.name).toBe('second')
  })
})
