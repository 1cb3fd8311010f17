import { randomBytes, randomUUID as uuid } from 'node:crypto'
import { uuidv7Floor } from '@punctual/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countByStatusSince, scheduleSummary, tenantStats } from '../src/repos/execution-stats.ts'
import { createExecutionsRepo, type NewExecutionRow } from '../src/repos/executions.ts'
import { workflows } from '../src/schema/index.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
let workflowId: string
beforeAll(async () => {
  t = await createTestDatabase()
  workflowId = uuid()
  await t.db.insert(workflows).values({ id: workflowId, tenant: 'acme', name: 'wf', steps: [] })
})
afterAll(() => t.close())

const HOUR = 3_600_000
const NOW = Date.now()

/** A UUIDv7 made at `ms` (its random part random). */
const idAt = (ms: number) => {
  const hex = randomBytes(8).toString('hex')
  return `${uuidv7Floor(ms).slice(0, 19)}8${hex.slice(0, 3)}-${hex.slice(4, 16)}`
}

async function execution(at: number, row: Partial<NewExecutionRow> = {}): Promise<string> {
  const id = idAt(at)
  await createExecutionsRepo(t.db).insert({
    id,
    tenant: 'acme',
    kind: 'fire',
    scheduleId: uuid(),
    workflowId,
    scheduledFor: new Date(at),
    status: 'queued',
    ...row,
  })
  return id
}

describe('execution figures', () => {
  it('uuidv7Floor sorts at or below every id made at that millisecond or later', () => {
    expect(uuidv7Floor(0)).toBe('00000000-0000-7000-8000-000000000000')
    const at = Date.UTC(2026, 0, 1)
    expect(uuidv7Floor(at) <= idAt(at)).toBe(true)
    expect(idAt(at - 1) < uuidv7Floor(at)).toBe(true)
    expect(uuidv7Floor(at + 1) > uuidv7Floor(at)).toBe(true)
  })

  it('scheduleSummary: the newest execution, counts of fire and manual runs, mean duration of successes', async () => {
    const scheduleId = uuid()
    const ran = (ms: number) => ({ startedAt: new Date(NOW - 5000), finishedAt: new Date(NOW - 5000 + ms) })
    await execution(NOW - 4000, { scheduleId, status: 'succeeded', ...ran(100) })
    await execution(NOW - 3000, { scheduleId, status: 'succeeded', kind: 'manual', ...ran(300) })
    await execution(NOW - 2000, { scheduleId, status: 'dead', ...ran(50) })
    await execution(NOW - 1500, { scheduleId, status: 'skipped' })
    const newest = await execution(NOW - 1000, { scheduleId, status: 'queued' })
    const summary = await scheduleSummary(t.db, 'acme', scheduleId)
    expect(summary).toMatchObject({ succeeded: 2, finished: 3, averageDurationMs: 200 })
    expect(summary.last?.id).toBe(newest)
    expect(await scheduleSummary(t.db, 'acme', uuid())).toEqual({
      last: null,
      succeeded: 0,
      finished: 0,
      averageDurationMs: null,
    })
  })

  it('tenantStats and countByStatusSince count by creation window (the id range)', async () => {
    const before = await countByStatusSince(t.db, new Date(NOW - HOUR))
    await execution(NOW - 2 * HOUR, { status: 'dead' })
    await execution(NOW - 10 * 60_000, {
      status: 'succeeded',
      startedAt: new Date(NOW - 10 * 60_000 + 40),
      finishedAt: new Date(NOW - 10 * 60_000 + 90),
    })
    const after = await countByStatusSince(t.db, new Date(NOW - HOUR))
    expect(after.succeeded - before.succeeded).toBe(1)
    expect(after.dead - before.dead).toBe(0)

    const stats = await tenantStats(t.db, 'acme', new Date(NOW))
    // The dead one of the first test (a second old) and the one two hours old.
    expect([stats.lastHour.dead, stats.lastDay.dead, stats.dead]).toEqual([1, 2, 2])
    expect(stats.lastHour.succeeded).toBe(3)
    expect(stats.schedulesByState.active).toBe(0)
    expect(stats.firingLagMs).not.toBeNull()
  })
})
