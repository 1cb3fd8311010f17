import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createExecutionQueue } from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createExecution,
  getExecution,
  type HttpTarget,
  insertWorkflow,
  nextEvent,
  startTarget,
  type TargetHandler,
} from '../src/runner/testing.ts'
import { runnerHarness } from './runner-harness.ts'

/**
 * Issue 16 item 2: a later attempt resumes at the first step without a recorded success; the execution runs
 * the workflow version it first started with.
 */

let db: TestDatabase
let r: TestRedis
let target: HttpTarget
let n = 0
const harness = runnerHarness('rs', () => ({ db, r }))
const { fresh, runner } = harness
/** Calls per path, and how /second answers its first call. */
const calls = new Map<string, number>()

const mainHandler: TargetHandler = (req, res) => {
  const path = req.url.split('?')[0]!
  const k = (calls.get(req.url) ?? 0) + 1
  calls.set(req.url, k)
  res.setHeader('content-type', 'application/json')
  if (path === '/first') {
    // A different answer on every call: a second call would show.
    res.end(JSON.stringify({ token: `t${k}` }))
  } else if (path === '/second') {
    res.statusCode = k === 1 ? 503 : 200
    res.end(JSON.stringify({ ok: k > 1 }))
  } else if (path === '/big') {
    res.end(JSON.stringify({ token: `t${k}`, pad: 'x'.repeat(300 * 1024) }))
  } else {
    res.end('{}')
  }
}

beforeAll(async () => {
  ;[db, r] = await Promise.all([createTestDatabase(), createTestRedis()])
  target = await startTarget(mainHandler)
})
afterEach(async () => {
  await harness.stopAll()
})
afterAll(async () => {
  await harness.cleanup()
  await target?.close()
  await Promise.all([db?.close(), r?.cleanup()])
})

const policy = { maxAttempts: 3, initialDelayMs: 50, backoffMultiplier: 1, maxDelayMs: 50, jitter: 'none' }

function twoSteps(run: number, firstPath = '/first') {
  return [
    { name: 'first', type: 'http', method: 'GET', url: `${target.url}${firstPath}?run=${run}` },
    {
      name: 'second',
      type: 'http',
      method: 'POST',
      url: `${target.url}/second?run=${run}`,
      body: { token: '{{steps.first.body.token}}' },
    },
  ]
}

async function runToEnd(steps: unknown[], opts: { retryFrom?: 'failed_step' | 'start' } = {}) {
  const keys = fresh()
  const queue = createExecutionQueue(r.redis, keys)
  const workflowId = await insertWorkflow(db.sql, { steps, ...opts })
  const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: policy })
  const x = runner(keys)
  const done = nextEvent(x.events, 'execution.succeeded', (e) => e.id === id)
  x.start()
  await done
  return { id, workflowId, row: (await getExecution(db.sql, id))! }
}

const secondBodies = (run: number) =>
  target.requests.filter((q) => q.url === `/second?run=${run}`).map((q) => JSON.parse(q.body).token)

describe('resuming at the first step without a recorded success', () => {
  it('a retry does not call step 1 again, and step 2 sees its first answer', async () => {
    const run = ++n
    const { id, row } = await runToEnd(twoSteps(run))
    expect(calls.get(`/first?run=${run}`)).toBe(1)
    expect(secondBodies(run)).toEqual(['t1', 't1'])
    expect(row.attempt).toBe(2)
    // The history: step 1 once (attempt 1, written before step 2 started), step 2 twice.
    expect(row.steps.map((s) => [s['name'], s['attempt'], s['status']])).toEqual([
      ['first', 1, 'succeeded'],
      ['second', 1, 'failed'],
      ['second', 2, 'succeeded'],
    ])
    // The results kept to resume from are gone with the end.
    const left =
      await db.sql`select count(*)::int as n from execution_step_results where execution_id = ${id}`
    expect(left[0]!['n']).toBe(0)
  })

  it('each step outcome is in the history before the next step starts', async () => {
    const run = ++n
    const keys = fresh()
    const queue = createExecutionQueue(r.redis, keys)
    const seen: unknown[] = []
    const workflowId = await insertWorkflow(db.sql, {
      steps: [
        { name: 'first', type: 'http', method: 'GET', url: `${target.url}/first?run=${run}` },
        {
          name: 'probe',
          type: 'http',
          method: 'GET',
          url: `${target.url}/probe?run=${run}&id={{execution.id}}`,
        },
      ],
    })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: policy })
    target.setHandler((req, res) => {
      if (req.url.startsWith('/probe')) {
        void db.sql`select steps from executions where id = ${id}`.then((rows) => {
          seen.push(rows[0]!['steps'])
          res.end('{}')
        })
        return
      }
      res.setHeader('content-type', 'application/json')
      res.end('{"token":"p"}')
    })
    try {
      const x = runner(keys)
      const done = nextEvent(x.events, 'execution.succeeded', (e) => e.id === id)
      x.start()
      await done
    } finally {
      target.setHandler(mainHandler)
    }
    expect(seen).toHaveLength(1)
    expect((seen[0] as { name: string; status: string }[]).map((s) => [s.name, s.status])).toEqual([
      ['first', 'succeeded'],
    ])
  })

  it('retryFrom "start" runs every step again', async () => {
    const run = ++n
    await runToEnd(twoSteps(run), { retryFrom: 'start' })
    expect(calls.get(`/first?run=${run}`)).toBe(2)
    expect(secondBodies(run)).toEqual(['t1', 't2'])
  })

  it('a body over 256 KiB is not kept: the later attempt starts over', async () => {
    const run = ++n
    await runToEnd(twoSteps(run, '/big'))
    expect(calls.get(`/big?run=${run}`)).toBe(2)
    expect(secondBodies(run)).toEqual(['t1', 't2'])
  })

  it('a PUT of the workflow between attempts does not change the running execution steps', async () => {
    const run = ++n
    const keys = fresh()
    const queue = createExecutionQueue(r.redis, keys)
    const workflowId = await insertWorkflow(db.sql, { steps: twoSteps(run) })
    const id = await createExecution(db.sql, queue, {
      workflowId,
      retryPolicy: { ...policy, initialDelayMs: 600, maxDelayMs: 600 },
    })
    const x = runner(keys)
    const retrying = nextEvent(x.events, 'execution.retrying', (e) => e.id === id)
    const done = nextEvent(x.events, 'execution.succeeded', (e) => e.id === id)
    x.start()
    await retrying
    // The workflow changes while the execution waits for its second attempt (as a PUT does: version + 1).
    await db.sql`update workflows set steps = ${JSON.stringify([
      { name: 'other', type: 'http', method: 'GET', url: `${target.url}/other?run=${run}` },
    ])}::jsonb, version = version + 1 where id = ${workflowId}`
    await done
    expect(calls.get(`/other?run=${run}`)).toBeUndefined()
    expect(secondBodies(run)).toEqual(['t1', 't1'])
    const row = await db.sql`select workflow_version from executions where id = ${id}`
    expect(row[0]!['workflow_version']).toBe(1)
    // A new execution runs the new version.
    const next = await createExecution(db.sql, queue, { workflowId, retryPolicy: policy })
    await nextEvent(x.events, 'execution.succeeded', (e) => e.id === next)
    expect(calls.get(`/other?run=${run}`)).toBe(1)
  })
})
