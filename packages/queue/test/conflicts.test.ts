import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertSchedule } from '../src/due-index.ts'
import { createTestRedis, type TestRedis } from '../src/testing.ts'

let t: TestRedis
beforeAll(async () => {
  t = await createTestRedis()
})
afterAll(async () => {
  await t?.cleanup()
})

const NEXT = Date.UTC(2026, 0, 1)

function put(workflowId: string, scheduleId: string, fireMinutes: number[], version = 1) {
  return upsertSchedule(t.redis, t.keys, { scheduleId, workflowId, version, nextRunAtMs: NEXT, fireMinutes })
}

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** The definition, computed naively: another schedule with a minute at circular distance <= 1. */
function expectedConflicts(all: Map<string, number[]>, self: string): string[] {
  const mine = all.get(self)!
  const near = (a: number, b: number) => {
    const d = Math.abs(a - b)
    return Math.min(d, 1440 - d) <= 1
  }
  return [...all]
    .filter(([id, minutes]) => id !== self && minutes.some((m) => mine.some((x) => near(m, x))))
    .map(([id]) => id)
    .sort()
}

describe('per-minute conflict index', () => {
  it('finds schedules within one minute, excluding itself and other workflows', async () => {
    await put('wf-a', 'a-600', [600])
    await put('wf-a', 'a-601', [601])
    await put('wf-a', 'a-599', [599])
    await put('wf-a', 'a-602', [602])
    await put('wf-a', 'a-598', [598])
    await put('wf-b', 'b-600', [600])

    const res = await put('wf-a', 'a-self', [600])
    expect(res.conflicts).toEqual({ total: 3, scheduleIds: ['a-599', 'a-600', 'a-601'] })
    // Re-upserting itself never reports itself.
    const again = await put('wf-a', 'a-self', [600], 2)
    expect(again.conflicts.scheduleIds).not.toContain('a-self')
    expect(again.conflicts.total).toBe(3)
  })

  it('wraps around midnight: 1439 and 0 are adjacent', async () => {
    await put('wf-wrap', 'w-0', [0])
    await put('wf-wrap', 'w-1', [1])
    await put('wf-wrap', 'w-1438', [1438])
    await put('wf-wrap', 'w-720', [720])

    expect((await put('wf-wrap', 'w-1439', [1439])).conflicts).toEqual({
      total: 2,
      scheduleIds: ['w-0', 'w-1438'],
    })
    const atMidnight = await put('wf-wrap', 'w-0b', [0])
    expect(atMidnight.conflicts).toEqual({ total: 3, scheduleIds: ['w-0', 'w-1', 'w-1439'] })
  })

  it('counts a schedule once even when several of its minutes are near', async () => {
    await put('wf-multi', 'm-many', [10, 11, 12, 13, 500])
    await put('wf-multi', 'm-far', [300])
    const res = await put('wf-multi', 'm-probe', [11, 12, 499])
    expect(res.conflicts).toEqual({ total: 1, scheduleIds: ['m-many'] })
  })

  it('returns 10 ids ascending and the exact total when there are more', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `c-${String(i).padStart(2, '0')}`)
    for (const [i, id] of ids.entries()) await put('wf-crowd', id, [100 + (i % 3)])
    const res = await put('wf-crowd', 'c-probe', [101])
    expect(res.conflicts.total).toBe(25)
    expect(res.conflicts.scheduleIds).toEqual(ids.slice(0, 10))
  })

  it('orders ids by bytes, not by locale', async () => {
    for (const id of ['b', 'B', 'a-z', 'az', '_x', 'Z']) await put('wf-order', id, [50])
    const res = await put('wf-order', 'probe', [50])
    expect(res.conflicts.scheduleIds).toEqual(['B', 'Z', '_x', 'a-z', 'az', 'b'])
  })

  it('a schedule firing every minute conflicts with everything in its workflow', async () => {
    await put('wf-dense', 'd-1', [0])
    await put('wf-dense', 'd-2', [719])
    await put('wf-dense', 'd-3', [1439])
    const everyMinute = Array.from({ length: 1440 }, (_, m) => m)
    const res = await put('wf-dense', 'd-all', everyMinute)
    expect(res.conflicts).toEqual({ total: 3, scheduleIds: ['d-1', 'd-2', 'd-3'] })
    expect(await t.redis.zcard(t.keys.workflowMinutes('wf-dense'))).toBe(1443)
    expect((await put('wf-dense', 'd-4', [360])).conflicts).toEqual({ total: 1, scheduleIds: ['d-all'] })
    // Shrinking it removes exactly the old members.
    await put('wf-dense', 'd-all', [5], 2)
    expect(await t.redis.zcard(t.keys.workflowMinutes('wf-dense'))).toBe(5)
  })

  it('matches a naive computation on a random set', async () => {
    const random = prng(42)
    const all = new Map<string, number[]>()
    for (let i = 0; i < 300; i++) {
      const count = 1 + Math.floor(random() * 3)
      const minutes = Array.from({ length: count }, () => Math.floor(random() * 1440))
      all.set(`r-${i}`, minutes)
      await put('wf-random', `r-${i}`, minutes)
    }
    for (const id of ['r-0', 'r-17', 'r-150', 'r-299']) {
      const res = await put('wf-random', id, all.get(id)!, 2)
      const expected = expectedConflicts(all, id)
      expect(res.conflicts).toEqual({ total: expected.length, scheduleIds: expected.slice(0, 10) })
    }
  })

  it('stays exact with 10,000 schedules on one workflow', async () => {
    const workflowId = 'wf-big'
    const key = t.keys.workflowMinutes(workflowId)
    const minuteOf = new Map<string, number>()
    const random = prng(7)
    const pipeline = t.redis.pipeline()
    for (let i = 0; i < 10_000; i++) {
      const minute = Math.floor(random() * 1440)
      const id = `big-${String(i).padStart(5, '0')}`
      minuteOf.set(id, minute)
      pipeline.zadd(key, minute, `${String(minute).padStart(4, '0')}:${id}`)
      pipeline.hset(t.keys.scheduleMinutes, id, `${workflowId}|${minute}`)
      pipeline.hset(t.keys.dueVersion, id, '1')
      pipeline.zadd(t.keys.due, NEXT, id)
    }
    await pipeline.exec()
    expect(await t.redis.zcard(key)).toBe(10_000)

    const all = new Map([...minuteOf].map(([id, m]) => [id, [m]]))
    for (const probe of [0, 1, 700, 1439]) {
      const id = `probe-${probe}`
      all.set(id, [probe])
      const res = await put(workflowId, id, [probe])
      const expected = expectedConflicts(all, id)
      expect(expected.length).toBeGreaterThan(0)
      expect(res.conflicts).toEqual({ total: expected.length, scheduleIds: expected.slice(0, 10) })
    }
    // Moving an existing member keeps the index exact.
    const moved = await put(workflowId, 'big-00000', [3], 2)
    all.set('big-00000', [3])
    const expected = expectedConflicts(all, 'big-00000')
    expect(moved.conflicts).toEqual({ total: expected.length, scheduleIds: expected.slice(0, 10) })
    expect(await t.redis.zcard(key)).toBe(10_004)
  })
})
