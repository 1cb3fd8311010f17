import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDueEntry, removeSchedule, upsertSchedule } from '../src/due-index.ts'
import { QueueError } from '../src/errors.ts'
import { createTestRedis, type TestRedis } from '../src/testing.ts'

let t: TestRedis
beforeAll(async () => {
  t = await createTestRedis()
})
afterAll(async () => {
  await t?.cleanup()
})

const T0 = Date.UTC(2026, 2, 8, 7, 0, 0)

async function membership(scheduleId: string) {
  return t.redis.hget(t.keys.scheduleMinutes, scheduleId)
}
async function workflowMembers(workflowId: string) {
  return t.redis.zrange(t.keys.conflictKeys(workflowId).minutes, 0, -1)
}

describe('upsertSchedule / removeSchedule / getDueEntry', () => {
  it('inserts the due entry, the version and the conflict membership', async () => {
    const res = await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-insert',
      workflowId: 'wf-insert',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M60,420',
    })
    expect(res).toEqual({
      applied: true,
      version: 1,
      conflicts: { total: 0, totalIsLowerBound: false, scheduleIds: [] },
    })
    expect(await getDueEntry(t.redis, t.keys, 's-insert')).toEqual({ scoreMs: T0, version: 1 })
    expect(await t.redis.zscore(t.keys.due, 's-insert')).toBe(String(T0))
    expect(await membership('s-insert')).toBe('wf-insert|M60,420')
    expect(await workflowMembers('wf-insert')).toEqual(['0060:s-insert', '0420:s-insert'])
  })

  it('updates in place and replaces the membership exactly', async () => {
    const base = { scheduleId: 's-update', workflowId: 'wf-update' }
    await upsertSchedule(t.redis, t.keys, { ...base, version: 1, nextRunAtMs: T0, conflictProfile: 'M10,20' })
    await upsertSchedule(t.redis, t.keys, {
      ...base,
      version: 2,
      nextRunAtMs: T0 + 1000,
      conflictProfile: 'M20,30',
    })
    expect(await getDueEntry(t.redis, t.keys, 's-update')).toEqual({ scoreMs: T0 + 1000, version: 2 })
    expect(await membership('s-update')).toBe('wf-update|M20,30')
    expect(await workflowMembers('wf-update')).toEqual(['0020:s-update', '0030:s-update'])
  })

  it('ignores a lower version, applies an equal one', async () => {
    const base = { scheduleId: 's-version', workflowId: 'wf-version' }
    await upsertSchedule(t.redis, t.keys, { ...base, version: 5, nextRunAtMs: T0, conflictProfile: 'M100' })

    const stale = await upsertSchedule(t.redis, t.keys, {
      ...base,
      version: 4,
      nextRunAtMs: T0 + 60_000,
      conflictProfile: 'M200',
    })
    expect(stale).toEqual({
      applied: false,
      version: 5,
      conflicts: { total: 0, totalIsLowerBound: false, scheduleIds: [] },
    })
    expect(await getDueEntry(t.redis, t.keys, 's-version')).toEqual({ scoreMs: T0, version: 5 })
    expect(await membership('s-version')).toBe('wf-version|M100')

    const staleNull = await upsertSchedule(t.redis, t.keys, {
      ...base,
      version: 0,
      nextRunAtMs: null,
      conflictProfile: '',
    })
    expect(staleNull.applied).toBe(false)
    expect(await getDueEntry(t.redis, t.keys, 's-version')).toEqual({ scoreMs: T0, version: 5 })

    const equal = await upsertSchedule(t.redis, t.keys, {
      ...base,
      version: 5,
      nextRunAtMs: T0 + 120_000,
      conflictProfile: 'M300',
    })
    expect(equal.applied).toBe(true)
    expect(await getDueEntry(t.redis, t.keys, 's-version')).toEqual({ scoreMs: T0 + 120_000, version: 5 })
    expect(await workflowMembers('wf-version')).toEqual(['0300:s-version'])
  })

  it('null nextRunAtMs removes the due entry and the membership but keeps the version', async () => {
    const base = { scheduleId: 's-pause', workflowId: 'wf-pause' }
    await upsertSchedule(t.redis, t.keys, { ...base, version: 1, nextRunAtMs: T0, conflictProfile: 'M5' })
    await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-pause-other',
      workflowId: 'wf-pause',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M5',
    })

    const paused = await upsertSchedule(t.redis, t.keys, {
      ...base,
      version: 2,
      nextRunAtMs: null,
      conflictProfile: 'M5',
    })
    expect(paused).toEqual({
      applied: true,
      version: 2,
      conflicts: { total: 0, totalIsLowerBound: false, scheduleIds: [] },
    })
    expect(await t.redis.zscore(t.keys.due, 's-pause')).toBeNull()
    expect(await getDueEntry(t.redis, t.keys, 's-pause')).toEqual({ scoreMs: null, version: 2 })
    expect(await membership('s-pause')).toBeNull()
    expect(await workflowMembers('wf-pause')).toEqual(['0005:s-pause-other'])

    // The kept version still guards against a stale writer resurrecting the entry.
    const stale = await upsertSchedule(t.redis, t.keys, {
      ...base,
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M5',
    })
    expect(stale.applied).toBe(false)
    expect(await t.redis.zscore(t.keys.due, 's-pause')).toBeNull()

    const resumed = await upsertSchedule(t.redis, t.keys, {
      ...base,
      version: 3,
      nextRunAtMs: T0,
      conflictProfile: 'M5',
    })
    expect(resumed.conflicts).toEqual({ total: 1, totalIsLowerBound: false, scheduleIds: ['s-pause-other'] })
    expect(await getDueEntry(t.redis, t.keys, 's-pause')).toEqual({ scoreMs: T0, version: 3 })
  })

  it('moving a schedule to another workflow cleans the old workflow index', async () => {
    await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-stay',
      workflowId: 'wf-old',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M700',
    })
    await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-move',
      workflowId: 'wf-old',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M700,800',
    })
    await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-there',
      workflowId: 'wf-new',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M801',
    })

    const moved = await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-move',
      workflowId: 'wf-new',
      version: 2,
      nextRunAtMs: T0,
      conflictProfile: 'M700,800',
    })
    // Conflicts are computed in the new workflow only.
    expect(moved.conflicts).toEqual({ total: 1, totalIsLowerBound: false, scheduleIds: ['s-there'] })
    expect(await workflowMembers('wf-old')).toEqual(['0700:s-stay'])
    expect(await workflowMembers('wf-new')).toEqual(['0700:s-move', '0800:s-move', '0801:s-there'])
    expect(await membership('s-move')).toBe('wf-new|M700,800')
  })

  it('removeSchedule deletes the due entry, the version and the membership', async () => {
    await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-remove',
      workflowId: 'wf-remove',
      version: 3,
      nextRunAtMs: T0,
      conflictProfile: 'M1,2',
    })
    await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-keep',
      workflowId: 'wf-remove',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M1',
    })

    expect(await removeSchedule(t.redis, t.keys, { scheduleId: 's-remove' })).toEqual({ removed: true })
    expect(await getDueEntry(t.redis, t.keys, 's-remove')).toBeNull()
    expect(await t.redis.hget(t.keys.dueVersion, 's-remove')).toBeNull()
    expect(await membership('s-remove')).toBeNull()
    expect(await workflowMembers('wf-remove')).toEqual(['0001:s-keep'])

    expect(await removeSchedule(t.redis, t.keys, { scheduleId: 's-remove' })).toEqual({ removed: false })
    expect(await removeSchedule(t.redis, t.keys, { scheduleId: 's-never' })).toEqual({ removed: false })
  })

  it('removeSchedule of a paused schedule removes its version', async () => {
    await upsertSchedule(t.redis, t.keys, {
      scheduleId: 's-rm-paused',
      workflowId: 'wf-rm',
      version: 2,
      nextRunAtMs: null,
      conflictProfile: '',
    })
    expect(await getDueEntry(t.redis, t.keys, 's-rm-paused')).toEqual({ scoreMs: null, version: 2 })
    expect(await removeSchedule(t.redis, t.keys, { scheduleId: 's-rm-paused' })).toEqual({ removed: true })
    expect(await getDueEntry(t.redis, t.keys, 's-rm-paused')).toBeNull()
  })

  it('getDueEntry of an unknown schedule is null', async () => {
    expect(await getDueEntry(t.redis, t.keys, 'nope')).toBeNull()
  })

  it('rejects invalid input before touching Redis', async () => {
    const ok = {
      scheduleId: 's-bad',
      workflowId: 'wf-bad',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: 'M0',
    }
    const cases = [
      { ...ok, conflictProfile: 'M1440' },
      { ...ok, conflictProfile: 'M-1' },
      { ...ok, conflictProfile: 'M1.5' },
      { ...ok, conflictProfile: 'M5,3' },
      { ...ok, conflictProfile: 'H60' },
      { ...ok, conflictProfile: 'X' },
      { ...ok, version: 1.5 },
      { ...ok, version: -1 },
      { ...ok, nextRunAtMs: Number.NaN },
      { ...ok, scheduleId: '' },
      { ...ok, workflowId: 'a|b' },
    ]
    for (const input of cases) {
      await expect(upsertSchedule(t.redis, t.keys, input)).rejects.toMatchObject({
        queueCode: 'QUEUE_ERR_INVALID_INPUT',
      })
    }
    await expect(upsertSchedule(t.redis, t.keys, cases[0]!)).rejects.toBeInstanceOf(QueueError)
    expect(await getDueEntry(t.redis, t.keys, 's-bad')).toBeNull()
  })

  it('keeps every key under the file prefix hash tag', async () => {
    const found: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await t.redis.scan(cursor, 'MATCH', `*${t.prefix}*`, 'COUNT', 1000)
      cursor = next
      found.push(...batch)
    } while (cursor !== '0')
    expect(found.length).toBeGreaterThan(0)
    for (const key of found) expect(key.startsWith(`{${t.prefix}}:`)).toBe(true)
  })
})
