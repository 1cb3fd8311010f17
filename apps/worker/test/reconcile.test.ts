import { createExecutionQueue, getDueEntry } from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PERIODIC_PACE, reconcile } from '../src/maintenance/reconcile.ts'
import { createExecutions, insertWorkflow } from '../src/runner/testing.ts'
import { makeSchedule, setupWorkerTest, type WorkerTestContext } from './helpers.ts'

let ctx: WorkerTestContext
beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterAll(() => ctx.close())

describe('reconcile', () => {
  it('a paced pass (the periodic one) repairs as much as a full-speed pass: due entries and queued work', async () => {
    const { redis, keys } = ctx.redis
    const queue = createExecutionQueue(redis, keys)
    // Hourly: nothing fires during the test (no scheduler runs anyway).
    const schedules = await Promise.all(
      Array.from({ length: 7 }, () => makeSchedule(ctx, { cronExpression: '0 0 * * * *' })),
    )
    const workflowId = await insertWorkflow(ctx.database.sql, {
      steps: [{ name: 'd', type: 'delay', ms: 0 }],
    })
    await createExecutions(
      ctx.database.sql,
      queue,
      Array.from({ length: 5 }, () => ({ workflowId })),
    )
    expect(await queue.size()).toBe(5)

    // Redis loses everything.
    await deleteMatching(redis, keys.scanPattern)
    expect(await queue.size()).toBe(0)

    const pace = { chunk: 2, pauseMs: 5 }
    const result = await reconcile({ db: ctx.database, redis, keys, pace })
    expect(result).toMatchObject({ dueFixed: 7, requeued: 5 })
    for (const s of schedules) {
      const entry = await getDueEntry(redis, keys, s.id)
      expect(entry).toEqual({ version: s.version, scoreMs: s.nextRunAt!.getTime() })
    }
    expect(await queue.size()).toBe(5)

    // Nothing left to repair: a second pass (at the production pace) changes nothing.
    const again = await reconcile({ db: ctx.database, redis, keys, pace: PERIODIC_PACE })
    expect(again).toMatchObject({ dueFixed: 0, requeued: 0, indexRemoved: 0 })
  })
})
