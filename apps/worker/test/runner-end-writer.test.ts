import { sleep, waitFor } from '@punctual/core/testing'
import { createDb, type DbHandle } from '@punctual/db'
import {
  createExecutionQueue,
  createRedis,
  type ExecutionQueue,
  type QueueKeys,
  type Redis,
  waitForReady,
} from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { withDeadline } from '../src/loop/index.ts'
import { EndWriter, type EndWriterConfig } from '../src/runner/end-writer.ts'
import type { Job } from '../src/runner/job.ts'
import { createExecutions, getExecution, insertWorkflow } from '../src/runner/testing.ts'
import {
  claimJobs,
  leaseKeeper,
  type PartsContext,
  recordingBackoff,
  recordingTable,
  setupParts,
  startJobs,
} from './runner-parts.ts'

let ctx: PartsContext
let workflowId: string
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  ctx = await setupParts()
  workflowId = await insertWorkflow(ctx.db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
})
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
afterAll(async () => {
  await ctx?.close()
})

const W = 'w-ends'

interface WriterSetup {
  queue: ExecutionQueue
  keys: QueueKeys
  db?: DbHandle
  redis?: Redis
  burst?: { busy: boolean }
  config?: Partial<EndWriterConfig>
}

/** An end writer as the runner builds it, over `n` executions claimed and started by W. */
async function setup(n: number, opts: Partial<WriterSetup> = {}) {
  const fresh = ctx.fresh()
  const keys = opts.keys ?? fresh.keys
  const queue = opts.queue ?? fresh.queue
  await createExecutions(
    ctx.db.sql,
    queue,
    Array.from({ length: n }, () => ({ workflowId })),
  )
  const { table, lost } = recordingTable(W)
  const jobs = await claimJobs(queue, table, W, n)
  await startJobs(ctx.db, table, W, jobs)
  for (const job of jobs) table.setPhase(job, 'finishing')
  const pgWrite = recordingBackoff('finish')
  const redisSettle = recordingBackoff('redis')
  const burst = opts.burst ?? { busy: false }
  const released: Job[] = []
  const redis = opts.redis ?? ctx.r.redis
  const leases = leaseKeeper(ctx.db, table, queue, W)
  const writer = new EndWriter({
    sql: (opts.db ?? ctx.db).sql,
    redis,
    keys,
    queue,
    workerId: W,
    now: Date.now,
    pgCall: (p) => withDeadline(p, 1000),
    pgWrite: pgWrite.backoff,
    redisSettle: redisSettle.backoff,
    table,
    releaseLeases: (list) => {
      released.push(...list)
      return leases.release(list)
    },
    claimsBusy: () => burst.busy,
    running: () => true,
    config: {
      flushIntervalMs: 20,
      flushMaxRows: 200,
      burstFlushDelayMs: 250,
      maxUnwritten: 2000,
      ...opts.config,
    },
  })
  return { writer, table, jobs, queue, keys, lost, pgWrite, redisSettle, released }
}

/** Queues `job`'s end as succeeded; `emitted` records when its event fires. */
function succeed(writer: EndWriter, job: Job, emitted: string[]) {
  writer.queueFinish(job, 'succeeded', Date.now(), null, [], null, { op: 'ack' }, () => emitted.push(job.id))
}

async function status(id: string) {
  return (await getExecution(ctx.db.sql, id))?.status
}

async function proxiedDb(): Promise<{ proxy: TcpProxy; db: DbHandle }> {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
  const db = createDb(proxy.url(ctx.db.url), { max: 2, connectTimeoutSeconds: 1 })
  cleanups.push(async () => {
    await db.close(1)
    await proxy.close()
  })
  return { proxy, db }
}

async function proxiedRedis(): Promise<{ proxy: TcpProxy; redis: Redis }> {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
  const redis = createRedis(proxy.url(ctx.r.url), { name: 'end-writer-test' })
  await waitForReady(redis, 5000)
  cleanups.push(async () => {
    redis.disconnect()
    await proxy.close()
  })
  return { proxy, redis }
}

describe('end writer', () => {
  it('writes ends in one statement, then acks them in Redis, then emits; the jobs are released', async () => {
    const { writer, table, jobs, queue } = await setup(3)
    const emitted: string[] = []
    for (const job of jobs) succeed(writer, job, emitted)
    await waitFor('every end emitted', () => emitted.length === 3)
    for (const job of jobs) {
      expect(await status(job.id)).toBe('succeeded')
      expect(await queue.get(job.id)).toBeNull()
    }
    expect(table.jobs.size).toBe(0)
    expect(writer.pending).toBe(0)
  })

  it('never acks in Redis before Postgres holds the end (Postgres away: the lease stays, nothing is emitted)', async () => {
    const { proxy, db } = await proxiedDb()
    const { writer, jobs, queue, pgWrite } = await setup(2, { db })
    proxy.cut()
    const emitted: string[] = []
    for (const job of jobs) succeed(writer, job, emitted)
    await waitFor('the end statement to fail and back off', () => pgWrite.failures.length >= 2)
    expect(emitted).toEqual([])
    for (const job of jobs) {
      expect(await queue.get(job.id)).toMatchObject({ state: 'running', owner: W })
      expect(await status(job.id)).toBe('running')
    }
    await proxy.restore()
    await waitFor('every end emitted', () => emitted.length === 2, { timeoutMs: 15_000 })
    for (const job of jobs) {
      expect(await status(job.id)).toBe('succeeded')
      expect(await queue.get(job.id)).toBeNull()
    }
  })

  it('a retry moves the execution to the delayed set at its availability, after its row says retrying', async () => {
    const { writer, jobs, queue } = await setup(1)
    const job = jobs[0]!
    const availableAtMs = Date.now() + 60_000
    const emitted: string[] = []
    writer.queueFinish(
      job,
      'retrying',
      null,
      { message: 'HTTP 500' },
      [],
      availableAtMs,
      { op: 'retry', availableAtMs, nextAttempt: 2 },
      () => emitted.push(job.id),
    )
    await waitFor('the end emitted', () => emitted.length === 1)
    expect(await status(job.id)).toBe('retrying')
    expect(await queue.get(job.id)).toMatchObject({ state: 'delayed', score: availableAtMs, attempt: 2 })
  })

  it('an end whose row is no longer ours is dropped as lost: no ack, no event', async () => {
    const { writer, jobs, queue, lost } = await setup(1)
    const job = jobs[0]!
    await ctx.db.sql`update executions set worker_id = 'someone-else' where id = ${job.id}`
    const emitted: string[] = []
    succeed(writer, job, emitted)
    await waitFor('the execution dropped', () => lost.length === 1)
    expect(lost[0]).toMatchObject({ id: job.id, reason: 'not-owner' })
    expect(await status(job.id)).toBe('running')
    expect(await queue.get(job.id)).toMatchObject({ state: 'running', owner: W })
    await sleep(100)
    expect(emitted).toEqual([])
  })

  it('Redis away after the COMMIT: the event is emitted, the ack is retried until Redis answers', async () => {
    const { keys } = ctx.fresh()
    const { proxy, redis } = await proxiedRedis()
    const queue = createExecutionQueue(redis, keys)
    const { writer, table, jobs, redisSettle } = await setup(1, { keys, queue, redis })
    const job = jobs[0]!
    proxy.cut()
    const emitted: string[] = []
    succeed(writer, job, emitted)
    await waitFor('the settle to fail', () => redisSettle.failures.length >= 1, { timeoutMs: 15_000 })
    await waitFor('the end emitted', () => emitted.length === 1)
    expect(await status(job.id)).toBe('succeeded')
    expect(table.jobs.has(job.id)).toBe(true)
    await proxy.restore()
    const sameKeys = createExecutionQueue(ctx.r.redis, keys)
    await waitFor('the ack', async () => (await sameKeys.get(job.id)) === null, { timeoutMs: 15_000 })
    await waitFor('the job released', () => !table.jobs.has(job.id))
    expect(emitted).toEqual([job.id])
  })

  it('holds ends back while a burst of claims goes on, and writes them when it is over', async () => {
    const burst = { busy: true }
    const { writer, jobs } = await setup(2, { burst, config: { burstFlushDelayMs: 600_000 } })
    const emitted: string[] = []
    for (const job of jobs) succeed(writer, job, emitted)
    // Far past flushIntervalMs: still held for the burst.
    await sleep(300)
    expect(emitted).toEqual([])
    expect(await status(jobs[0]!.id)).toBe('running')
    burst.busy = false
    writer.claimsQuiet(true)
    await waitFor('both ends emitted', () => emitted.length === 2)
    expect(await status(jobs[1]!.id)).toBe('succeeded')
  })

  it('holds ends back at most burstFlushDelayMs, even while the burst goes on', async () => {
    const { writer, jobs } = await setup(1, { burst: { busy: true }, config: { burstFlushDelayMs: 100 } })
    const emitted: string[] = []
    succeed(writer, jobs[0]!, emitted)
    await waitFor('the end emitted', () => emitted.length === 1)
    expect(await status(jobs[0]!.id)).toBe('succeeded')
  })

  it('an end decided at the start (no write of ours) is acked and emitted; published events reach the stream', async () => {
    const { writer, jobs, queue, keys } = await setup(1)
    const job = jobs[0]!
    const emitted: string[] = []
    writer.queueSettle({ job, redis: { op: 'ack' }, emit: () => emitted.push(job.id), emitted: false })
    writer.publish([
      { outboxId: '1', tenant: 'acme', type: 'schedule.completed', subjectId: 'some-schedule' },
    ])
    await waitFor('the end emitted', () => emitted.length === 1)
    expect(await queue.get(job.id)).toBeNull()
    expect(await status(job.id)).toBe('running') // untouched: only Redis was told
    await waitFor('the event on the stream', async () => (await ctx.r.redis.xlen(keys.events)) === 1)
  })

  it('is full at maxUnwritten unwritten ends; at stop what cannot be written is handed back', async () => {
    const { proxy, db } = await proxiedDb()
    const { writer, jobs, queue, released } = await setup(2, { db, config: { maxUnwritten: 2 } })
    proxy.cut()
    const emitted: string[] = []
    succeed(writer, jobs[0]!, emitted)
    expect(writer.full).toBe(false)
    succeed(writer, jobs[1]!, emitted)
    expect(writer.full).toBe(true)
    await writer.finish(performance.now() + 1500)
    expect(released.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort())
    for (const job of jobs) {
      expect(await queue.get(job.id)).toMatchObject({ state: 'ready', owner: null })
      expect(await status(job.id)).toBe('running')
    }
    expect(emitted).toEqual([])
  })
})
