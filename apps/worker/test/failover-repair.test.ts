import { randomUUID } from 'node:crypto'
import { waitFor } from '@punctual/core/testing'
import { claimDue, createRedis, getDueEntry, upsertSchedule, waitForReady } from '@punctual/queue'
import { createTestRedis, startPrivateRedis, type TestRedis } from '@punctual/queue/testing'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFailoverRepair, endClaimsTakenBefore, watchFailover } from '../src/maintenance/failover.ts'

// What a Redis failover starts in a worker (maintenance/failover.ts). The cluster and Sentinel paths end to end
// are in e2e/redis-cluster.test.ts and e2e/redis-sentinel.test.ts.
let t: TestRedis
const LEASE = 30_000

beforeAll(async () => {
  t = await createTestRedis()
})
afterAll(async () => {
  await t?.cleanup()
})

async function dueSchedule(scoreMs: number): Promise<string> {
  const scheduleId = randomUUID()
  await upsertSchedule(t.redis, t.keys, {
    scheduleId,
    workflowId: randomUUID(),
    version: 1,
    nextRunAtMs: scoreMs,
    conflictProfile: '',
  })
  return scheduleId
}

const claim = (workerId: string, now: number) =>
  claimDue(t.redis, t.keys, { workerId, now, lookaheadMs: 0, max: 100, leaseMs: LEASE })

describe('after a failover', () => {
  it('ends the claims taken before the signal (their completion may be lost) and keeps the later ones', async () => {
    const t0 = 1_800_000_000_000
    const early = [await dueSchedule(t0 - 2000), await dueSchedule(t0 - 1000)]
    expect((await claim('w-old', t0)).claims.map((c) => c.scheduleId).sort()).toEqual([...early].sort())
    // Claimed: out of the due-index until the claim ends.
    expect(await t.redis.zscore(t.keys.due, early[0]!)).toBeNull()
    const late = await dueSchedule(t0 + 4000)
    expect((await claim('w-new', t0 + 5000)).claims.map((c) => c.scheduleId)).toEqual([late])

    // The signal came at t0 + 3000: the claims of t0 end, the one of t0 + 5000 stays.
    expect(await endClaimsTakenBefore(t.redis, t.keys, t0 + 3000, LEASE)).toBe(2)
    for (const [i, id] of early.entries()) {
      expect(await getDueEntry(t.redis, t.keys, id)).toEqual({ scoreMs: t0 - 2000 + i * 1000, version: 1 })
    }
    expect(await t.redis.zscore(t.keys.dueClaims, late)).not.toBeNull()
    expect(await endClaimsTakenBefore(t.redis, t.keys, t0 + 3000, LEASE)).toBe(0)
  })

  it('a reconnect to a restarted server signals, and the repair runs a reconcile that started after it', async () => {
    const server = await startPrivateRedis()
    const redis = createRedis(server.url, { name: 'failover-signal' })
    const reasons: string[] = []
    let passes = 0
    const repair = createFailoverRepair({
      redis,
      keys: t.keys,
      logger: pino({ level: 'silent' }),
      claimLeaseMs: LEASE,
      now: Date.now,
      reconcile: async () => {
        passes++
        // The first pass fails (the new primary refusing writes for a moment): it is retried.
        return passes > 1
      },
      going: () => true,
    })
    try {
      await waitForReady(redis, 5000)
      const unwatch = watchFailover(redis, t.keys, (reason) => {
        reasons.push(reason)
        repair(reason)
      })
      await server.restart()
      await waitFor('the reconnect signal', () => reasons.length > 0, { timeoutMs: 10_000 })
      expect(reasons).toEqual(['redis reconnected'])
      await waitFor('a successful pass after a retry', () => passes >= 2, { timeoutMs: 5000 })
      unwatch()
    } finally {
      redis.disconnect()
      await server.stop()
    }
  })
})
