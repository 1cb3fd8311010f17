import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getDueEntry, removeSchedule, upsertSchedule } from '../src/due-index.ts'
import {
  claimDue,
  completeClaim,
  completeClaims,
  reclaimExpiredClaims,
  releaseClaim,
} from '../src/fire-claims.ts'
import { createKeys, type QueueKeys } from '../src/keys.ts'
import { createRedis, type Redis, waitForReady } from '../src/redis.ts'
import { createTestRedis, deleteMatching, type TestRedis } from '../src/testing.ts'

let t: TestRedis
// A fresh keyspace per test, so each sees only its own schedules; all deleted after the file.
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
const LEASE = 10_000

function put(scheduleId: string, version: number, nextRunAtMs: number | null, conflictProfile = 'M420') {
  return upsertSchedule(t.redis, k, {
    scheduleId,
    workflowId: 'wf-claims',
    version,
    nextRunAtMs,
    conflictProfile: nextRunAtMs === null ? '' : conflictProfile,
  })
}

function claim(
  workerId: string,
  now: number,
  over: { lookaheadMs?: number; max?: number; leaseMs?: number } = {},
) {
  return claimDue(t.redis, k, { workerId, now, lookaheadMs: 0, max: 100, leaseMs: LEASE, ...over })
}

async function claimState(scheduleId: string) {
  const [lease, info] = await Promise.all([
    t.redis.zscore(k.dueClaims, scheduleId),
    t.redis.hget(k.dueClaimInfo, scheduleId),
  ])
  return { lease: lease === null ? null : Number(lease), info }
}

describe('claimDue', () => {
  it('claims entries due by now + lookahead, ordered by fire time, out of due and leased', async () => {
    await put('c-3', 1, T0 + 3000)
    await put('c-1', 4, T0 + 1000)
    await put('c-2', 2, T0 + 2000)
    await put('c-2b', 1, T0 + 2000)
    await put('c-far', 1, T0 + 60_000)

    const res = await claim('w1', T0, { lookaheadMs: 2000 })
    expect(res).toEqual({
      claims: [
        { scheduleId: 'c-1', fireAtMs: T0 + 1000, version: 4 },
        { scheduleId: 'c-2', fireAtMs: T0 + 2000, version: 2 },
        { scheduleId: 'c-2b', fireAtMs: T0 + 2000, version: 1 },
      ],
      restored: 0,
      dropped: 0,
      invalid: 0,
    })
    expect(await t.redis.zscore(k.due, 'c-1')).toBeNull()
    expect(await claimState('c-1')).toEqual({ lease: T0 + LEASE, info: `${T0 + 1000}|4|w1` })
    // The version stays indexed: the API's version guard still applies while claimed.
    expect(await getDueEntry(t.redis, k, 'c-1')).toEqual({ scoreMs: null, version: 4 })

    // Another scheduler does not get them again while the claim lasts.
    const other = await claim('w2', T0 + 1, { lookaheadMs: 2000 })
    expect(other.claims).toEqual([])
    const next = await claim('w2', T0 + 1000, { lookaheadMs: 2000 })
    expect(next.claims.map((c) => c.scheduleId)).toEqual(['c-3'])

    for (const c of [...res.claims, ...next.claims]) {
      await completeClaim(t.redis, k, {
        workerId: c.scheduleId === 'c-3' ? 'w2' : 'w1',
        scheduleId: c.scheduleId,
        version: c.version,
        nextRunAtMs: null,
      })
    }
    await removeSchedule(t.redis, k, { scheduleId: 'c-far' })
  })

  it('respects max and claims an entry due at exactly now + lookahead', async () => {
    for (let i = 0; i < 5; i++) await put(`m-${i}`, 1, T0 + i)
    const first = await claim('w', T0, { lookaheadMs: 2, max: 2 })
    expect(first.claims.map((c) => c.scheduleId)).toEqual(['m-0', 'm-1'])
    const second = await claim('w', T0, { lookaheadMs: 2, max: 10 })
    expect(second.claims.map((c) => c.scheduleId)).toEqual(['m-2'])
    for (const c of [...first.claims, ...second.claims]) {
      await completeClaim(t.redis, k, { workerId: 'w', ...c, nextRunAtMs: null })
    }
    for (let i = 0; i < 5; i++) await removeSchedule(t.redis, k, { scheduleId: `m-${i}` })
  })

  it('drops a due entry without a version (broken contract) instead of firing it', async () => {
    await t.redis.zadd(k.due, T0 - 5000, 'no-version')
    const res = await claim('w', T0 - 5000)
    expect(res.claims).toEqual([])
    expect(res.invalid).toBe(1)
    expect(await t.redis.zscore(k.due, 'no-version')).toBeNull()
  })
})

describe('completeClaims (batch)', () => {
  it('ends many claims in one call with the same compare-and-set as completeClaim, outcome per claim', async () => {
    await put('b-next', 1, T0)
    await put('b-done', 1, T0)
    await put('b-patched', 1, T0)
    await put('b-deleted', 1, T0)
    await put('b-other', 1, T0)
    expect((await claim('w', T0)).claims).toHaveLength(5)
    // The API wrote a newer version, or deleted, meanwhile: that ends the claim (as for completeClaim).
    await put('b-patched', 2, T0 + 5000)
    await removeSchedule(t.redis, k, { scheduleId: 'b-deleted' })
    const outcomes = await completeClaims(t.redis, k, {
      workerId: 'w',
      claims: [
        { scheduleId: 'b-next', version: 1, nextRunAtMs: T0 + 1000 },
        { scheduleId: 'b-done', version: 1, nextRunAtMs: null },
        { scheduleId: 'b-patched', version: 1, nextRunAtMs: T0 + 1000 },
        { scheduleId: 'b-deleted', version: 1, nextRunAtMs: T0 + 1000 },
        { scheduleId: 'b-other', version: 7, nextRunAtMs: T0 + 1000 },
      ],
    })
    expect(outcomes).toEqual(['rescheduled', 'finished', 'not-claimed', 'not-claimed', 'not-claimed'])
    expect(await getDueEntry(t.redis, k, 'b-next')).toMatchObject({ version: 1, scoreMs: T0 + 1000 })
    expect(await getDueEntry(t.redis, k, 'b-done')).toMatchObject({ version: 1, scoreMs: null })
    // The API's writes win; the wrong-version claim is still held (its lease returns it).
    expect(await getDueEntry(t.redis, k, 'b-patched')).toMatchObject({ version: 2, scoreMs: T0 + 5000 })
    expect(await getDueEntry(t.redis, k, 'b-deleted')).toBeNull()
    expect((await claimState('b-other')).info).not.toBeNull()
    expect((await claimState('b-next')).info).toBeNull()
  })
})

describe('completeClaim', () => {
  it('reschedules by compare-and-set on the version and ends the claim', async () => {
    await put('cc-ok', 3, T0)
    const [c] = (await claim('w', T0)).claims
    expect(c).toEqual({ scheduleId: 'cc-ok', fireAtMs: T0, version: 3 })
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'cc-ok',
        version: 3,
        nextRunAtMs: T0 + 60_000,
      }),
    ).toEqual({ outcome: 'rescheduled' })
    expect(await getDueEntry(t.redis, k, 'cc-ok')).toEqual({ scoreMs: T0 + 60_000, version: 3 })
    expect(await claimState('cc-ok')).toEqual({ lease: null, info: null })
    // A second completion (a retry of the same call) changes nothing.
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'cc-ok',
        version: 3,
        nextRunAtMs: T0 + 1,
      }),
    ).toEqual({ outcome: 'not-claimed' })
    expect(await getDueEntry(t.redis, k, 'cc-ok')).toEqual({ scoreMs: T0 + 60_000, version: 3 })
  })

  it('with no next fire, takes the schedule out of due and of the conflict index, keeping the version', async () => {
    await put('cc-done', 2, T0, 'M5,6')
    const [c] = (await claim('w', T0)).claims
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: c!.scheduleId,
        version: 2,
        nextRunAtMs: null,
      }),
    ).toEqual({ outcome: 'finished' })
    expect(await getDueEntry(t.redis, k, 'cc-done')).toEqual({ scoreMs: null, version: 2 })
    expect(await t.redis.hget(k.scheduleMinutes, 'cc-done')).toBeNull()
    expect(await t.redis.zrange(k.conflictKeys('wf-claims').minutes, 0, -1)).not.toContain('0005:cc-done')
    // The kept version still makes an older API write stale.
    expect((await put('cc-done', 1, T0 + 5)).applied).toBe(false)
  })

  it('can index the version the claimer wrote to the row', async () => {
    await put('cc-bump', 7, T0)
    await claim('w', T0)
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'cc-bump',
        version: 7,
        newVersion: 8,
        nextRunAtMs: T0 + 10,
      }),
    ).toEqual({ outcome: 'rescheduled' })
    expect(await getDueEntry(t.redis, k, 'cc-bump')).toEqual({ scoreMs: T0 + 10, version: 8 })
    await expect(
      completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'x',
        version: 7,
        newVersion: 6,
        nextRunAtMs: 1,
      }),
    ).rejects.toMatchObject({ queueCode: 'QUEUE_ERR_INVALID_INPUT' })
    await removeSchedule(t.redis, k, { scheduleId: 'cc-bump' })
  })

  it('a PATCH during the claim wins: the later completion with the old version changes nothing', async () => {
    await put('race-patch', 1, T0)
    await claim('w', T0)
    // The API writes version 2 (new expression) while the claimer works on version 1.
    expect((await put('race-patch', 2, T0 + 30_000)).applied).toBe(true)
    expect(await claimState('race-patch')).toEqual({ lease: null, info: null })
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'race-patch',
        version: 1,
        nextRunAtMs: T0 + 60_000,
      }),
    ).toEqual({ outcome: 'not-claimed' })
    expect(await getDueEntry(t.redis, k, 'race-patch')).toEqual({ scoreMs: T0 + 30_000, version: 2 })
    // Nor does the claim's expiry.
    expect(await reclaimExpiredClaims(t.redis, k, T0 + 10 * LEASE)).toEqual({ restored: 0, dropped: 0 })
    expect(await getDueEntry(t.redis, k, 'race-patch')).toEqual({ scoreMs: T0 + 30_000, version: 2 })
  })

  it('a rewrite at the same version (API retry after a rolled-back commit) also ends the claim', async () => {
    await put('race-same', 4, T0)
    await claim('w', T0)
    expect((await put('race-same', 4, T0 + 777)).applied).toBe(true)
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'race-same',
        version: 4,
        nextRunAtMs: T0 + 1,
      }),
    ).toEqual({ outcome: 'not-claimed' })
    expect(await getDueEntry(t.redis, k, 'race-same')).toEqual({ scoreMs: T0 + 777, version: 4 })
  })

  it('a pause during the claim wins: the schedule does not come back into due', async () => {
    await put('race-pause', 1, T0)
    await claim('w', T0)
    await put('race-pause', 2, null)
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'race-pause',
        version: 1,
        nextRunAtMs: T0 + 60_000,
      }),
    ).toEqual({ outcome: 'not-claimed' })
    expect(await getDueEntry(t.redis, k, 'race-pause')).toEqual({ scoreMs: null, version: 2 })
  })

  it('a delete during the claim wins: no completion, release or expiry brings it back', async () => {
    for (const id of ['race-del-1', 'race-del-2', 'race-del-3']) await put(id, 1, T0)
    await claim('w', T0)
    for (const id of ['race-del-1', 'race-del-2', 'race-del-3']) {
      expect(await removeSchedule(t.redis, k, { scheduleId: id })).toEqual({ removed: true })
      expect(await claimState(id)).toEqual({ lease: null, info: null })
    }
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'race-del-1',
        version: 1,
        nextRunAtMs: T0 + 1,
      }),
    ).toEqual({ outcome: 'not-claimed' })
    expect(await releaseClaim(t.redis, k, { workerId: 'w', scheduleId: 'race-del-2' })).toEqual({
      outcome: 'not-claimed',
    })
    await reclaimExpiredClaims(t.redis, k, T0 + 10 * LEASE)
    await claim('w2', T0 + 10 * LEASE)
    for (const id of ['race-del-1', 'race-del-2', 'race-del-3']) {
      expect(await getDueEntry(t.redis, k, id)).toBeNull()
    }
  })

  it('a version written by a writer unaware of claims supersedes the claim (rolling deploy)', async () => {
    await put('old-writer', 1, T0)
    await claim('w', T0)
    // What the previous upsert script did: version and score, claims untouched.
    await t.redis.hset(k.dueVersion, 'old-writer', '2')
    await t.redis.zadd(k.due, T0 + 500, 'old-writer')
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'old-writer',
        version: 1,
        nextRunAtMs: T0 + 9,
      }),
    ).toEqual({ outcome: 'superseded', indexedVersion: 2 })
    expect(await getDueEntry(t.redis, k, 'old-writer')).toEqual({ scoreMs: T0 + 500, version: 2 })
    expect(await claimState('old-writer')).toEqual({ lease: null, info: null })

    // Same for an expired claim: the newer entry wins, the claim is dropped.
    await put('old-writer-2', 1, T0)
    await claim('w', T0)
    await t.redis.hset(k.dueVersion, 'old-writer-2', '2')
    await t.redis.zadd(k.due, T0 + 600, 'old-writer-2')
    expect(await reclaimExpiredClaims(t.redis, k, T0 + LEASE)).toMatchObject({ dropped: 1 })
    expect(await getDueEntry(t.redis, k, 'old-writer-2')).toEqual({ scoreMs: T0 + 600, version: 2 })
    // And a removal while claimed by such a writer (version gone): the completion reports it.
    await put('old-writer-3', 1, T0)
    await claim('w', T0)
    await t.redis.hdel(k.dueVersion, 'old-writer-3')
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w',
        scheduleId: 'old-writer-3',
        version: 1,
        nextRunAtMs: T0 + 9,
      }),
    ).toEqual({ outcome: 'removed' })
    expect(await getDueEntry(t.redis, k, 'old-writer-3')).toBeNull()
  })

  it('only the claimer completes its claim', async () => {
    await put('owner', 1, T0)
    await claim('w-a', T0)
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w-b',
        scheduleId: 'owner',
        version: 1,
        nextRunAtMs: T0 + 5,
      }),
    ).toEqual({ outcome: 'not-claimed' })
    expect(await claimState('owner')).toMatchObject({ info: `${T0}|1|w-a` })
    expect(
      await completeClaim(t.redis, k, {
        workerId: 'w-a',
        scheduleId: 'owner',
        version: 1,
        nextRunAtMs: T0 + 5,
      }),
    ).toEqual({ outcome: 'rescheduled' })
    await removeSchedule(t.redis, k, { scheduleId: 'owner' })
  })
})

describe('releaseClaim and reclaimExpiredClaims', () => {
  it('releaseClaim puts the entry back with its original score', async () => {
    await put('rel', 5, T0 - 100)
    const [c] = (await claim('w', T0)).claims
    expect(await releaseClaim(t.redis, k, { workerId: 'w-other', scheduleId: 'rel' })).toEqual({
      outcome: 'not-claimed',
    })
    expect(await releaseClaim(t.redis, k, { workerId: 'w', scheduleId: 'rel' })).toEqual({
      outcome: 'restored',
    })
    expect(await getDueEntry(t.redis, k, 'rel')).toEqual({ scoreMs: c!.fireAtMs, version: 5 })
    expect(await claimState('rel')).toEqual({ lease: null, info: null })
    // Claimed again right away by anyone.
    expect((await claim('w2', T0)).claims).toEqual([c])
    await releaseClaim(t.redis, k, { workerId: 'w2', scheduleId: 'rel' })
    await removeSchedule(t.redis, k, { scheduleId: 'rel' })
  })

  it('an expired claim goes back to due with its original score; a live one stays', async () => {
    await put('exp-a', 1, T0)
    await put('exp-b', 1, T0 + 1)
    await claim('w-dead', T0, { lookaheadMs: 0, leaseMs: 1000 })
    await claim('w-live', T0 + 1, { lookaheadMs: 0, leaseMs: 5000 })
    expect(await reclaimExpiredClaims(t.redis, k, T0 + 999)).toEqual({ restored: 0, dropped: 0 })
    expect(await reclaimExpiredClaims(t.redis, k, T0 + 1000)).toEqual({ restored: 1, dropped: 0 })
    expect(await getDueEntry(t.redis, k, 'exp-a')).toEqual({ scoreMs: T0, version: 1 })
    expect(await claimState('exp-b')).toMatchObject({ lease: T0 + 5001 })

    // claimDue ends expired claims first, so a crashed claimer's schedule is claimed again in one call.
    const again = await claim('w-next', T0 + 5001)
    expect(again).toMatchObject({ restored: 1, dropped: 0 })
    expect(again.claims.map((c) => c.scheduleId)).toEqual(['exp-a', 'exp-b'])
    for (const c of again.claims)
      await completeClaim(t.redis, k, { workerId: 'w-next', ...c, nextRunAtMs: null })
  })
})

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

describe('claimers racing the API', () => {
  const clients: Redis[] = []
  afterAll(() => {
    for (const c of clients) c.disconnect()
  })

  it('the newest API version always survives and a deleted schedule never comes back', async () => {
    const N = 60
    const ids = Array.from({ length: N }, (_, i) => `race-${String(i).padStart(2, '0')}`)
    // What the API last wrote: version, next fire (null = paused) or deleted.
    const api = new Map<string, { version: number; next: number | null; deleted: boolean }>()
    for (const id of ids) {
      await put(id, 1, T0)
      api.set(id, { version: 1, next: T0, deleted: false })
    }
    for (let i = 0; i < 5; i++) {
      const c = createRedis(t.url, { name: `claims-race-${i}` })
      await waitForReady(c, 5000)
      clients.push(c)
    }
    let clock = T0
    let apiDone = false
    const outcomes = new Map<string, number>()
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1)

    const claimer = async (redis: Redis, w: number) => {
      const random = prng(100 + w)
      const workerId = `claimer-${w}`
      while (!apiDone) {
        clock += 50
        const now = clock
        const { claims } = await claimDue(redis, k, {
          workerId,
          now,
          lookaheadMs: 1000,
          max: 10,
          leaseMs: 300,
        })
        for (const c of claims) {
          const r = random()
          if (r < 0.7) {
            const res = await completeClaim(redis, k, {
              workerId,
              scheduleId: c.scheduleId,
              version: c.version,
              nextRunAtMs: c.fireAtMs + 500,
            })
            count(res.outcome)
          } else if (r < 0.85) {
            count((await releaseClaim(redis, k, { workerId, scheduleId: c.scheduleId })).outcome)
          } else {
            count('abandoned') // the claimer "dies": the lease expires
          }
        }
        if (claims.length === 0) await new Promise((resolve) => setImmediate(resolve))
      }
    }

    const apiWriter = async (redis: Redis) => {
      const random = prng(7)
      for (let round = 0; round < 600; round++) {
        const id = ids[Math.floor(random() * N)]!
        const state = api.get(id)!
        if (state.deleted) continue
        const r = random()
        if (r < 0.05) {
          await removeSchedule(redis, k, { scheduleId: id })
          api.set(id, { ...state, deleted: true })
        } else {
          const version = state.version + 1
          const next = r < 0.3 ? null : clock + Math.floor(random() * 2000)
          const res = await upsertSchedule(redis, k, {
            scheduleId: id,
            workflowId: 'wf-race',
            version,
            nextRunAtMs: next,
            conflictProfile: next === null ? '' : `M${round % 1440}`,
          })
          expect(res.applied).toBe(true)
          api.set(id, { version, next, deleted: false })
        }
        if (round % 10 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
      apiDone = true
    }

    await Promise.all([apiWriter(clients[0]!), ...clients.slice(1).map((c, w) => claimer(c, w))])

    // Let every claim lapse, then check what Redis holds against what the API last wrote.
    await reclaimExpiredClaims(t.redis, k, clock + 10_000, 10_000)
    expect(await t.redis.zcard(k.dueClaims)).toBe(0)
    for (const [id, last] of api) {
      const entry = await getDueEntry(t.redis, k, id)
      if (last.deleted) {
        expect(entry, id).toBeNull()
      } else if (last.next === null) {
        expect(entry, id).toEqual({ scoreMs: null, version: last.version })
      } else {
        expect(entry?.version, id).toBe(last.version)
        // Claimers only move a fire forward, and only at the version they claimed.
        expect(entry?.scoreMs, id).toBeGreaterThanOrEqual(last.next)
      }
    }
    expect([...api.values()].some((s) => s.deleted)).toBe(true)
    expect(outcomes.get('rescheduled') ?? 0).toBeGreaterThan(0)
  })
})
