import { sleep, waitFor } from '@punctual/core/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import {
  createExecutionQueue,
  createKeys,
  type ExecutionQueue,
  getDueEntry,
  type QueueKeys,
  upsertSchedule,
} from '@punctual/queue'
import { createTestRedis, deleteMatching, findFreePort, type TestRedis } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRunner, type Runner, type RunnerConfig } from '../src/runner/index.ts'
import {
  createExecution,
  createExecutions,
  getExecution,
  type HttpTarget,
  insertSchedule,
  insertWorkflow,
  nextEvent,
  silentLogger,
  startTarget,
} from '../src/runner/testing.ts'

let db: TestDatabase
let r: TestRedis
let target: HttpTarget
const patterns: string[] = []
const runners: Runner[] = []
let n = 0

beforeAll(async () => {
  ;[db, r] = await Promise.all([createTestDatabase(), createTestRedis()])
  target = await startTarget((req, res) => {
    if (req.url.startsWith('/hang')) return
    if (req.url.startsWith('/slow')) {
      setTimeout(() => res.end('slow'), 300)
      return
    }
    if (req.url.startsWith('/status/')) {
      res.statusCode = Number.parseInt(req.url.split('/')[2]!, 10)
      res.end('failing on purpose')
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ ok: true, echo: req.url }))
  })
})
afterEach(async () => {
  await Promise.all(runners.splice(0).map((x) => x.stop({ timeoutMs: 0 })))
})
afterAll(async () => {
  for (const p of patterns) await deleteMatching(r.redis, p)
  await target?.close()
  await Promise.all([db?.close(), r?.cleanup()])
})

/** A fresh keyspace per test: a runner only ever sees its own test's executions. */
function fresh(): { keys: QueueKeys; queue: ExecutionQueue } {
  const keys = createKeys(`${r.prefix}.${++n}`)
  patterns.push(keys.scanPattern)
  return { keys, queue: createExecutionQueue(r.redis, keys) }
}

function runner(keys: QueueKeys, config: Partial<RunnerConfig> = {}, workerId = `w-${n}`): Runner {
  const x = createRunner({
    db,
    redis: r.redis,
    keys,
    workerId,
    logger: silentLogger(),
    config: {
      concurrency: 10,
      leaseMs: 30_000,
      pollMs: 20,
      outbound: { allowPrivate: true, allowlist: undefined },
      ...config,
    },
  })
  runners.push(x)
  return x
}

const noRetry = { maxAttempts: 1 }

describe('runner', () => {
  it('an idle runner claims new ready work when it is enqueued (ready channel), not at its next poll', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const x = runner(keys, { pollMs: 30_000 })
    x.start()
    await sleep(300) // its first claim found nothing: it sleeps for up to 30 s
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    const started = nextEvent(x.events, 'execution.started', (e) => e.id === id)
    const winner = await Promise.race([started.then(() => 'started'), sleep(5000).then(() => 'poll')])
    expect(winner).toBe('started')
  })

  it('work available later (a fire recorded ahead) is claimed at its time, not at the next poll', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const at = Date.now() + 800
    const id = await createExecution(db.sql, queue, { workflowId, scheduledForMs: at, retryPolicy: noRetry })
    const x = runner(keys, { pollMs: 30_000 })
    const started = nextEvent(x.events, 'execution.started', (e) => e.id === id)
    x.start()
    const winner = await Promise.race([started, sleep(5000).then(() => null)])
    expect(winner).not.toBeNull()
    // Not before its time either.
    expect(winner!.startedAtMs).toBeGreaterThanOrEqual(at)
  })

  it('runs an http step then a delay step, shows running at once, records outcomes and acks', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, {
      steps: [
        { name: 'call', type: 'http', method: 'GET', url: `${target.url}/ok` },
        { name: 'pause', type: 'delay', ms: 300 },
      ],
    })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    const x = runner(keys)
    const started = nextEvent(x.events, 'execution.started', (e) => e.id === id)
    const succeeded = nextEvent(x.events, 'execution.succeeded', (e) => e.id === id)
    x.start()
    await started
    const running = await getExecution(db.sql, id)
    expect(running).toMatchObject({ status: 'running', attempt: 1, worker_id: `w-${n}` })
    const done = await succeeded
    expect(done.attempt).toBe(1)
    const row = (await getExecution(db.sql, id))!
    expect(row).toMatchObject({ status: 'succeeded', attempt: 1, error: null })
    expect(row.finished_at_ms! - row.started_at_ms!).toBeGreaterThanOrEqual(290)
    expect(row.steps).toHaveLength(2)
    expect(row.steps[0]).toMatchObject({
      name: 'call',
      type: 'http',
      status: 'succeeded',
      statusCode: 200,
      attempt: 1,
    })
    expect(JSON.parse(row.steps[0]!['body'] as string)).toEqual({ ok: true, echo: '/ok' })
    expect(row.steps[1]).toMatchObject({ name: 'pause', type: 'delay', status: 'succeeded', attempt: 1 })
    expect(await queue.size()).toBe(0)
  })

  it('resolves placeholders from execution, input and earlier steps into url, headers and body', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, {
      steps: [
        { name: 'first', type: 'http', method: 'GET', url: `${target.url}/ok` },
        {
          name: 'second',
          type: 'http',
          method: 'POST',
          url: `${target.url}/orders/{{input.orderId}}?attempt={{execution.attempt}}`,
          headers: { 'idempotency-key': '{{execution.id}}', 'x-prev': '{{steps.first.status}}' },
          body: {
            id: '{{execution.id}}',
            at: '{{execution.scheduledFor}}',
            qty: '{{input.qty}}',
            ok: '{{steps.first.body.ok}}',
          },
        },
      ],
    })
    const scheduledForMs = Date.UTC(2026, 2, 8, 7, 0, 0)
    const id = await createExecution(db.sql, queue, {
      workflowId,
      retryPolicy: noRetry,
      scheduledForMs,
      input: { orderId: 'o-42', qty: 5 },
    })
    const x = runner(keys)
    const done = nextEvent(x.events, 'execution.succeeded', (e) => e.id === id)
    x.start()
    await done
    const req = target.requests.find((q) => q.url.startsWith('/orders/o-42'))!
    expect(req.url).toBe('/orders/o-42?attempt=1')
    expect(req.headers['idempotency-key']).toBe(id)
    expect(req.headers['x-prev']).toBe('succeeded')
    expect(JSON.parse(req.body)).toEqual({ id, at: '2026-03-08T07:00:00.000Z', qty: 5, ok: true })
  })

  it('retries a non-2xx with the backoff, same id, then dead after maxAttempts', async () => {
    const { keys, queue } = fresh()
    const path = `/status/503?run=${n}`
    const workflowId = await insertWorkflow(db.sql, {
      steps: [{ name: 'call', type: 'http', method: 'GET', url: `${target.url}${path}` }],
    })
    const id = await createExecution(db.sql, queue, {
      workflowId,
      retryPolicy: {
        maxAttempts: 3,
        initialDelayMs: 200,
        backoffMultiplier: 2,
        maxDelayMs: 10_000,
        jitter: 'none',
      },
    })
    const x = runner(keys, { pollMs: 10 })
    const retrying: number[] = []
    x.events.on('execution.retrying', (e) => {
      if (e.id === id) retrying.push(e.delayMs)
    })
    const dead = nextEvent(x.events, 'execution.dead', (e) => e.id === id)
    x.start()
    const d = await dead
    expect(d).toMatchObject({ id, attempt: 3 })
    expect(d.error).toEqual({ message: 'step call: HTTP 503', class: 'retryable', step: 'call', status: 503 })
    expect(retrying).toEqual([200, 400])
    const hits = target.requests.filter((q) => q.url === path).map((q) => q.atMs)
    expect(hits).toHaveLength(3)
    const gaps = [hits[1]! - hits[0]!, hits[2]! - hits[1]!]
    expect(gaps[0]).toBeGreaterThanOrEqual(195)
    expect(gaps[0]).toBeLessThan(200 + 150)
    expect(gaps[1]).toBeGreaterThanOrEqual(395)
    expect(gaps[1]).toBeLessThan(400 + 150)
    const row = (await getExecution(db.sql, id))!
    expect(row).toMatchObject({
      id,
      status: 'dead',
      attempt: 3,
      error: { message: 'step call: HTTP 503', class: 'retryable', step: 'call', status: 503 },
    })
    expect(row.steps.map((s) => [s['attempt'], s['statusCode']])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
    ])
    expect(await queue.size()).toBe(0)
  })

  it('marks a retrying execution `retrying` with available_at while it waits', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, {
      steps: [{ name: 'call', type: 'http', method: 'GET', url: `${target.url}/status/500` }],
    })
    const id = await createExecution(db.sql, queue, {
      workflowId,
      retryPolicy: {
        maxAttempts: 2,
        initialDelayMs: 60_000,
        backoffMultiplier: 2,
        maxDelayMs: 60_000,
        jitter: 'none',
      },
    })
    const x = runner(keys)
    const retrying = nextEvent(x.events, 'execution.retrying', (e) => e.id === id)
    x.start()
    const e = await retrying
    const row = (await getExecution(db.sql, id))!
    expect(row).toMatchObject({
      status: 'retrying',
      attempt: 1,
      error: { message: 'step call: HTTP 500', class: 'retryable', step: 'call', status: 500 },
    })
    expect(row.available_at_ms).toBe(e.availableAtMs)
    const snap = await queue.get(id)
    expect(snap).toMatchObject({ state: 'delayed', score: e.availableAtMs, attempt: 2 })
  })

  it('cuts a hanging target at the step timeoutMs: a failed attempt with the error recorded', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, {
      steps: [{ name: 'call', type: 'http', method: 'GET', url: `${target.url}/hang`, timeoutMs: 400 }],
    })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    const x = runner(keys)
    const dead = nextEvent(x.events, 'execution.dead', (e) => e.id === id)
    const abortedBefore = target.aborted()
    x.start()
    await dead
    const row = (await getExecution(db.sql, id))!
    expect(row).toMatchObject({
      status: 'dead',
      attempt: 1,
      error: { message: 'step call: timed out after 400 ms', class: 'retryable', step: 'call' },
    })
    expect(row.steps[0]!['durationMs']).toBeGreaterThanOrEqual(395)
    // The runner gave up on the request (the target never answers /hang): it was aborted, not left open.
    await waitFor('the target to see the request aborted', () => target.aborted() > abortedBefore)
  })

  it('records a target refusing connections as a failed attempt with the error', async () => {
    const { keys, queue } = fresh()
    const port = await findFreePort()
    const workflowId = await insertWorkflow(db.sql, {
      steps: [
        { name: 'call', type: 'http', method: 'POST', url: `http://127.0.0.1:${port}/x`, body: { a: 1 } },
      ],
    })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    const x = runner(keys)
    const dead = nextEvent(x.events, 'execution.dead', (e) => e.id === id)
    x.start()
    await dead
    const row = (await getExecution(db.sql, id))!
    expect(row.status).toBe('dead')
    expect(row.error!.message).toMatch(/^step call: .*ECONNREFUSED/)
    expect(row.error!.step).toBe('call')
    expect(row.steps[0]).toMatchObject({ status: 'failed' })
  })

  it('blocks loopback without allowPrivate and the metadata address always: failed, no request sent', async () => {
    const { keys, queue } = fresh()
    const before = target.requests.length
    const loopbackWf = await insertWorkflow(db.sql, {
      steps: [{ name: 'call', type: 'http', method: 'GET', url: `${target.url}/ok` }],
    })
    const metadataWf = await insertWorkflow(db.sql, {
      steps: [{ name: 'call', type: 'http', method: 'GET', url: 'http://169.254.169.254/latest/meta-data/' }],
    })
    const [a, b] = await createExecutions(db.sql, queue, [
      { workflowId: loopbackWf, retryPolicy: noRetry },
      { workflowId: metadataWf, retryPolicy: noRetry },
    ])
    const x = runner(keys, { outbound: { allowPrivate: false, allowlist: undefined } })
    const deadA = nextEvent(x.events, 'execution.dead', (e) => e.id === a)
    const deadB = nextEvent(x.events, 'execution.dead', (e) => e.id === b)
    x.start()
    await Promise.all([deadA, deadB])
    expect((await getExecution(db.sql, a!))!.error!.message).toMatch(
      /blocked: 127\.0\.0\.1 is not a destination http steps may reach/,
    )
    expect((await getExecution(db.sql, b!))!.error!.message).toMatch(
      /blocked: 169\.254\.169\.254 is not a destination http steps may reach/,
    )
    expect(target.requests.length).toBe(before)

    // Even with allowPrivate, the metadata address stays out of reach.
    const { keys: keys2, queue: queue2 } = fresh()
    const c = await createExecution(db.sql, queue2, { workflowId: metadataWf, retryPolicy: noRetry })
    const y = runner(keys2, { outbound: { allowPrivate: true, allowlist: undefined } })
    const deadC = nextEvent(y.events, 'execution.dead', (e) => e.id === c)
    y.start()
    await deadC
    expect((await getExecution(db.sql, c))!.error!.message).toMatch(
      /blocked: 169\.254\.169\.254 is not a destination http steps may reach/,
    )
  })

  it('cancel of a running execution aborts the in-flight request quickly and ends `cancelled`', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, {
      steps: [
        {
          name: 'call',
          type: 'http',
          method: 'GET',
          url: `${target.url}/hang?cancel=${n}`,
          timeoutMs: 60_000,
        },
        { name: 'after', type: 'delay', ms: 0 },
      ],
    })
    const id = await createExecution(db.sql, queue, {
      workflowId,
      retryPolicy: {
        maxAttempts: 5,
        initialDelayMs: 10,
        backoffMultiplier: 1,
        maxDelayMs: 10,
        jitter: 'none',
      },
    })
    // A lease far longer than the test: the fallback poll for missed cancels (every leaseMs / 3) never runs,
    // so the cancel can only arrive by pub/sub, and the 60 s step timeout cannot end the request either.
    const x = runner(keys, { leaseMs: 600_000 })
    x.start()
    await waitFor('the hanging request to reach the target', () =>
      target.requests.some((q) => q.url === `/hang?cancel=${n}`),
    )
    await waitFor(
      'a subscriber on the cancel channel',
      async () => ((await r.redis.pubsub('NUMSUB', keys.cancelChannel))[1] as number) >= 1,
    )
    const abortedBefore = target.aborted()
    const cancelled = nextEvent(x.events, 'execution.cancelled', (e) => e.id === id)
    // What the API does for a running execution: flag the row, publish the id.
    await db.sql`update executions set cancel_requested_at = now() where id = ${id}`
    await r.redis.publish(keys.cancelChannel, id)
    await cancelled
    await waitFor('the target to see the request aborted', () => target.aborted() > abortedBefore, {
      timeoutMs: 2000,
    })
    const row = (await getExecution(db.sql, id))!
    expect(row).toMatchObject({ status: 'cancelled', attempt: 1 })
    expect(row.finished_at_ms).not.toBeNull()
    expect(row.steps).toHaveLength(1)
    expect(row.steps[0]).toMatchObject({ name: 'call', status: 'cancelled' })
    expect(await queue.size()).toBe(0)
  })

  it('cancels at start an execution whose cancel was requested while a dead worker ran it', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    await db.sql`update executions set status = 'running', attempt = 1, worker_id = 'dead-worker',
                  started_at = now(), cancel_requested_at = now() where id = ${id}`
    const x = runner(keys)
    const cancelled = nextEvent(x.events, 'execution.cancelled', (e) => e.id === id)
    x.start()
    await cancelled
    expect(await getExecution(db.sql, id)).toMatchObject({ status: 'cancelled', attempt: 1 })
    await waitFor('an empty queue', async () => (await queue.size()) === 0)
  })

  it('acks and drops a dequeued id whose row is gone or already finished', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const [gone, finished, ok] = await createExecutions(db.sql, queue, [
      { workflowId, retryPolicy: noRetry },
      { workflowId, retryPolicy: noRetry },
      { workflowId, retryPolicy: noRetry },
    ])
    await db.sql`delete from executions where id = ${gone!}`
    await db.sql`update executions set status = 'cancelled', finished_at = now() where id = ${finished!}`
    const x = runner(keys)
    const started: string[] = []
    x.events.on('execution.started', (e) => started.push(e.id))
    const done = nextEvent(x.events, 'execution.succeeded', (e) => e.id === ok)
    x.start()
    await done
    await waitFor('an empty queue', async () => (await queue.size()) === 0)
    expect(started).toEqual([ok])
    expect(await getExecution(db.sql, finished!)).toMatchObject({ status: 'cancelled', attempt: 0 })
  })

  it('never runs more than `concurrency` executions at once', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, {
      steps: [{ name: 'call', type: 'http', method: 'GET', url: `${target.url}/slow?c=${n}` }],
    })
    const ids = await createExecutions(
      db.sql,
      queue,
      Array.from({ length: 9 }, () => ({ workflowId, retryPolicy: noRetry })),
    )
    const x = runner(keys, { concurrency: 3 })
    let max = 0
    const sampler = setInterval(() => {
      max = Math.max(max, x.running())
    }, 5)
    const base = target.open()
    let maxOpen = 0
    const openSampler = setInterval(() => {
      maxOpen = Math.max(maxOpen, target.open() - base)
    }, 5)
    const done = new Set<string>()
    x.events.on('execution.succeeded', (e) => done.add(e.id))
    x.start()
    try {
      await waitFor('every execution to finish', () => done.size === ids.length, { timeoutMs: 15_000 })
    } finally {
      clearInterval(sampler)
      clearInterval(openSampler)
    }
    expect(max).toBe(3)
    expect(maxOpen).toBeLessThanOrEqual(3)
    expect(maxOpen).toBeGreaterThanOrEqual(2)
  })

  it('runs higher priority first', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const ids = await createExecutions(db.sql, queue, [
      { workflowId, retryPolicy: noRetry, priority: 1 },
      { workflowId, retryPolicy: noRetry, priority: 9 },
      { workflowId, retryPolicy: noRetry, priority: 5 },
    ])
    const x = runner(keys, { concurrency: 1 })
    const order: string[] = []
    x.events.on('execution.started', (e) => order.push(e.id))
    x.start()
    await waitFor('three executions to run', () => order.length === 3)
    expect(order).toEqual([ids[1], ids[2], ids[0]])
  })

  it('skip decided at the start: a fire recorded ahead is skipped while an earlier one is unfinished, else runs', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const busy = await insertSchedule(db.sql, { workflowId, overlapPolicy: 'skip' })
    const idle = await insertSchedule(db.sql, { workflowId, overlapPolicy: 'skip' })
    const t = Date.now()
    // busy: an earlier execution still runs elsewhere (no lease here, so this runner never touches it).
    await db.sql`insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, status, attempt,
                                         started_at, worker_id)
                 values (gen_random_uuid(), 'acme', 'fire', ${busy}, ${workflowId},
                         ${new Date(t - 5000).toISOString()}, 'running', 1, now(), 'elsewhere')`
    const [late] = await createExecutions(db.sql, queue, [
      { workflowId, kind: 'fire', scheduleId: busy, scheduledForMs: t - 1000, retryPolicy: noRetry },
    ])
    // idle: its earlier fire has succeeded, so the checked fire runs.
    const [runs] = await createExecutions(db.sql, queue, [
      { workflowId, kind: 'fire', scheduleId: idle, scheduledForMs: t - 1000, retryPolicy: noRetry },
    ])
    await db.sql`update executions set overlap_check = true where id in (${late!}, ${runs!})`
    const x = runner(keys)
    const skipped = nextEvent(x.events, 'fire.skipped', (e) => e.id === late)
    const ran = nextEvent(x.events, 'execution.succeeded', (e) => e.id === runs)
    x.start()
    expect(await skipped).toMatchObject({ id: late, scheduleId: busy, scheduledForMs: t - 1000 })
    await ran
    expect(await getExecution(db.sql, late!)).toMatchObject({
      status: 'skipped',
      attempt: 0,
      worker_id: null,
    })
    await waitFor('the late execution to leave the queue', async () => (await queue.get(late!)) === null)
  })

  it('buffer_one: when a fire ends, the oldest held fire of its schedule is released and runs', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 200 }] })
    const scheduleId = await insertSchedule(db.sql, { workflowId, overlapPolicy: 'buffer_one' })
    const t = Date.now()
    const first = await createExecution(db.sql, queue, {
      workflowId,
      kind: 'fire',
      scheduleId,
      scheduledForMs: t - 2000,
      retryPolicy: noRetry,
    })
    const [held, later] = await createExecutions(db.sql, queue, [
      { workflowId, kind: 'fire', scheduleId, scheduledForMs: t - 1000, retryPolicy: noRetry, held: true },
      { workflowId, kind: 'fire', scheduleId, scheduledForMs: t - 500, retryPolicy: noRetry, held: true },
    ])
    expect(await queue.get(held!)).toBeNull()
    const x = runner(keys)
    const order: string[] = []
    x.events.on('execution.started', (e) => order.push(e.id))
    const firstDone = nextEvent(x.events, 'execution.succeeded', (e) => e.id === first)
    const heldDone = nextEvent(x.events, 'execution.succeeded', (e) => e.id === held)
    x.start()
    await firstDone
    await heldDone
    expect(order.slice(0, 2)).toEqual([first, held])
    // One release per end: the second held fire is released when the first released one ends.
    await nextEvent(x.events, 'execution.succeeded', (e) => e.id === later)
    expect(await getExecution(db.sql, held!)).toMatchObject({ status: 'succeeded', held: false })
    const [s] = await db.sql<
      { execution_count: number }[]
    >`select execution_count from schedules where id = ${scheduleId}`
    expect(s!.execution_count).toBe(3)
  })

  it('maxExecutions: the fire that reaches it completes the schedule; fires past it never start', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const scheduleId = await insertSchedule(db.sql, { workflowId, maxExecutions: 2, overlapPolicy: 'allow' })
    await upsertSchedule(r.redis, keys, {
      scheduleId,
      workflowId,
      version: 1,
      nextRunAtMs: Date.now() + 3_600_000,
      conflictProfile: 'M0',
    })
    const t = Date.now()
    const ids = await createExecutions(db.sql, queue, [
      { workflowId, kind: 'fire', scheduleId, scheduledForMs: t - 3000, retryPolicy: noRetry },
      { workflowId, kind: 'fire', scheduleId, scheduledForMs: t - 2000, retryPolicy: noRetry },
      { workflowId, kind: 'fire', scheduleId, scheduledForMs: t - 1000, retryPolicy: noRetry },
      { workflowId, kind: 'manual', scheduleId, scheduledForMs: t - 500, retryPolicy: noRetry },
    ])
    const x = runner(keys)
    const succeeded = new Set<string>()
    x.events.on('execution.succeeded', (e) => succeeded.add(e.id))
    const completed = nextEvent(x.events, 'schedule.completed', (e) => e.scheduleId === scheduleId)
    x.start()
    expect(await completed).toMatchObject({ scheduleId, workflowId, version: 2, executionId: ids[1] })
    await waitFor('three executions to succeed', () => succeeded.size === 3)
    await waitFor('an empty queue', async () => (await queue.size()) === 0)
    expect([...succeeded].sort()).toEqual([ids[0], ids[1], ids[3]].sort())
    expect(await getExecution(db.sql, ids[2]!)).toBeUndefined()
    const [s] = await db.sql<
      { execution_count: number; state: string; version: number; next_run_at: string | null }[]
    >`
      select execution_count, state, version, next_run_at from schedules where id = ${scheduleId}`
    expect(s).toEqual({ execution_count: 2, state: 'completed', version: 2, next_run_at: null })
    await waitFor('the due entry at version 2, unscheduled', async () => {
      const entry = await getDueEntry(r.redis, keys, scheduleId)
      return entry?.version === 2 && entry.scoreMs === null
    })
  })

  it('pause() stops claiming and resume() picks up again', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const x = runner(keys)
    x.pause()
    x.start()
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    await sleep(200)
    expect((await queue.get(id))?.state).toBe('ready')
    const done = nextEvent(x.events, 'execution.succeeded', (e) => e.id === id)
    x.resume()
    await done
  })

  it('a stop without running work resolves quickly', async () => {
    const { keys } = fresh()
    const x = runner(keys)
    x.start()
    await sleep(50)
    // Nothing to wait for: stop returns without waiting out its timeout.
    const stopTimeoutMs = 60_000
    const first = await Promise.race([
      x.stop({ timeoutMs: stopTimeoutMs }).then(() => 'stop returned'),
      sleep(stopTimeoutMs / 3).then(() => 'still waiting'),
    ])
    expect(first).toBe('stop returned')
    expect(x.state).toBe('stopped')
  })

  describe('ends during a burst of claims', () => {
    /** Polls the rows every 10 ms until all succeeded: when each was first seen running and succeeded. */
    async function watch(ids: string[], timeoutMs = 15_000) {
      const seen = new Map<string, { running?: number; succeeded?: number }>(ids.map((id) => [id, {}]))
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const rows = await db.sql<{ id: string; status: string }[]>`
          select id, status from executions where id = any(${ids}::uuid[])`
        const at = Date.now()
        for (const row of rows) {
          const s = seen.get(row.id)!
          if (row.status === 'running') s.running ??= at
          if (row.status === 'succeeded') s.succeeded ??= at
        }
        if ([...seen.values()].every((s) => s.succeeded !== undefined)) return seen
        await sleep(10)
      }
      throw new Error('not every execution succeeded in time')
    }

    it('are held back while every dequeue fills the free slots, and written as soon as the queue drains', async () => {
      const { keys, queue } = fresh()
      const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 150 }] })
      const ids = await createExecutions(
        db.sql,
        queue,
        Array.from({ length: 8 }, (_, i) => ({ workflowId, retryPolicy: noRetry, priority: 9 - i })),
      )
      const x = runner(keys, { concurrency: 2, burstFlushDelayMs: 5000 })
      const watching = watch(ids)
      x.start()
      const seen = await watching
      const first = seen.get(ids[0]!)!
      const fifth = seen.get(ids[4]!)!
      // Four pairs in priority order, 150 ms each. The first pair finished while more work was ready: its ends
      // waited for the burst (until a dequeue found the queue empty, as the last pair started), so the third
      // pair was already running while the first still read `running`.
      expect(fifth.running).toBeDefined()
      expect(first.succeeded!).toBeGreaterThan(fifth.running!)
      // ...but not for burstFlushDelayMs: once a dequeue found the queue empty, every end was written.
      const rows = await Promise.all(ids.map((id) => getExecution(db.sql, id)))
      const lastFinish = Math.max(...rows.map((row) => row!.finished_at_ms!))
      // Written before the 5 s burst flush delay could have been what wrote them.
      for (const id of ids) expect(seen.get(id)!.succeeded!).toBeLessThan(lastFinish + 5000)
      expect(rows.every((row) => row!.status === 'succeeded')).toBe(true)
      expect(await queue.size()).toBe(0)
    })

    it('wait at most burstFlushDelayMs after the first of them, even while the burst goes on', async () => {
      const { keys, queue } = fresh()
      const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 100 }] })
      const ids = await createExecutions(
        db.sql,
        queue,
        Array.from({ length: 10 }, (_, i) => ({ workflowId, retryPolicy: noRetry, priority: 9 - i })),
      )
      const x = runner(keys, { concurrency: 1, burstFlushDelayMs: 200 })
      const watching = watch(ids)
      x.start()
      const seen = await watching
      // One at a time in priority order, 100 ms each: the burst lasts about 1 s. Held for at most 200 ms, the
      // first end is written while the burst goes on: before the eighth execution (700 ms of work later) starts.
      expect(seen.get(ids[0]!)!.succeeded!).toBeLessThan(seen.get(ids[7]!)!.running!)
    })
  })

  it('claims the next batch ahead while every slot is busy in a burst, and hands it back at once on stop', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 2000 }] })
    const ids = await createExecutions(
      db.sql,
      queue,
      Array.from({ length: 6 }, (_, i) => ({ workflowId, retryPolicy: noRetry, priority: 9 - i })),
    )
    const x = runner(keys, { concurrency: 2 })
    x.start()
    // Two run; the next two (by priority) are claimed ahead: leased in Redis, not started in Postgres.
    const claimed = await waitFor('four running executions', async () => {
      const stats = await queue.stats()
      return stats.running === 4 ? stats : undefined
    })
    expect(claimed).toMatchObject({ running: 4, ready: 2 })
    expect(x.running()).toBe(2)
    const rows = await Promise.all(ids.map((id) => getExecution(db.sql, id)))
    expect(rows.map((r) => r!.status)).toEqual(['running', 'running', 'queued', 'queued', 'queued', 'queued'])
    // Stop without waiting for the running ones: the claimed-ahead pair goes back untouched.
    await x.stop({ timeoutMs: 0 })
    const after = await Promise.all(ids.map((id) => getExecution(db.sql, id)))
    expect(after.slice(2).map((r) => [r!.status, r!.attempt])).toEqual([
      ['queued', 0],
      ['queued', 0],
      ['queued', 0],
      ['queued', 0],
    ])
    expect(await queue.stats()).toMatchObject({ running: 0, ready: 6 })
  })
})
