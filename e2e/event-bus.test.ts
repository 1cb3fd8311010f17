import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sleep, waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFleet, type Fleet } from './fleet.ts'

/**
 * The system event bus end to end: a real worker process runs the workflows, emits execution.succeeded /
 * execution.dead / schedule.completed, and its consumer starts the matching event triggers' workflows. What a
 * user sees is checked through the API (executions, audit) and the worker's /metrics.
 */

let fleet: Fleet
let worker: WorkerProcess
let target: Server
let targetUrl = ''
const hits: { path: string; query: URLSearchParams }[] = []
const metricsPort = 20000 + Math.floor(Math.random() * 20000)

beforeAll(async () => {
  fleet = await createFleet()
  target = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    hits.push({ path: url.pathname, query: url.searchParams })
    res.writeHead(url.pathname.startsWith('/fail') ? 500 : 200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`
  worker = startWorkerProcess({
    ...fleet.env,
    TRIGGER_CACHE_TTL_MS: '0',
    WORKER_METRICS_PORT: String(metricsPort),
  })
  await worker.waitForLog('ready')
}, 60_000)
afterAll(async () => {
  await worker?.stop()
  await new Promise((r) => target?.close(r))
  await fleet?.close()
})

interface ExecutionDto {
  id: string
  kind: string
  status: string
  workflowId: string
  triggerId: string | null
  scheduleId: string | null
  causedBy: string | null
  chainDepth: number
  error: { message: string; step?: string; status?: number } | null
  input: Record<string, unknown>
}

async function call<T>(method: 'GET' | 'POST', url: string, payload?: object, tenant = 'acme') {
  const token = fleet.api.jwt.sign({ sub: 'bus-test', tenant, role: 'admin' }, { expiresIn: '1h' })
  const res = await fleet.api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload && { payload }),
  })
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T }
}

async function workflow(steps: object[], tenant = 'acme') {
  const res = await call<{ id: string }>(
    'POST',
    '/api/workflows',
    { name: `wf-${randomUUID()}`, steps },
    tenant,
  )
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id
}

const noop = () => workflow([{ name: 'noop', type: 'delay', ms: 0 }])

/** An event trigger, through POST /api/triggers (one attempt: a failing workflow is dead at once). */
async function trigger(workflowId: string, eventType: string, extra: object = {}, tenant = 'acme') {
  const res = await call<{ id: string; workflowId: string }>(
    'POST',
    '/api/triggers',
    {
      workflowId,
      name: `tr-${randomUUID()}`,
      type: 'event',
      eventType,
      retryPolicy: { maxAttempts: 1 },
      ...extra,
    },
    tenant,
  )
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function emit(type: string, data: Record<string, unknown> = {}, tenant = 'acme') {
  const res = await call<{ executions: string[] }>('POST', '/api/events', { type, data }, tenant)
  expect(res.status, JSON.stringify(res.body)).toBe(202)
  return res.body.executions
}

async function executionsOf(triggerId: string, tenant = 'acme') {
  const res = await call<{ items: ExecutionDto[] }>(
    'GET',
    `/api/executions?triggerId=${triggerId}`,
    undefined,
    tenant,
  )
  expect(res.status).toBe(200)
  return res.body.items
}

async function execution(id: string, tenant = 'acme') {
  const res = await call<ExecutionDto>('GET', `/api/executions/${id}`, undefined, tenant)
  expect(res.status).toBe(200)
  return res.body
}

const finished = (e: ExecutionDto) => e.status === 'succeeded' || e.status === 'dead'

/** The one execution a trigger started, once finished. */
const onlyRunOf = (triggerId: string, tenant = 'acme') =>
  waitFor(
    `the execution of trigger ${triggerId}`,
    async () => {
      const list = await executionsOf(triggerId, tenant)
      return list.length === 1 && finished(list[0]!) ? list[0]! : undefined
    },
    { timeoutMs: 20_000 },
  )

/** Every system event written so far has been handled (its outbox row is gone). */
const outboxDrained = () =>
  waitFor(
    'the outbox to drain',
    async () => (await fleet.database.sql`select 1 from event_outbox`).length === 0,
    { timeoutMs: 20_000 },
  )

describe('system events start event triggers', () => {
  it('a chain of two workflows through execution.succeeded: B runs with A as input and causedBy', async () => {
    const a = await workflow([{ name: 'a', type: 'http', method: 'GET', url: `${targetUrl}/a` }])
    const b = await workflow([
      {
        name: 'b',
        type: 'http',
        method: 'GET',
        url: `${targetUrl}/b?from={{input.id}}&status={{input.status}}&wf={{input.workflowId}}`,
      },
    ])
    const other = await noop()
    const start = await trigger(a, 'chain.start')
    const onA = await trigger(b, 'execution.succeeded', { filter: { workflowId: [a] } })
    // Same event type, filtered on another workflow: never fires here.
    const onOther = await trigger(other, 'execution.succeeded', { filter: { workflowId: [other] } })

    const [rootId] = await emit('chain.start', { order: 42 })
    const bRun = await onlyRunOf(onA.id)
    const aRun = await execution(rootId!)
    expect(aRun).toMatchObject({ status: 'succeeded', triggerId: start.id, causedBy: null, chainDepth: 0 })
    expect(bRun).toMatchObject({
      kind: 'event',
      status: 'succeeded',
      workflowId: b,
      triggerId: onA.id,
      causedBy: aRun.id,
      chainDepth: 1,
    })
    // data = the execution as GET /api/executions/:id shows it.
    expect(bRun.input).toEqual(aRun)
    expect(hits.filter((h) => h.path === '/b').map((h) => Object.fromEntries(h.query))).toEqual([
      { from: aRun.id, status: 'succeeded', wf: a },
    ])
    await outboxDrained()
    expect(await executionsOf(onOther.id)).toEqual([])
  }, 60_000)

  it('execution.dead starts a compensation workflow with the dead execution as input', async () => {
    const failing = await workflow([
      { name: 'charge', type: 'http', method: 'POST', url: `${targetUrl}/fail` },
    ])
    const compensate = await workflow([
      {
        name: 'refund',
        type: 'http',
        method: 'POST',
        url: `${targetUrl}/compensate?failed={{input.id}}&status={{input.error.status}}&step={{input.error.step}}`,
        body: { error: '{{input.error}}', attempt: '{{input.attempt}}' },
      },
    ])
    await trigger(failing, 'payment.requested')
    // The filter reads the error object (http-api.md, Executions: `error` is `{ message, step?, status?, … }`).
    const onDead = await trigger(compensate, 'execution.dead', {
      filter: { workflowId: [failing], error: { status: [{ numeric: ['>=', 500] }] } },
    })
    // A success trigger on the same workflow stays quiet: it died.
    const onSuccess = await trigger(compensate, 'execution.succeeded', { filter: { workflowId: [failing] } })

    const [failedId] = await emit('payment.requested', { amount: 10 })
    const run = await onlyRunOf(onDead.id)
    const dead = await execution(failedId!)
    expect(dead).toMatchObject({ status: 'dead', attempt: 1 })
    expect(dead.error).toMatchObject({ step: expect.any(String), status: 500 })
    expect(run).toMatchObject({
      status: 'succeeded',
      workflowId: compensate,
      causedBy: dead.id,
      chainDepth: 1,
    })
    expect(run.input).toMatchObject({ id: dead.id, status: 'dead', error: dead.error, workflowId: failing })
    const compensations = hits.filter((h) => h.path === '/compensate')
    expect(compensations.map((h) => h.query.get('failed'))).toEqual([dead.id])
    expect(compensations[0]!.query.get('status')).toBe('500')
    expect(compensations[0]!.query.get('step')).toBe(dead.error!.step)
    await outboxDrained()
    expect(await executionsOf(onSuccess.id)).toEqual([])
  }, 60_000)

  it('schedule.completed starts its trigger once, with the schedule as input', async () => {
    const work = await noop()
    const report = await noop()
    // Before the schedule: it completes within a few seconds (fires are recorded up to 2 s ahead).
    const onCompleted = await trigger(report, 'schedule.*', { filter: { workflowId: [work] } })
    const res = await call<{ id: string }>('POST', '/api/schedules', {
      workflowId: work,
      name: `s-${randomUUID()}`,
      cronExpression: '* * * * * *',
      maxExecutions: 2,
      overlapPolicy: 'allow',
    })
    expect(res.status).toBe(201)
    const scheduleId = res.body.id
    const run = await onlyRunOf(onCompleted.id)
    expect(run).toMatchObject({ status: 'succeeded', causedBy: null, chainDepth: 0, scheduleId: null })
    expect(run.input).toMatchObject({
      id: scheduleId,
      state: 'completed',
      maxExecutions: 2,
      workflowId: work,
    })
    const schedule = await call<{ state: string }>('GET', `/api/schedules/${scheduleId}`)
    expect(schedule.body.state).toBe('completed')
    await outboxDrained()
    await sleep(500)
    expect(await executionsOf(onCompleted.id)).toHaveLength(1)
  }, 60_000)

  it('a workflow whose success starts itself: exactly 10 chained starts, then the chain is stopped and audited', async () => {
    const loop = await workflow([{ name: 'tick', type: 'http', method: 'GET', url: `${targetUrl}/loop` }])
    const start = await trigger(loop, 'loop.start')
    const again = await trigger(loop, 'execution.succeeded', { filter: { workflowId: [loop] } })
    const [rootId] = await emit('loop.start')

    const audit = await waitFor(
      'the chain.stopped audit entry',
      async () => {
        const res = await call<{
          items: { action: string; actor: string; targetId: string; details: Record<string, unknown> }[]
        }>('GET', '/api/audit?limit=100')
        return res.body.items.find((e) => e.action === 'chain.stopped' && e.targetId === again.id)
      },
      { timeoutMs: 60_000 },
    )
    await outboxDrained()
    await sleep(500)
    const chained = (await executionsOf(again.id)).sort((x, y) => x.chainDepth - y.chainDepth)
    expect(chained).toHaveLength(10)
    expect(chained.map((e) => e.chainDepth)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(chained.every((e) => e.status === 'succeeded')).toBe(true)
    // Each link was caused by the previous one, back to the root.
    expect(chained.map((e) => e.causedBy)).toEqual([rootId, ...chained.slice(0, -1).map((e) => e.id)])
    expect((await execution(rootId!)).triggerId).toBe(start.id)
    expect(hits.filter((h) => h.path === '/loop')).toHaveLength(11)
    expect(audit).toMatchObject({
      actor: 'system',
      details: {
        eventType: 'execution.succeeded',
        eventId: `execution.succeeded:${chained[9]!.id}`,
        causedBy: chained[9]!.id,
        workflowId: loop,
        loops: 11,
        chainDepth: 11,
        rootExecutionId: rootId,
      },
    })
    expect((audit.details.chain as { executionId: string }[]).map((l) => l.executionId)).toEqual([
      rootId,
      ...chained.map((e) => e.id),
    ])
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    expect(metrics).toMatch(/punctual_worker_event_chains_stopped_total 1\b/)
    expect(metrics).toMatch(
      /punctual_worker_system_events_total\{type="execution.succeeded",outcome="started"\} [1-9]/,
    )
  }, 90_000)

  it("tenant isolation: another tenant's triggers never fire on these events, and the reverse", async () => {
    const mine = await noop()
    const theirs = await workflow([{ name: 'noop', type: 'delay', ms: 0 }], 'globex')
    const theirTarget = await workflow([{ name: 'noop', type: 'delay', ms: 0 }], 'globex')
    await trigger(mine, 'iso.start')
    await trigger(theirs, 'iso.start', {}, 'globex')
    // Each tenant has a trigger that would match the OTHER tenant's events (by workflow id) and everything.
    const spyMine = await trigger(await noop(), 'execution.*', { filter: { workflowId: [theirs] } })
    const spyTheirs = await trigger(theirTarget, '*', { filter: { workflowId: [mine] } }, 'globex')

    const [myRun] = await emit('iso.start')
    const [theirRun] = await emit('iso.start', {}, 'globex')
    await waitFor(
      'both runs to finish',
      async () => {
        const [a, b] = await Promise.all([execution(myRun!), execution(theirRun!, 'globex')])
        return finished(a) && finished(b)
      },
      { timeoutMs: 20_000 },
    )
    await outboxDrained()
    await sleep(300)
    expect(await executionsOf(spyMine.id)).toEqual([])
    expect(await executionsOf(spyTheirs.id, 'globex')).toEqual([])
    // And one tenant's executions are not visible to the other.
    expect((await call('GET', `/api/executions/${theirRun}`)).status).toBe(404)
  }, 60_000)

  it('costs nothing for a tenant without event triggers: no outbox row is written for its ends', async () => {
    const tenant = 'quiet'
    const ok = await workflow([{ name: 'noop', type: 'delay', ms: 0 }], tenant)
    const failing = await workflow(
      [{ name: 'x', type: 'http', method: 'GET', url: `${targetUrl}/fail` }],
      tenant,
    )
    await outboxDrained()
    const [before] = await fleet.database.sql<{ n: string }[]>`
      select coalesce((select last_value from event_outbox_id_seq where is_called), 0)::text as n`
    const ids: string[] = []
    for (const wf of [ok, failing]) {
      const s = await call<{ id: string }>(
        'POST',
        '/api/schedules',
        {
          workflowId: wf,
          name: `q-${randomUUID()}`,
          cronExpression: '0 0 1 1 *',
          retryPolicy: { maxAttempts: 1 },
        },
        tenant,
      )
      const run = await call<{ executionId: string }>(
        'POST',
        `/api/schedules/${s.body.id}/trigger`,
        {},
        tenant,
      )
      expect(run.status).toBe(202)
      ids.push(run.body.executionId)
    }
    await waitFor(
      'both runs to end',
      async () => {
        const runs = await Promise.all(ids.map((id) => execution(id, tenant)))
        return runs.map((r) => r.status).join() === 'succeeded,dead'
      },
      { timeoutMs: 20_000 },
    )
    await sleep(300)
    const [after] = await fleet.database.sql<{ n: string }[]>`
      select coalesce((select last_value from event_outbox_id_seq where is_called), 0)::text as n`
    // The sequence moves with every outbox insert (even one rolled back): none happened.
    expect(after!.n).toBe(before!.n)
    const receipts = await fleet.database.sql`select 1 from event_receipts where tenant = ${tenant}`
    expect(receipts).toHaveLength(0)
  }, 60_000)
})
