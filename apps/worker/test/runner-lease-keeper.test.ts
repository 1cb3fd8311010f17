import { waitFor } from '@punctual/core/testing'
import {
  createExecutionQueue,
  createRedis,
  type ExecutionQueue,
  type Redis,
  waitForReady,
} from '@punctual/queue'
import { startTcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CancelRequested, type JobTable } from '../src/runner/job.ts'
import type { LeaseKeeper } from '../src/runner/lease-keeper.ts'
import { createExecutions, insertWorkflow } from '../src/runner/testing.ts'
import {
  claimJobs,
  leaseKeeper,
  type PartsContext,
  recordingTable,
  setupParts,
  startJobs,
} from './runner-parts.ts'

let ctx: PartsContext
let workflowId: string
const keepers: LeaseKeeper[] = []

beforeAll(async () => {
  ctx = await setupParts()
  workflowId = await insertWorkflow(ctx.db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
})
afterAll(async () => {
  for (const k of keepers) k.stop()
  await ctx?.close()
})

function keeper(table: JobTable, queue: ExecutionQueue, workerId: string, leaseMs: number): LeaseKeeper {
  const k = leaseKeeper(ctx.db, table, queue, workerId, leaseMs)
  keepers.push(k)
  return k
}

describe('lease keeper', () => {
  it('renews the lease of every execution held, every leaseMs/3', async () => {
    const { queue } = ctx.fresh()
    await createExecutions(ctx.db.sql, queue, [{ workflowId }, { workflowId }])
    const { table } = recordingTable('w')
    const jobs = await claimJobs(queue, table, 'w', 2, 600)
    const first = jobs.map((j) => j.leaseExpiresAtMs)
    keeper(table, queue, 'w', 600).start()
    // Past the first lease's end, both are still held, each renewed further.
    await waitFor('both leases renewed past their first expiry', async () => {
      const held = await Promise.all(jobs.map((j) => queue.get(j.id)))
      return held.every((s, i) => s?.state === 'running' && s.score > first[i]! + 300)
    })
    expect(jobs.every((j, i) => j.leaseExpiresAtMs > first[i]!)).toBe(true)
  })

  it('drops an execution whose lease another worker holds now, reporting nothing else', async () => {
    const { keys, queue } = ctx.fresh()
    await createExecutions(ctx.db.sql, queue, [{ workflowId }])
    const { table, lost } = recordingTable('w-a')
    const [job] = await claimJobs(queue, table, 'w-a', 1)
    // Its lease expires (w-a stalled) and w-b's dequeue reclaims and claims it.
    await ctx.r.redis.zadd(keys.running, 0, job!.id)
    expect(
      (await queue.dequeue({ workerId: 'w-b', count: 1, leaseMs: 30_000, now: Date.now() })).items,
    ).toHaveLength(1)
    keeper(table, queue, 'w-a', 300).start()
    await waitFor('the execution dropped as lost', () => lost.length > 0)
    expect(lost).toEqual([{ id: job!.id, workerId: 'w-a', reason: 'lease-lost' }])
    expect(table.jobs.size).toBe(0)
    expect(await queue.get(job!.id)).toMatchObject({ state: 'running', owner: 'w-b' })
  })

  it('stops running an execution whose lease could not be renewed before it expired (Redis away)', async () => {
    const { keys } = ctx.fresh()
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    const redis: Redis = createRedis(proxy.url(ctx.r.url), { name: 'lease-keeper-test' })
    try {
      await waitForReady(redis, 5000)
      const queue = createExecutionQueue(redis, keys)
      await createExecutions(ctx.db.sql, queue, [{ workflowId }])
      const { table, lost } = recordingTable('w')
      const jobs = await claimJobs(queue, table, 'w', 1, 600)
      await startJobs(ctx.db, table, 'w', jobs)
      proxy.cut()
      keeper(table, queue, 'w', 600).start()
      await waitFor('the running execution dropped', () => lost.length > 0)
      expect(lost[0]).toMatchObject({ id: jobs[0]!.id, reason: 'lease-expired' })
      expect(jobs[0]!.controller.signal.aborted).toBe(true)
    } finally {
      redis.disconnect()
      await proxy.close()
    }
  })

  it('aborts a running execution whose cancel it finds in Postgres (a missed cancel message)', async () => {
    const { queue } = ctx.fresh()
    await createExecutions(ctx.db.sql, queue, [{ workflowId }, { workflowId }])
    const { table } = recordingTable('w')
    const jobs = await claimJobs(queue, table, 'w', 2)
    await startJobs(ctx.db, table, 'w', jobs)
    const [cancelled, other] = jobs
    await ctx.db.sql`update executions set cancel_requested_at = now() where id = ${cancelled!.id}`
    keeper(table, queue, 'w', 300).start()
    await waitFor('the cancelled one aborted', () => cancelled!.controller.signal.aborted)
    expect(cancelled!.controller.signal.reason).toBeInstanceOf(CancelRequested)
    expect(cancelled!.cancelRequested).toBe(true)
    expect(other!.controller.signal.aborted).toBe(false)
  })

  it('a cancel aborts a running execution, marks a starting one for its start, ignores unknown ids', async () => {
    const { queue } = ctx.fresh()
    await createExecutions(ctx.db.sql, queue, [{ workflowId }, { workflowId }])
    const { table } = recordingTable('w')
    const [running, starting] = await claimJobs(queue, table, 'w', 2)
    table.setPhase(running!, 'running')
    const k = keeper(table, queue, 'w', 30_000)
    k.requestCancel(running!.id)
    k.requestCancel(starting!.id)
    k.requestCancel('00000000-0000-0000-0000-000000000000')
    expect(running!.controller.signal.reason).toBeInstanceOf(CancelRequested)
    expect([starting!.cancelRequested, starting!.controller.signal.aborted]).toEqual([true, false])
  })

  it('releases leases at once: back in ready, no longer held; lost ones are left alone', async () => {
    const { queue } = ctx.fresh()
    await createExecutions(ctx.db.sql, queue, [{ workflowId }, { workflowId }])
    const { table } = recordingTable('w')
    const [mine, gone] = await claimJobs(queue, table, 'w', 2)
    table.dropLost(gone!, 'lease-lost')
    await keeper(table, queue, 'w', 30_000).release([mine!, gone!])
    expect(await queue.get(mine!.id)).toMatchObject({ state: 'ready', owner: null })
    expect(await queue.get(gone!.id)).toMatchObject({ state: 'running', owner: 'w' })
    expect(table.jobs.size).toBe(0)
    expect(table.busy).toBe(0)
  })
})
