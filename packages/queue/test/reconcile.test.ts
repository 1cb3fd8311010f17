import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { dueEntryCall, getDueEntry, upsertSchedule } from '../src/due-index.ts'
import { createExecutionQueue } from '../src/execution-queue.ts'
import type { EnqueueItem } from '../src/execution-queue-api.ts'
import { claimDue, completeClaim } from '../src/fire-claims.ts'
import { createKeys, type QueueKeys } from '../src/keys.ts'
import { ensureQueued, listIndexedScheduleIds, type SyncDueEntry, syncDueEntries } from '../src/reconcile.ts'
import { loadScripts } from '../src/script-loader.ts'
import { createTestRedis, deleteMatching, type TestRedis } from '../src/testing.ts'

let t: TestRedis
let k: QueueKeys
let n = 0
const keyspaces: string[] = []
beforeAll(async () => {
  t = await createTestRedis()
})
beforeEach(() => {
  k = createKeys(`${t.prefix}.${++n}`)
  keyspaces.push(k.scanPattern)
})
afterAll(async () => {
  for (const pattern of keyspaces) await deleteMatching(t.redis, pattern)
  await t?.cleanup()
})

const T0 = Date.UTC(2026, 2, 8, 7, 0, 0)

function entry(
  scheduleId: string,
  version: number,
  nextRunAtMs: number | null,
  conflictProfile = 'M420',
): SyncDueEntry {
  return {
    scheduleId,
    workflowId: 'wf-sync',
    version,
    nextRunAtMs,
    conflictProfile: nextRunAtMs === null ? '' : conflictProfile,
  }
}

describe('syncDueEntries', () => {
  it('writes missing entries, then finds nothing to do', async () => {
    const rows = [entry('s-1', 3, T0), entry('s-2', 1, T0 + 5), entry('s-paused', 2, null)]
    expect(await syncDueEntries(t.redis, k, rows)).toEqual({
      fixed: ['s-1', 's-2', 's-paused'],
      unchanged: 0,
      skipped: 0,
      stale: [],
    })
    expect(await getDueEntry(t.redis, k, 's-1')).toEqual({ scoreMs: T0, version: 3 })
    expect(await getDueEntry(t.redis, k, 's-paused')).toEqual({ scoreMs: null, version: 2 })
    expect(await t.redis.hget(k.scheduleMinutes, 's-1')).toBe('wf-sync|M420')
    expect(await syncDueEntries(t.redis, k, rows)).toEqual({ fixed: [], unchanged: 3, skipped: 0, stale: [] })
  })

  it('fixes a stale version, a lost score, a missing membership and an entry that should not be due', async () => {
    await upsertSchedule(t.redis, k, { ...entry('v-old', 1, T0), conflictProfile: 'M420' })
    await upsertSchedule(t.redis, k, { ...entry('lost-score', 4, T0), conflictProfile: 'M420' })
    await t.redis.zrem(k.due, 'lost-score')
    await upsertSchedule(t.redis, k, { ...entry('no-membership', 2, T0), conflictProfile: 'M420' })
    await t.redis.hdel(k.scheduleMinutes, 'no-membership')
    await upsertSchedule(t.redis, k, { ...entry('completed', 5, T0), conflictProfile: 'M420' })

    const res = await syncDueEntries(t.redis, k, [
      entry('v-old', 2, T0 + 60_000),
      entry('lost-score', 4, T0),
      entry('no-membership', 2, T0),
      entry('completed', 5, null),
    ])
    expect(res.fixed.sort()).toEqual(['completed', 'lost-score', 'no-membership', 'v-old'])
    expect(await getDueEntry(t.redis, k, 'v-old')).toEqual({ scoreMs: T0 + 60_000, version: 2 })
    expect(await getDueEntry(t.redis, k, 'lost-score')).toEqual({ scoreMs: T0, version: 4 })
    expect(await t.redis.hget(k.scheduleMinutes, 'no-membership')).toBe('wf-sync|M420')
    expect(await getDueEntry(t.redis, k, 'completed')).toEqual({ scoreMs: null, version: 5 })
  })

  it('at the same version only moves a fire forward: a worker may have advanced it after the read', async () => {
    await upsertSchedule(t.redis, k, { ...entry('fwd', 1, T0 + 10_000) })
    await upsertSchedule(t.redis, k, { ...entry('back', 1, T0 + 10_000) })
    const res = await syncDueEntries(t.redis, k, [entry('fwd', 1, T0 + 20_000), entry('back', 1, T0)])
    expect(res).toEqual({ fixed: ['fwd'], unchanged: 0, skipped: 1, stale: [] })
    expect(await getDueEntry(t.redis, k, 'back')).toEqual({ scoreMs: T0 + 10_000, version: 1 })
  })

  it('leaves an entry claimed at the same version to its claimer, and ends a claim of an older version', async () => {
    await upsertSchedule(t.redis, k, entry('claimed-same', 2, T0))
    await upsertSchedule(t.redis, k, entry('claimed-old', 2, T0))
    await claimDue(t.redis, k, { workerId: 'w', now: T0, lookaheadMs: 0, max: 10, leaseMs: 10_000 })

    const res = await syncDueEntries(t.redis, k, [
      entry('claimed-same', 2, T0),
      entry('claimed-old', 3, T0 + 5),
    ])
    expect(res).toEqual({ fixed: ['claimed-old'], unchanged: 0, skipped: 1, stale: [] })
    expect(await getDueEntry(t.redis, k, 'claimed-same')).toEqual({ scoreMs: null, version: 2 })
    expect(await getDueEntry(t.redis, k, 'claimed-old')).toEqual({ scoreMs: T0 + 5, version: 3 })
    expect(await t.redis.zscore(k.dueClaims, 'claimed-old')).toBeNull()
    // The claimer of the older version can no longer reschedule it.
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'claimed-old',
        version: 2,
        nextRunAtMs: T0 + 9,
      }),
    ).toEqual({ outcome: 'not-claimed' })
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'claimed-same',
        version: 2,
        nextRunAtMs: T0 + 9,
      }),
    ).toEqual({ outcome: 'rescheduled' })
  })

  it('keeps a higher version in Redis unless told Postgres is authoritative (rows locked)', async () => {
    // An API write indexed version 7 but its transaction rolled back: Postgres still has version 6.
    await upsertSchedule(t.redis, k, entry('phantom', 7, T0 + 1))
    expect(await syncDueEntries(t.redis, k, [entry('phantom', 6, T0)])).toEqual({
      fixed: [],
      unchanged: 0,
      skipped: 0,
      stale: ['phantom'],
    })
    expect(await getDueEntry(t.redis, k, 'phantom')).toEqual({ scoreMs: T0 + 1, version: 7 })
    const forced = await syncDueEntries(t.redis, k, [entry('phantom', 6, T0)], { authoritative: true })
    expect(forced.fixed).toEqual(['phantom'])
    expect(await getDueEntry(t.redis, k, 'phantom')).toEqual({ scoreMs: T0, version: 6 })
  })

  it('works in pipelined chunks and validates every entry before writing', async () => {
    const rows = Array.from({ length: 1203 }, (_, i) => entry(`bulk-${i}`, 1, T0 + i, `M${i % 1440}`))
    const res = await syncDueEntries(t.redis, k, rows, { chunkSize: 500 })
    expect(res.fixed.length).toBe(1203)
    expect(await t.redis.zcard(k.due)).toBe(1203)
    await expect(
      syncDueEntries(t.redis, k, [
        entry('fine', 1, T0),
        { ...entry('bad', 1, T0), conflictProfile: 'M1440' },
      ]),
    ).rejects.toMatchObject({ queueCode: 'QUEUE_ERR_INVALID_INPUT' })
    expect(await getDueEntry(t.redis, k, 'fine')).toBeNull()
  })
})

describe('the two repair scripts', () => {
  it('force-repair moves a fire backward at the same version, where repair leaves it to the worker', async () => {
    await upsertSchedule(t.redis, k, entry('back-forced', 1, T0 + 10_000, 'M10'))
    const res = await syncDueEntries(t.redis, k, [entry('back-forced', 1, T0, 'M20')], {
      authoritative: true,
    })
    expect(res).toEqual({ fixed: ['back-forced'], unchanged: 0, skipped: 0, stale: [] })
    expect(await getDueEntry(t.redis, k, 'back-forced')).toEqual({ scoreMs: T0, version: 1 })
    expect(await t.redis.hget(k.scheduleMinutes, 'back-forced')).toBe('wf-sync|M20')
    expect(await t.redis.zrange(k.conflictKeys('wf-sync').minutes, 0, -1)).toEqual(['0020:back-forced'])
  })

  it('force-repair still leaves a claim at the same version to its claimer and reports a match unchanged', async () => {
    await upsertSchedule(t.redis, k, entry('f-claimed', 4, T0))
    await claimDue(t.redis, k, { workerId: 'w', now: T0, lookaheadMs: 0, max: 10, leaseMs: 10_000 })
    await upsertSchedule(t.redis, k, entry('f-same', 2, T0 + 60_000))
    await upsertSchedule(t.redis, k, entry('f-paused', 3, null))
    const rows = [entry('f-claimed', 4, T0), entry('f-same', 2, T0 + 60_000), entry('f-paused', 3, null)]
    const res = await syncDueEntries(t.redis, k, rows, { authoritative: true })
    expect(res).toEqual({ fixed: [], unchanged: 2, skipped: 1, stale: [] })
    expect(await t.redis.zscore(k.dueClaims, 'f-claimed')).not.toBeNull()
    expect(await getDueEntry(t.redis, k, 'f-claimed')).toEqual({ scoreMs: null, version: 4 })
  })

  it('both refuse a conflict key outside the prefix and change nothing', async () => {
    const scripts = loadScripts(t.redis)
    const call = dueEntryCall(k, entry('mismatch', 1, T0))
    const wrongKeys = [...call.keys]
    wrongKeys[3] = k.conflictKeys('other-wf').minutes
    expect(await scripts.repairSchedule(wrongKeys, call.args)).toEqual([-1])
    expect(await scripts.forceRepairSchedule(wrongKeys, call.args)).toEqual([-1])
    expect(await getDueEntry(t.redis, k, 'mismatch')).toBeNull()
    expect(await scripts.repairSchedule(call.keys, call.args)).toEqual([1, '1'])
    expect(await scripts.forceRepairSchedule(call.keys, call.args)).toEqual([2])
  })
})

describe('listIndexedScheduleIds', () => {
  it('pages through every indexed schedule, paused ones included', async () => {
    const rows = Array.from({ length: 700 }, (_, i) => entry(`idx-${i}`, i + 1, i % 7 === 0 ? null : T0 + i))
    await syncDueEntries(t.redis, k, rows)
    const seen = new Map<string, number>()
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await listIndexedScheduleIds(t.redis, k, cursor, 100)
      for (const e of page.entries) seen.set(e.scheduleId, e.version)
      cursor = page.nextCursor
      pages++
    } while (cursor !== null)
    expect(pages).toBeGreaterThan(1)
    expect(seen.size).toBe(700)
    expect(seen.get('idx-0')).toBe(1)
    expect(seen.get('idx-699')).toBe(700)
    await expect(listIndexedScheduleIds(t.redis, k, 'nope')).rejects.toMatchObject({
      queueCode: 'QUEUE_ERR_INVALID_INPUT',
    })
  })
})

describe('ensureQueued', () => {
  const item = (id: string, over: Partial<EnqueueItem> = {}): EnqueueItem => ({
    id,
    priority: 5,
    scheduledForMs: T0,
    attempt: 1,
    tenant: 'acme',
    workflowId: 'wf',
    kind: 'fire',
    ...over,
  })

  it('re-enqueues only what Redis lost, wherever the others are', async () => {
    const q = createExecutionQueue(t.redis, k)
    await q.enqueue([item('q-ready'), item('q-run'), item('q-delayed', { availableAtMs: T0 + 60_000 })], T0)
    await q.setPriority('q-run', 9)
    await q.dequeue({ workerId: 'w', count: 1, leaseMs: 30_000, now: T0 })

    const res = await ensureQueued(
      t.redis,
      k,
      [
        item('q-ready'),
        item('q-run'),
        item('q-delayed'),
        item('q-lost'),
        item('q-retry', { availableAtMs: T0 + 5000 }),
      ],
      T0,
    )
    expect(res).toEqual({ enqueued: ['q-lost', 'q-retry'], present: 3 })
    expect(await q.get('q-run')).toMatchObject({ state: 'running', owner: 'w' })
    expect(await q.get('q-retry')).toMatchObject({ state: 'delayed', score: T0 + 5000 })

    expect((await t.redis.zrange(k.workflowReady('wf'), 0, -1)).sort()).toEqual(['q-lost', 'q-ready'])
    expect(await t.redis.zrange(k.running, 0, -1)).toEqual(['q-run'])
    expect((await t.redis.zrange(k.delayed, 0, -1)).sort()).toEqual(['q-delayed', 'q-retry'])
  })
})
