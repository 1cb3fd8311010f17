import { randomUUID } from 'node:crypto'
import type { StepRecord } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackoff } from '../src/loop/index.ts'
import { type Job, JobTable, newJob } from '../src/runner/job.ts'
import { StepWriter } from '../src/runner/step-writer.ts'
import { insertWorkflow, silentLogger } from '../src/runner/testing.ts'

/** The step writer alone, on a real database: steps that succeed together share one statement. */

let db: TestDatabase
let workflowId: string
const W = 'sw-worker'

beforeAll(async () => {
  db = await createTestDatabase()
  workflowId = await insertWorkflow(db.sql, { steps: [] })
})
afterAll(async () => {
  await db?.close()
})

/** A `running` row of worker `owner` at attempt 1, and a job for it. */
async function running(owner = W): Promise<Job> {
  const id = randomUUID()
  await db.sql`insert into executions (id, tenant, kind, workflow_id, scheduled_for, status, attempt, worker_id)
               values (${id}, 'acme', 'manual', ${workflowId}, now(), 'running', 1, ${owner})`
  return newJob(
    {
      id,
      priority: 5,
      scheduledForMs: 0,
      attempt: 1,
      tenant: 'acme',
      workflowId,
      kind: 'manual',
      scheduleId: null,
      meta: null,
      enqueuedAtMs: 0,
      claim: 1,
      reclaims: 0,
      owner: W,
      leaseExpiresAtMs: Date.now() + 60_000,
    },
    'starting',
  )
}

const record = (job: Job, body: unknown = { token: 'a' }): StepRecord => ({
  executionId: job.id,
  attempt: 1,
  stepIndex: 0,
  stepName: 'first',
  outcome: {
    name: 'first',
    type: 'http',
    status: 'succeeded',
    statusCode: 200,
    durationMs: 1,
    startedAt: new Date().toISOString(),
  },
  statusCode: 200,
  bodyJson: JSON.stringify(body),
  bodyKept: true,
})

function writer() {
  const lost: string[] = []
  const table = new JobTable({
    workerId: W,
    logger: silentLogger(),
    onFree: () => {},
    onLost: (e) => lost.push(e.id),
  })
  let statements = 0
  const w = new StepWriter({
    sql: db.sql,
    workerId: W,
    pgCall: (p) => {
      statements++
      return p
    },
    pgWrite: createBackoff('finish', silentLogger(), () => {}),
    table,
    maxRows: 200,
  })
  return { w, table, lost, statements: () => statements }
}

describe('StepWriter', () => {
  it('records the steps of many executions that succeed together in one statement', async () => {
    const { w, table, statements } = writer()
    const jobs = await Promise.all(Array.from({ length: 30 }, () => running()))
    for (const j of jobs) table.add(j)
    await Promise.all(jobs.map((j, i) => w.record(j, record(j, { token: `t${i}` }))))
    expect(statements()).toBe(1)
    const rows = await db.sql`select e.id, e.steps, r.body, r.tenant from executions e
                                join execution_step_results r on r.execution_id = e.id
                               where e.id = any(${jobs.map((j) => j.id)}::uuid[])`
    expect(rows).toHaveLength(30)
    for (const r of rows) {
      expect(r['steps']).toHaveLength(1)
      expect(r['tenant']).toBe('acme')
    }
    // Recording the same step again (an answer lost, the statement retried) appends nothing twice.
    await w.record(jobs[0]!, record(jobs[0]!))
    const [again] = await db.sql`select steps from executions where id = ${jobs[0]!.id}`
    expect(again!['steps']).toHaveLength(1)
  })

  it('a row no longer ours is not written: the record rejects and the job is dropped as lost', async () => {
    const { w, table, lost } = writer()
    const theirs = await running('someone-else')
    const mine = await running()
    table.add(theirs)
    table.add(mine)
    const [a, b] = await Promise.allSettled([w.record(theirs, record(theirs)), w.record(mine, record(mine))])
    expect(a.status).toBe('rejected')
    expect(b.status).toBe('fulfilled')
    expect(lost).toEqual([theirs.id])
    const [row] = await db.sql`select steps from executions where id = ${theirs.id}`
    expect(row!['steps']).toEqual([])
  })

  it('a body with a NUL character is not kept (a later attempt starts over), never a failed statement', async () => {
    const { w, table } = writer()
    const job = await running()
    table.add(job)
    const { stepRecord } = await import('../src/runner/step-records.ts')
    const rec = stepRecord(job.id, 1, 'first', {
      index: 0,
      outcome: {
        name: 'first',
        type: 'http',
        status: 'succeeded',
        statusCode: 200,
        durationMs: 1,
        startedAt: new Date().toISOString(),
        body: 'a\u0000b',
      },
      placeholder: { status: 'succeeded', statusCode: 200, body: 'a\u0000b' },
      bodyBytes: 3,
    })
    expect(rec.bodyKept).toBe(false)
    await w.record(job, rec)
    const [r] =
      await db.sql`select body_kept, body from execution_step_results where execution_id = ${job.id}`
    expect(r).toMatchObject({ body_kept: false, body: null })
  })
})
