import { randomUUID } from 'node:crypto'
import { sleep } from '@punctual/core/testing'
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

describe('reconcile beside running work', () => {
  let own: WorkerTestContext
  beforeAll(async () => {
    own = await setupWorkerTest()
  })
  afterAll(() => own.close())

  it('does not queue again an execution that ended while the pass was going on', async () => {
    const { redis, keys } = own.redis
    const queue = createExecutionQueue(redis, keys)
    const workflowId = await insertWorkflow(own.database.sql, {
      steps: [{ name: 'd', type: 'delay', ms: 0 }],
    })
    const ids = (await createExecutions(own.database.sql, queue, [{ workflowId }, { workflowId }])).sort()
    const [first, second] = ids as [string, string]
    // One id per chunk with a long pause: the pass reads both rows as queued, checks the first, then waits.
    const pass = reconcile({ db: own.database, redis, keys, pace: { chunk: 1, pauseMs: 600 } })
    await sleep(200)
    // Meanwhile the second one runs and ends: Postgres says succeeded, then Redis lets it go (the runner's order).
    await own.database.sql`
      update executions set status = 'succeeded', attempt = 1, started_at = now(), finished_at = now()
       where id = ${second}`
    expect((await queue.remove(second)).removed).toBe(true)
    const result = await pass
    expect(result.requeued).toBe(0)
    expect(await queue.get(second)).toBeNull()
    expect(await queue.get(first)).not.toBeNull()
    expect(await queue.size()).toBe(1)
  })
})

describe('reconcile of fair turns and caps', () => {
  let own: WorkerTestContext
  beforeAll(async () => {
    own = await setupWorkerTest()
  })
  afterAll(() => own.close())

  it("rebuilds every tenant's line and the workflow caps after Redis lost everything, and drops a cap left behind", async () => {
    const { redis, keys } = own.redis
    const queue = createExecutionQueue(redis, keys)
    const steps = [{ name: 'd', type: 'delay', ms: 0 }]
    const capped = await insertWorkflow(own.database.sql, { steps, tenant: 'tenant-a', maxConcurrency: 1 })
    const free = await insertWorkflow(own.database.sql, { steps, tenant: 'tenant-b' })
    await createExecutions(own.database.sql, queue, [
      ...Array.from({ length: 4 }, () => ({ workflowId: capped, tenant: 'tenant-a', priority: 9 })),
      ...Array.from({ length: 2 }, () => ({ workflowId: free, tenant: 'tenant-b', priority: 0 })),
    ])
    await deleteMatching(redis, keys.scanPattern)
    // A cap Redis holds for a workflow Postgres no longer has (its delete could not reach Redis).
    await queue.setWorkflowCap({
      workflowId: randomUUID(),
      tenant: 'tenant-a',
      version: 1,
      maxConcurrency: 2,
    })
    const result = await reconcile({ db: own.database, redis, keys })
    expect(result).toMatchObject({ requeued: 6, capsFixed: 1, capsRemoved: 1 })
    expect(await queue.tenantDepths('tenant-a')).toEqual({ ready: 4, delayed: 0, running: 0 })
    expect(await queue.tenantDepths('tenant-b')).toEqual({ ready: 2, delayed: 0, running: 0 })
    expect(await redis.hgetall(keys.workflowCaps)).toEqual({ [capped]: '1' })

    // Served in turns, and the cap holds: one of tenant-a's (priority 9 does not push tenant-b back).
    const { items } = await queue.dequeue({ workerId: 'w', count: 10, leaseMs: 30_000, now: Date.now() })
    expect(items.map((i) => i.tenant).sort()).toEqual(['tenant-a', 'tenant-b', 'tenant-b'])

    const again = await reconcile({ db: own.database, redis, keys })
    expect(again).toMatchObject({ requeued: 0, capsFixed: 0, capsRemoved: 0 })
  })
})

describe('reconcile of priorities', () => {
  let own: WorkerTestContext
  beforeAll(async () => {
    own = await setupWorkerTest()
  })
  afterAll(() => own.close())

  it("sets Redis's priority back to Postgres's, and waits for a priority change that is committing", async () => {
    const { redis, keys } = own.redis
    const queue = createExecutionQueue(redis, keys)
    const workflowId = await insertWorkflow(own.database.sql, {
      steps: [{ name: 'd', type: 'delay', ms: 0 }],
    })
    const [first, second, third] = await createExecutions(own.database.sql, queue, [
      { workflowId, priority: 5, scheduledForMs: Date.now() - 3000 },
      { workflowId, priority: 5, scheduledForMs: Date.now() - 2000 },
      { workflowId, priority: 5, scheduledForMs: Date.now() - 1000 },
    ])
    // Drift: Redis took priority 9 for the last one, and the change never committed (nor was put back).
    await queue.setPriority(third!, 9)

    // Meanwhile a PATCH of the second to 0 has updated its row and Redis, and has not committed yet.
    let commit!: () => void
    const committed = new Promise<void>((r) => {
      commit = r
    })
    const patch = own.database.sql.begin(async (tx) => {
      await tx`update executions set priority = 0 where id = ${second!}`
      await queue.setPriority(second!, 0)
      await committed
    })
    await sleep(100)
    let done = false
    const pass = reconcile({ db: own.database, redis, keys }).then((r) => {
      done = true
      return r
    })
    await sleep(300)
    // The pass waits for the PATCH's row instead of undoing its Redis write.
    expect(done).toBe(false)
    commit()
    await patch
    const result = await pass
    expect(result.prioritiesFixed).toBe(1)
    expect((await queue.get(third!))?.priority).toBe(5)
    expect((await queue.get(second!))?.priority).toBe(0)

    // The line is in Postgres's order again: 5, 5 by time, then the re-prioritised 0.
    const { items } = await queue.dequeue({ workerId: 'w', count: 3, leaseMs: 30_000, now: Date.now() })
    expect(items.map((i) => i.id)).toEqual([first, third, second])

    const again = await reconcile({ db: own.database, redis, keys })
    expect(again.prioritiesFixed).toBe(0)
  })
})
