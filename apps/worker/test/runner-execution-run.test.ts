import { waitFor } from '@punctual/core/testing'
import { createDb, type Sql } from '@punctual/db'
import { startTcpProxy } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { withDeadline } from '../src/loop/index.ts'
import { ExecutionRun } from '../src/runner/execution-run.ts'
import { CancelRequested, type Job, Shutdown } from '../src/runner/job.ts'
import {
  createExecutions,
  getExecution,
  type HttpTarget,
  insertWorkflow,
  type NewExecution,
  silentLogger,
  startTarget,
} from '../src/runner/testing.ts'
import {
  claimJobs,
  direct,
  leaseKeeper,
  type PartsContext,
  recordingEmit,
  recordingTable,
  setupParts,
  startJobs,
} from './runner-parts.ts'

let ctx: PartsContext
let target: HttpTarget
const runs: ExecutionRun[] = []

beforeAll(async () => {
  ctx = await setupParts()
  target = await startTarget((req, res) => {
    if (req.url.startsWith('/fail')) res.statusCode = 500
    res.end('answer')
  })
})
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.close()))
})
afterAll(async () => {
  await target?.close()
  await ctx?.close()
})

const W = 'w-run'

/** An end as the end writer receives it. */
interface QueuedEnd {
  job: Job
  status: string
  finishedAtMs: number | null
  error: unknown
  steps: unknown[]
  availableAtMs: number | null
  redis: unknown
  emit: () => void
}

/** An execution run over one execution of `steps`, claimed and started by W. */
async function setup(steps: unknown[], e: Partial<NewExecution> = {}, sql?: Sql) {
  const { queue } = ctx.fresh()
  const workflowId = await insertWorkflow(ctx.db.sql, { steps })
  await createExecutions(ctx.db.sql, queue, [{ workflowId, ...e }])
  const { table } = recordingTable(W)
  const [job] = await claimJobs(queue, table, W, 1)
  await startJobs(ctx.db, table, W, [job!])
  const { emit, seen } = recordingEmit()
  const ends: QueuedEnd[] = []
  const pgFailures = { count: 0 }
  const leases = leaseKeeper(ctx.db, table, queue, W)
  const run = new ExecutionRun({
    sql: sql ?? ctx.db.sql,
    workerId: W,
    now: Date.now,
    pgCall: (p) =>
      withDeadline(p, 1000).catch((err: unknown) => {
        pgFailures.count++
        throw err
      }),
    logger: silentLogger(),
    outbound: { allowPrivate: true, allowlist: undefined },
    table,
    steps: { record: async () => {} },
    ends: {
      queueFinish: (job, status, finishedAtMs, error, steps, availableAtMs, redis, emit) =>
        ends.push({ job, status, finishedAtMs, error, steps, availableAtMs, redis, emit }),
    },
    releaseLeases: (jobs) => leases.release(jobs),
    emit,
  })
  runs.push(run)
  return { run, job: job!, table, queue, ends, seen, workflowId, pgFailures }
}

const http = (path: string) => [{ name: 'call', type: 'http', method: 'GET', url: `${target.url}${path}` }]

describe('execution run', () => {
  it('runs the steps and hands a succeeded end to the end writer, whose emit announces it', async () => {
    const { run, job, table, ends, seen } = await setup(http('/ok'))
    await run.run(job)
    expect(ends).toHaveLength(1)
    expect(ends[0]).toMatchObject({ job, status: 'succeeded', error: null, redis: { op: 'ack' } })
    expect(ends[0]!.steps).toMatchObject([{ name: 'call', status: 'succeeded' }])
    expect([job.phase, table.busy]).toEqual(['finishing', 0])
    expect(seen).toEqual([])
    ends[0]!.emit()
    expect(seen[0]).toMatchObject({
      name: 'execution.succeeded',
      event: { id: job.id, attempt: 1, workerId: W },
    })
  })

  it('a failed attempt is retrying while attempts are left (at its availability), dead after', async () => {
    const retry = await setup(http('/fail'), { retryPolicy: { maxAttempts: 2 } })
    const before = Date.now()
    await retry.run.run(retry.job)
    expect(retry.ends[0]).toMatchObject({
      status: 'retrying',
      finishedAtMs: null,
      redis: { op: 'retry', nextAttempt: 2 },
    })
    expect(retry.ends[0]!.availableAtMs).toBeGreaterThan(before)
    retry.ends[0]!.emit()
    expect(retry.seen[0]).toMatchObject({ name: 'execution.retrying', event: { attempt: 1, nextAttempt: 2 } })

    const dead = await setup(http('/fail'), { retryPolicy: { maxAttempts: 1 } })
    await dead.run.run(dead.job)
    expect(dead.ends[0]).toMatchObject({ status: 'dead', redis: { op: 'ack' } })
    expect(dead.ends[0]!.error).toMatchObject({ message: expect.stringContaining('500') })
  })

  it('a workflow that no longer exists fails the attempt', async () => {
    const { run, job, ends, workflowId } = await setup([{ name: 'd', type: 'delay', ms: 0 }])
    job.row = { ...job.row!, workflowVersion: null }
    await run.run(job)
    expect(ends[0]).toMatchObject({ status: 'dead', error: { message: `workflow ${workflowId} not found` } })
  })

  it('a cancel ends the attempt `cancelled`; a lost lease reports nothing', async () => {
    const cancelled = await setup([{ name: 'wait', type: 'delay', ms: 600_000 }])
    const running = cancelled.run.run(cancelled.job)
    cancelled.job.controller.abort(new CancelRequested())
    await running
    expect(cancelled.ends[0]).toMatchObject({ status: 'cancelled', redis: { op: 'ack' } })
    cancelled.ends[0]!.emit()
    expect(cancelled.seen[0]).toMatchObject({ name: 'execution.cancelled', event: { id: cancelled.job.id } })

    const lost = await setup([{ name: 'wait', type: 'delay', ms: 600_000 }])
    const lostRun = lost.run.run(lost.job)
    lost.table.dropLost(lost.job, 'lease-expired')
    await lostRun
    expect(lost.ends).toEqual([])
  })

  it('an attempt aborted by stop is handed back: queued again at the same attempt, its lease released', async () => {
    const { run, job, table, ends, queue } = await setup([{ name: 'wait', type: 'delay', ms: 600_000 }])
    const running = run.run(job)
    table.abortUnfinished()
    await running
    expect(job.controller.signal.reason).toBeInstanceOf(Shutdown)
    expect(ends).toEqual([])
    await run.handBackAborted()
    expect(await getExecution(ctx.db.sql, job.id)).toMatchObject({
      status: 'queued',
      attempt: 0,
      worker_id: null,
    })
    expect(await queue.get(job.id)).toMatchObject({ state: 'ready', owner: null })
    expect(table.jobs.size).toBe(0)
  })

  it('waits for Postgres to load the workflow (not the execution fault), then runs it', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
    const away = createDb(proxy.url(ctx.db.url), { max: 2, connectTimeoutSeconds: 1 })
    try {
      proxy.cut()
      const { run, job, ends, pgFailures } = await setup([{ name: 'd', type: 'delay', ms: 0 }], {}, away.sql)
      const running = run.run(job)
      await waitFor('two loads to fail', () => pgFailures.count >= 2)
      expect(ends).toEqual([])
      await proxy.restore()
      await running
      expect(ends[0]).toMatchObject({ status: 'succeeded' })
    } finally {
      await away.close(1)
      await proxy.close()
    }
  })

  it('a malformed outbound allowlist fails when the run is built (at boot), not at the first http step', () => {
    const { table } = recordingTable(W)
    expect(
      () =>
        new ExecutionRun({
          sql: ctx.db.sql,
          workerId: W,
          now: Date.now,
          pgCall: direct,
          logger: silentLogger(),
          outbound: { allowPrivate: false, allowlist: 'not a host/7' },
          table,
          ends: { queueFinish: () => {} },
          steps: { record: async () => {} },
          releaseLeases: async () => {},
          emit: () => {},
        }),
    ).toThrow(/OUTBOUND_ALLOWLIST/)
  })
})
