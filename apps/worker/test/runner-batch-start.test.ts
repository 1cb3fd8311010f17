import { waitFor } from '@punctual/core/testing'
import { createDb, type OutboxEvent, type Sql } from '@punctual/db'
import { getDueEntry, type QueueKeys, upsertSchedule } from '@punctual/queue'
import { startTcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWakeup, withDeadline } from '../src/loop/index.ts'
import { BatchStart } from '../src/runner/batch-start.ts'
import type { Settle } from '../src/runner/end-writer.ts'
import { CancelRequested, type Job } from '../src/runner/job.ts'
import {
  createExecutions,
  getExecution,
  insertSchedule,
  insertWorkflow,
  type NewExecution,
  silentLogger,
} from '../src/runner/testing.ts'
import {
  claimJobs,
  leaseKeeper,
  type PartsContext,
  recordingBackoff,
  recordingEmit,
  recordingTable,
  setupParts,
} from './runner-parts.ts'

let ctx: PartsContext
let workflowId: string

beforeAll(async () => {
  ctx = await setupParts()
  workflowId = await insertWorkflow(ctx.db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
})
afterAll(async () => {
  await ctx?.close()
})

const W = 'w-start'

/** A batch start over `list`, claimed by W; the end writer, counts and runs record what they are handed. */
async function setup(list: NewExecution[], opts: { sql?: Sql; running?: boolean } = {}) {
  const { keys, queue } = ctx.fresh()
  const ids = await createExecutions(ctx.db.sql, queue, list)
  const { table } = recordingTable(W)
  const jobs = await claimJobs(queue, table, W, list.length)
  const { emit, seen } = recordingEmit()
  const settled: Settle[] = []
  const published: OutboxEvent[] = []
  const counted: [string, number][] = []
  const ran: Job[] = []
  const tracked: Promise<void>[] = []
  const pg = recordingBackoff('start')
  const leases = leaseKeeper(ctx.db, table, queue, W)
  const starter = new BatchStart({
    sql: opts.sql ?? ctx.db.sql,
    redis: ctx.r.redis,
    keys,
    workerId: W,
    now: Date.now,
    pgCall: (p) => withDeadline(p, 1000),
    pg: pg.backoff,
    wakeup: createWakeup(),
    logger: silentLogger(),
    running: () => opts.running ?? true,
    table,
    releaseLeases: (jobs) => leases.release(jobs),
    ends: { queueSettle: (s) => settled.push(s), publish: (e) => published.push(...e) },
    counts: { add: (m) => counted.push(...m) },
    runs: { run: async (job) => void ran.push(job) },
    track: (p) => void tracked.push(p),
    emit,
  })
  return { starter, table, jobs, ids, queue, keys, seen, settled, published, counted, ran, tracked, pg }
}

/** `ids` in the order they were created, as the claimed jobs. */
function inOrder(jobs: Job[], ids: string[]): Job[] {
  return ids.map((id) => jobs.find((j) => j.id === id)!)
}

describe('batch start', () => {
  it('starts the batch in one statement, then emits each start and runs it', async () => {
    const { starter, table, jobs, seen, ran, tracked, settled } = await setup([
      { workflowId },
      { workflowId },
    ])
    await starter.start(jobs)
    for (const job of jobs) {
      expect(await getExecution(ctx.db.sql, job.id)).toMatchObject({
        status: 'running',
        attempt: 1,
        worker_id: W,
      })
      expect(job.row).toMatchObject({ id: job.id, attempt: 1 })
      expect(job.phase).toBe('running')
    }
    expect(seen.map((s) => s.name)).toEqual(['execution.started', 'execution.started'])
    expect(seen[0]!.event).toMatchObject({ attempt: 1, workerId: W })
    expect(ran.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort())
    expect(tracked).toHaveLength(2)
    expect(settled).toEqual([])
    expect(table.busy).toBe(2)
  })

  it('acks and drops an id whose row is gone or finished; acks a cancel decided at the start', async () => {
    const { starter, table, jobs, ids, seen, settled, ran } = await setup([
      { workflowId },
      { workflowId },
      { workflowId },
    ])
    const [gone, finished, cancelled] = ids
    await ctx.db.sql`delete from executions where id = ${gone!}`
    await ctx.db.sql`update executions set status = 'succeeded', finished_at = now() where id = ${finished!}`
    // A dead worker was running it when its cancel was requested.
    await ctx.db.sql`update executions set status = 'running', attempt = 1, worker_id = 'dead-worker',
                      started_at = now(), cancel_requested_at = now() where id = ${cancelled!}`
    await starter.start(inOrder(jobs, ids))
    expect(ran).toEqual([])
    expect(table.busy).toBe(0)
    expect(settled.map((s) => [s.job.id, s.redis.op, s.job.phase]).sort()).toEqual(
      ids.map((id) => [id, 'ack', 'finishing']).sort(),
    )
    // Events only once the ack was tried (the end writer calls emit): the cancel's, nothing for the others.
    expect(seen).toEqual([])
    for (const s of settled) s.emit()
    expect(seen.map((s) => [s.name, (s.event as { id: string }).id])).toEqual([
      ['execution.cancelled', cancelled],
    ])
    expect(await getExecution(ctx.db.sql, cancelled!)).toMatchObject({ status: 'cancelled', attempt: 1 })
  })

  it('aborts at once an execution whose cancel arrived while it was starting', async () => {
    const { starter, jobs, ran } = await setup([{ workflowId }])
    const job = jobs[0]!
    job.cancelRequested = true
    await starter.start(jobs)
    expect(job.controller.signal.reason).toBeInstanceOf(CancelRequested)
    expect(ran).toEqual([job])
  })

  it('reports nothing for an execution lost while its start was in flight', async () => {
    const { starter, table, jobs, seen, ran } = await setup([{ workflowId }, { workflowId }])
    table.dropLost(jobs[0]!, 'lease-lost')
    await starter.start(jobs)
    expect(ran).toEqual([jobs[1]])
    expect(seen.map((s) => (s.event as { id: string }).id)).toEqual([jobs[1]!.id])
    expect(await getExecution(ctx.db.sql, jobs[0]!.id)).toMatchObject({ status: 'queued', attempt: 0 })
  })

  it('hands a batch back untouched when the runner is no longer running', async () => {
    const { starter, table, jobs, queue, ran } = await setup([{ workflowId }, { workflowId }], {
      running: false,
    })
    await starter.start(jobs)
    expect(ran).toEqual([])
    expect(table.jobs.size).toBe(0)
    for (const job of jobs) {
      expect(await getExecution(ctx.db.sql, job.id)).toMatchObject({ status: 'queued', attempt: 0 })
      expect(await queue.get(job.id)).toMatchObject({ state: 'ready', owner: null })
    }
  })

  it('backs off while Postgres is away and starts the batch once it is back', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
    const away = createDb(proxy.url(ctx.db.url), { max: 2, connectTimeoutSeconds: 1 })
    try {
      proxy.cut()
      const { starter, jobs, ran, pg } = await setup([{ workflowId }], { sql: away.sql })
      const starting = starter.start(jobs)
      await waitFor('the start to fail twice', () => pg.failures.length >= 2)
      expect(pg.failures[0]).toMatchObject({ phase: 'start', failures: 1 })
      expect(ran).toEqual([])
      await proxy.restore()
      await starting
      expect(ran).toEqual(jobs)
      expect(await getExecution(ctx.db.sql, jobs[0]!.id)).toMatchObject({ status: 'running', attempt: 1 })
    } finally {
      await away.close(1)
      await proxy.close()
    }
  })

  it('hands fire starts to the counts, and completes a schedule at maxExecutions (event, then due entry)', async () => {
    const counting = await insertSchedule(ctx.db.sql, { workflowId, overlapPolicy: 'allow' })
    const budgeted = await insertSchedule(ctx.db.sql, {
      workflowId,
      maxExecutions: 1,
      overlapPolicy: 'allow',
    })
    const t = Date.now()
    const fire = (scheduleId: string, ago: number): NewExecution => ({
      workflowId,
      kind: 'fire',
      scheduleId,
      scheduledForMs: t - ago,
    })
    const { starter, jobs, ids, keys, seen, counted } = await setup([
      fire(counting, 2000),
      fire(counting, 1000),
      fire(budgeted, 1000),
    ])
    await dueEntry(keys, budgeted)
    await starter.start(inOrder(jobs, ids))
    expect(counted).toEqual([[counting, 2]])
    const completed = seen.filter((s) => s.name === 'schedule.completed').map((s) => s.event)
    expect(completed).toEqual([
      { scheduleId: budgeted, workflowId, version: 2, executionId: ids[2], workerId: W },
    ])
    await waitFor('the due entry at version 2, unscheduled', async () => {
      const entry = await getDueEntry(ctx.r.redis, keys, budgeted)
      return entry?.version === 2 && entry.scoreMs === null
    })
  })
})

async function dueEntry(keys: QueueKeys, scheduleId: string) {
  await upsertSchedule(ctx.r.redis, keys, {
    scheduleId,
    workflowId,
    version: 1,
    nextRunAtMs: Date.now() + 3_600_000,
    conflictProfile: 'M0',
  })
}
