// The order a round records its claims in (claim-order.ts), against the real schedules table.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLAIMS_PER_TRANSACTION, orderClaims } from '../src/scheduler/claim-order.ts'
import type { Work } from '../src/scheduler/held-claims.ts'
import { makeSchedule, setupWorkerTest, type WorkerTestContext } from './helpers.ts'

let ctx: WorkerTestContext
beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterAll(async () => {
  await ctx?.close()
})

const work = (scheduleId: string, fireAtMs: number): Work => ({
  claim: { scheduleId, fireAtMs, version: 1 },
  claimedAt: 0,
  attempts: 0,
})

describe('orderClaims', () => {
  it('one transaction: by fire time', async () => {
    const chunks = await orderClaims(ctx.database.sql, [work('b', 2000), work('c', 3000), work('a', 1000)])
    expect(chunks.map((c) => c.map((w) => w.claim.scheduleId))).toEqual([['a', 'b', 'c']])
  })

  it('more than one transaction: by fire time, then the schedules’ priority (higher first)', async () => {
    const high = await makeSchedule(ctx, { priority: 9 })
    const low = await makeSchedule(ctx, { priority: 1 })
    // Unknown to Postgres (deleted meanwhile): priority 0.
    const early = randomUUID()
    const others = Array.from({ length: CLAIMS_PER_TRANSACTION }, () => work(randomUUID(), 1000))
    const chunks = await orderClaims(ctx.database.sql, [
      ...others,
      work(low.id, 1000),
      work(high.id, 1000),
      work(early, 500),
    ])
    expect(chunks.map((c) => c.length)).toEqual([CLAIMS_PER_TRANSACTION, 3])
    expect(chunks[0]!.slice(0, 3).map((w) => w.claim.scheduleId)).toEqual([early, high.id, low.id])
  })
})
