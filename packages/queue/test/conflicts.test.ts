import { CONFLICT_FREQUENT_MINUTES, conflictProfile, fireMinutesOfDay } from '@punctual/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CONFLICT_EXACT_UP_TO,
  CONFLICT_SCAN_BUDGET,
  removeSchedule,
  type ScheduleConflicts,
  upsertSchedule,
} from '../src/due-index.ts'
import { syncDueEntries } from '../src/reconcile.ts'
import { createTestRedis, type TestRedis } from '../src/testing.ts'

let t: TestRedis
beforeAll(async () => {
  t = await createTestRedis()
})
afterAll(async () => {
  await t?.cleanup()
})

const NEXT = Date.UTC(2026, 0, 1)

function put(workflowId: string, scheduleId: string, minutes: number[], version = 1) {
  return upsertSchedule(t.redis, t.keys, {
    scheduleId,
    workflowId,
    version,
    nextRunAtMs: NEXT,
    conflictProfile: conflictProfile(minutes),
  })
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

/** Byte order, as Redis and the script compare ids. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** The definition, computed naively: another schedule with a minute at circular distance <= 1. */
function expectedConflicts(all: Map<string, number[]>, self: string): string[] {
  const mine = new Set<number>()
  for (const m of all.get(self)!) for (const d of [-1, 0, 1]) mine.add((m + d + 1440) % 1440)
  return [...all]
    .filter(([id, minutes]) => id !== self && minutes.some((m) => mine.has(m)))
    .map(([id]) => id)
    .sort(byBytes)
}

/** What the contract promises: exact up to the bound, else a lower bound past it; ids among the conflicts. */
function expectAgrees(res: ScheduleConflicts, expected: string[]) {
  if (res.totalIsLowerBound) {
    expect(expected.length).toBeGreaterThan(CONFLICT_EXACT_UP_TO)
    expect(res.total).toBeGreaterThan(CONFLICT_EXACT_UP_TO)
    expect(res.total).toBeLessThanOrEqual(expected.length)
  } else {
    expect(res.total).toBe(expected.length)
  }
  expect(res.scheduleIds.length).toBe(Math.min(10, expected.length))
  expect([...res.scheduleIds].sort(byBytes)).toEqual(res.scheduleIds)
  const set = new Set(expected)
  for (const id of res.scheduleIds) expect(set.has(id)).toBe(true)
}

const everyMinute = Array.from({ length: 1440 }, (_, m) => m)
const hourlyAt = (q: number) => Array.from({ length: 24 }, (_, h) => h * 60 + q)

describe('conflict index', () => {
  it('finds schedules within one minute, excluding itself and other workflows', async () => {
    await put('wf-a', 'a-600', [600])
    await put('wf-a', 'a-601', [601])
    await put('wf-a', 'a-599', [599])
    await put('wf-a', 'a-602', [602])
    await put('wf-a', 'a-598', [598])
    await put('wf-b', 'b-600', [600])

    const res = await put('wf-a', 'a-self', [600])
    expect(res.conflicts).toEqual({
      total: 3,
      totalIsLowerBound: false,
      scheduleIds: ['a-599', 'a-600', 'a-601'],
    })
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
      totalIsLowerBound: false,
      scheduleIds: ['w-0', 'w-1438'],
    })
    const atMidnight = await put('wf-wrap', 'w-0b', [0])
    expect(atMidnight.conflicts).toMatchObject({ total: 3, scheduleIds: ['w-0', 'w-1', 'w-1439'] })
  })

  it('counts a schedule once even when several of its minutes are near', async () => {
    await put('wf-multi', 'm-many', [10, 11, 12, 13, 500])
    await put('wf-multi', 'm-far', [300])
    const res = await put('wf-multi', 'm-probe', [11, 12, 499])
    expect(res.conflicts).toEqual({ total: 1, totalIsLowerBound: false, scheduleIds: ['m-many'] })
  })

  it('orders ids by bytes, not by locale', async () => {
    for (const id of ['b', 'B', 'a-z', 'az', '_x', 'Z']) await put('wf-order', id, [50])
    const res = await put('wf-order', 'probe', [50])
    expect(res.conflicts.scheduleIds).toEqual(['B', 'Z', '_x', 'a-z', 'az', 'b'])
  })

  it('keeps a dense schedule as one entry that conflicts with everything that fires', async () => {
    await put('wf-dense', 'd-1', [0])
    await put('wf-dense', 'd-2', [719])
    await put('wf-dense', 'd-3', hourlyAt(30))
    const res = await put('wf-dense', 'd-all', everyMinute)
    expect(res.conflicts).toEqual({ total: 3, totalIsLowerBound: false, scheduleIds: ['d-1', 'd-2', 'd-3'] })
    const keys = t.keys.conflictKeys('wf-dense')
    expect(await t.redis.zrange(keys.dense, 0, -1)).toEqual(['d-all'])
    expect(await t.redis.hget(t.keys.scheduleMinutes, 'd-all')).toBe('wf-dense|D')
    expect(await t.redis.zcard(keys.minutes)).toBe(2)
    expect(await t.redis.zrange(keys.hourly, 0, -1)).toEqual(['30:d-3'])
    expect((await put('wf-dense', 'd-4', [360])).conflicts).toMatchObject({
      total: 1,
      scheduleIds: ['d-all'],
    })
    // Shrinking it takes out exactly the old entries and counts.
    await put('wf-dense', 'd-all', [5], 2)
    expect(await t.redis.zcard(keys.dense)).toBe(0)
    expect(await t.redis.zcard(keys.minutes)).toBe(4)
    expect(await t.redis.hgetall(keys.counts)).toEqual({ H: '1', M: '4' })
  })

  it('keeps an hourly schedule as one entry per minute of the hour', async () => {
    await put('wf-hourly', 'h-17', hourlyAt(17))
    await put('wf-hourly', 'h-59', hourlyAt(59))
    const keys = t.keys.conflictKeys('wf-hourly')
    expect(await t.redis.zrange(keys.hourly, 0, -1)).toEqual(['17:h-17', '59:h-59'])
    // 14:18 is next to 14:17; 03:00 is next to 02:59 (the hour wraps); 10:40 is near neither.
    expect((await put('wf-hourly', 'p-1', [14 * 60 + 18])).conflicts).toMatchObject({
      total: 1,
      scheduleIds: ['h-17'],
    })
    expect((await put('wf-hourly', 'p-2', [3 * 60])).conflicts).toMatchObject({
      total: 1,
      scheduleIds: ['h-59'],
    })
    expect((await put('wf-hourly', 'p-3', [10 * 60 + 40])).conflicts.total).toBe(0)
    // An hourly schedule at :00 meets the hourly one at :59 and every other one that fires at :59, :00 or :01.
    expect((await put('wf-hourly', 'h-00', hourlyAt(0))).conflicts).toMatchObject({
      total: 2,
      scheduleIds: ['h-59', 'p-2'],
    })
  })

  it('subtracts updates and deletes exactly', async () => {
    const random = prng(3)
    const shapes = [everyMinute, hourlyAt(5), [100], [100, 101, 900], hourlyAt(40), [5]]
    const all = new Map<string, number[]>()
    const versions = new Map<string, number>()
    for (let step = 0; step < 400; step++) {
      const id = `s-${Math.floor(random() * 30)}`
      if (random() < 0.2 && all.has(id)) {
        await removeSchedule(t.redis, t.keys, { scheduleId: id })
        all.delete(id)
        continue
      }
      const minutes = shapes[Math.floor(random() * shapes.length)]!
      const version = (versions.get(id) ?? 0) + 1
      versions.set(id, version)
      all.set(id, minutes)
      expectAgrees((await put('wf-churn', id, minutes, version)).conflicts, expectedConflicts(all, id))
    }
    const keys = t.keys.conflictKeys('wf-churn')
    const counts = await t.redis.hgetall(keys.counts)
    const profiles = [...all.values()].map((m) => conflictProfile(m)[0])
    expect(Number(counts['H'] ?? 0)).toBe(profiles.filter((k) => k === 'H').length)
    expect(Number(counts['M'] ?? 0)).toBe(profiles.filter((k) => k === 'M').length)
    expect(await t.redis.zcard(keys.dense)).toBe(profiles.filter((k) => k === 'D').length)
  })

  it('takes out an entry written in the format before conflict classes', async () => {
    const legacy = t.keys.conflictKeys('wf-legacy').legacyMinutes
    await t.redis.zadd(legacy, 10, '0010:old', 11, '0011:old', 10, '0010:other')
    await t.redis.hset(t.keys.scheduleMinutes, 'old', 'wf-legacy|10,11')
    await put('wf-legacy', 'old', [700], 2)
    expect(await t.redis.zrange(legacy, 0, -1)).toEqual(['0010:other'])
    expect(await t.redis.hget(t.keys.scheduleMinutes, 'old')).toBe('wf-legacy|M700')
  })

  it('matches a brute-force count on random mixed crons, on both sides of the bound', async () => {
    const crons: [string, string][] = [
      ['* * * * * *', 'UTC'],
      ['* * * * *', 'Europe/London'],
      ['*/3 * * * *', 'UTC'],
      ['*/20 * * * *', 'Asia/Kolkata'],
      ['7 * * * *', 'America/New_York'],
      ['30 * * * *', 'Australia/Lord_Howe'],
      ['0 9-17 * * *', 'America/New_York'],
      ['*/10 8-10 * * *', 'Europe/Berlin'],
      ['30 2 * * *', 'America/New_York'],
      ['0 0 * * *', 'America/Santiago'],
      // Frequent (an other profile of over 96 minutes): counted from per-minute bitmaps.
      ['*/2 9-17 * * *', 'America/New_York'],
      ['*/5 0-11 * * *', 'UTC'],
    ]
    const from = new Date('2026-03-08T05:00:00Z') // the New York spring-forward day
    const random = prng(42)
    const randomMinutes = (): number[] => {
      const r = random()
      if (r < 0.35) {
        const [cron, timezone] = crons[Math.floor(random() * crons.length)]!
        return fireMinutesOfDay(cron, { timezone, from })
      }
      if (r < 0.85) return [Math.floor(random() * 1440)] // a daily schedule at a random minute
      return hourlyAt(Math.floor(random() * 60))
    }
    for (const [w, size] of [
      [1, 40],
      [2, 160],
      [3, 400],
    ] as const) {
      const workflowId = `wf-random-${w}`
      const all = new Map<string, number[]>()
      for (let i = 0; i < size; i++) {
        const id = `r${w}-${i}`
        const minutes = randomMinutes()
        all.set(id, minutes)
        await put(workflowId, id, minutes)
      }
      let exactChecked = 0
      let beyondChecked = 0
      for (let i = 0; i < size; i += Math.ceil(size / 25)) {
        const id = `r${w}-${i}`
        const expected = expectedConflicts(all, id)
        const res = await put(workflowId, id, all.get(id)!, 2)
        expectAgrees(res.conflicts, expected)
        if (expected.length <= CONFLICT_EXACT_UP_TO) exactChecked++
        else beyondChecked++
      }
      if (w === 1) expect(exactChecked).toBeGreaterThan(0)
      if (w === 3) expect(beyondChecked).toBeGreaterThan(0)
    }
  })

  it('counts schedules that fire in many of the same minutes exactly, up to the bound', async () => {
    // 40 schedules every 2 minutes in business hours (270 minutes each, all near each other): reading their
    // entries one by one would take 40 × 270 entries and more; the bitmaps count them with one BITOP.
    const workflowId = 'wf-frequent'
    const all = new Map<string, number[]>()
    const from = new Date('2026-03-08T05:00:00Z')
    // On 2026-03-08 London and Lisbon are on UTC: all 40 fire in the same 9 hours.
    const zones = ['UTC', 'Europe/London', 'Europe/Lisbon', 'UTC']
    for (let i = 0; i < 40; i++) {
      const id = `busy-${String(i).padStart(2, '0')}`
      const minutes = fireMinutesOfDay(`${i % 2}-59/2 9-17 * * *`, { timezone: zones[i % 4]!, from })
      expect(conflictProfile(minutes)[0]).toBe('F')
      all.set(id, minutes)
      await put(workflowId, id, minutes)
    }
    // Beside them: daily, hourly and a dense one, and another frequent one far from the rest.
    for (const [id, minutes] of [
      ['daily-600', [600]],
      ['daily-0', [0]],
      ['hourly-31', hourlyAt(31)],
      ['night', fireMinutesOfDay('*/3 0-5 * * *', { timezone: 'Pacific/Auckland', from })],
    ] as const) {
      all.set(id, [...minutes])
      await put(workflowId, id, [...minutes])
    }
    for (const id of [...all.keys()]) {
      const expected = expectedConflicts(all, id)
      const res = await put(workflowId, id, all.get(id)!, 2)
      expect(res.conflicts.totalIsLowerBound).toBe(false)
      expect(res.conflicts.total).toBe(expected.length)
      expectAgrees(res.conflicts, expected)
    }
    all.set('dense', everyMinute)
    const dense = await put(workflowId, 'dense', everyMinute)
    expect(dense.conflicts).toMatchObject({ total: all.size - 1, totalIsLowerBound: false })
  })

  it('stays exact at the bound when every schedule near one fires in as many minutes as an M profile holds', async () => {
    // The scan's worst case: 100 other schedules with 96 minutes each, all near the new one (9,600 entries
    // and its own 96): exact. One more is past the bound, and a lower bound is then allowed.
    const workflowId = 'wf-worst'
    expect((CONFLICT_EXACT_UP_TO + 1) * CONFLICT_FREQUENT_MINUTES).toBeLessThanOrEqual(CONFLICT_SCAN_BUDGET)
    const minutes = Array.from({ length: CONFLICT_FREQUENT_MINUTES }, (_, i) => 600 + i * 2)
    expect(conflictProfile(minutes)[0]).toBe('M')
    const all = new Map<string, number[]>()
    for (let i = 0; i < CONFLICT_EXACT_UP_TO; i++) {
      all.set(`w-${i}`, minutes)
      await put(workflowId, `w-${i}`, minutes)
    }
    all.set('probe', minutes)
    const res = await put(workflowId, 'probe', minutes)
    expect(res.conflicts).toMatchObject({ total: CONFLICT_EXACT_UP_TO, totalIsLowerBound: false })
    expectAgrees(res.conflicts, expectedConflicts(all, 'probe'))
    all.set('one-more', minutes)
    await put(workflowId, 'one-more', minutes)
    const past = await put(workflowId, 'probe', minutes, 2)
    expectAgrees(past.conflicts, expectedConflicts(all, 'probe'))
  })

  it('takes frequent schedules out exactly, reuses their slots and leaves no bitmap behind', async () => {
    const workflowId = 'wf-frequent-churn'
    const k = t.keys.conflictKeys(workflowId)
    const busy = (offset: number) => Array.from({ length: 200 }, (_, i) => offset + i * 3)
    await put(workflowId, 'f-a', busy(0))
    await put(workflowId, 'f-b', busy(1))
    await put(workflowId, 'f-c', busy(2))
    expect(await t.redis.zrange(k.frequent, 0, -1, 'WITHSCORES')).toEqual([
      'f-a',
      '0',
      'f-b',
      '1',
      'f-c',
      '2',
    ])
    // f-b leaves for a daily minute far away: its bits are cleared and its slot is free.
    const moved = await put(workflowId, 'f-b', [1300], 2)
    expect(moved.conflicts).toMatchObject({ total: 0, totalIsLowerBound: false })
    expect(await t.redis.getbit(`${k.frequentMinutePrefix}1`, 1)).toBe(0)
    expect(await t.redis.getbit(`${k.frequentMinutePrefix}0`, 0)).toBe(1)
    const near = await put(workflowId, 'daily', [3])
    expect(near.conflicts).toMatchObject({ total: 2, scheduleIds: ['f-a', 'f-c'] })
    // A newcomer takes the lowest free slot.
    await put(workflowId, 'f-d', busy(1))
    expect(await t.redis.zscore(k.frequent, 'f-d')).toBe('1')
    expect((await put(workflowId, 'daily', [3], 2)).conflicts).toMatchObject({ total: 3 })
    // Deletes and a move to dense subtract exactly; the last one out takes the bitmaps with it.
    await removeSchedule(t.redis, t.keys, { scheduleId: 'f-a' })
    await put(workflowId, 'f-c', everyMinute, 2)
    expect((await put(workflowId, 'daily', [3], 3)).conflicts).toMatchObject({ total: 2 }) // f-d, dense f-c
    await removeSchedule(t.redis, t.keys, { scheduleId: 'f-d' })
    expect(await t.redis.hgetall(k.counts)).toEqual({ M: '2' })
    const left = await t.redis.keys(`${t.keys.conflictPrefix}f*${workflowId}*`)
    expect(left).toEqual([])
  })

  it('moves a membership written before frequent profiles into the bitmaps when the reconciler repairs it', async () => {
    const workflowId = 'wf-upgrade'
    const k = t.keys.conflictKeys(workflowId)
    const minutes = Array.from({ length: 270 }, (_, i) => 540 + i * 2)
    // As an earlier version left it (migration 0018 has since made the row's profile F): one entry per minute.
    await t.redis.hset(t.keys.scheduleMinutes, 'old', `${workflowId}|M${minutes.join(',')}`)
    await t.redis.hincrby(k.counts, 'M', 1)
    await t.redis.zadd(k.minutes, ...minutes.flatMap((m) => [0, `${String(m).padStart(4, '0')}:old`]))
    await t.redis.zadd(t.keys.due, NEXT, 'old')
    await t.redis.hset(t.keys.dueVersion, 'old', 1)
    const profile = conflictProfile(minutes)
    const sync = await syncDueEntries(t.redis, t.keys, [
      { scheduleId: 'old', workflowId, version: 1, nextRunAtMs: NEXT, conflictProfile: profile },
    ])
    expect(sync.fixed).toEqual(['old'])
    expect(await t.redis.exists(k.minutes)).toBe(0)
    expect(await t.redis.hgetall(k.counts)).toEqual({ F: '1', FN: '1' })
    expect(await t.redis.hget(t.keys.scheduleMinutes, 'old')).toBe(`${workflowId}|${profile}`)
    expect((await put(workflowId, 'upgrade-daily', [541])).conflicts).toMatchObject({
      total: 1,
      scheduleIds: ['old'],
    })
  })

  it('stays exact with 10,000 daily schedules on one workflow', async () => {
    const workflowId = 'wf-big'
    const all = new Map<string, number[]>()
    const random = prng(7)
    const pipelineSize = 500
    for (let i = 0; i < 10_000; i += pipelineSize) {
      await Promise.all(
        Array.from({ length: pipelineSize }, (_, j) => {
          const id = `big-${String(i + j).padStart(5, '0')}`
          const minute = Math.floor(random() * 1440)
          all.set(id, [minute])
          return put(workflowId, id, [minute])
        }),
      )
    }
    expect(await t.redis.zcard(t.keys.conflictKeys(workflowId).minutes)).toBe(10_000)
    for (const probe of [0, 1, 700, 1439]) {
      const id = `probe-${probe}`
      all.set(id, [probe])
      const res = await put(workflowId, id, [probe])
      const expected = expectedConflicts(all, id)
      expect(expected.length).toBeGreaterThan(0)
      expect(res.conflicts).toEqual({
        total: expected.length,
        totalIsLowerBound: false,
        scheduleIds: expected.slice(0, 10),
      })
    }
    // An hourly schedule meets about three of every 60 minutes: past the bound, a lower bound.
    all.set('hourly', hourlyAt(30))
    const hourly = await put(workflowId, 'hourly', hourlyAt(30))
    expectAgrees(hourly.conflicts, expectedConflicts(all, 'hourly'))
    expect(hourly.conflicts.totalIsLowerBound).toBe(true)
    // A dense one meets all of them, exactly, without reading them.
    const dense = await put(workflowId, 'dense', everyMinute)
    expect(dense.conflicts).toMatchObject({ total: all.size, totalIsLowerBound: false })
  })
})
