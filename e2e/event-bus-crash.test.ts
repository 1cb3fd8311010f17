import { randomUUID } from 'node:crypto'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sleep, waitFor } from '@punctual/core/testing'
import { EVENT_GROUP, publishSystemEvents, type SystemEventRef } from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFleet, type Fleet } from './fleet.ts'

/**
 * Crashes around the system event bus, with real worker processes killed with SIGKILL:
 * - the worker that ends an execution dies after the COMMIT (outbox row written) and before its Redis publish;
 * - a consumer dies with an event read but not handled;
 * - an event is delivered again after it was handled.
 * Each time the event's trigger starts its workflow exactly once.
 */

let fleet: Fleet
let target: Server
let targetUrl = ''
const held: ServerResponse[] = []
const workers: WorkerProcess[] = []
const proxies: TcpProxy[] = []

beforeAll(async () => {
  fleet = await createFleet()
  // /hold answers only when the test releases it: an execution stays running meanwhile.
  target = createServer((req, res) => {
    if (req.url?.startsWith('/hold')) held.push(res)
    else res.writeHead(200).end('{}')
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`
}, 60_000)
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  for (const res of held.splice(0)) res.end()
  await Promise.all(proxies.map((p) => p.close()))
  await new Promise((r) => target?.close(r))
  await fleet?.close()
})

function start(env: Record<string, string>) {
  const w = startWorkerProcess({ ...fleet.env, TRIGGER_CACHE_TTL_MS: '0', ...env })
  workers.push(w)
  return w
}

async function proxy(port: number) {
  const p = await startTcpProxy({ host: '127.0.0.1', port })
  proxies.push(p)
  return p
}

async function call<T>(method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await fleet.api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${fleet.token}` },
    ...(payload && { payload }),
  })
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T }
}

async function workflow(steps: object[]) {
  const res = await call<{ id: string }>('POST', '/api/workflows', { name: `wf-${randomUUID()}`, steps })
  expect(res.status).toBe(201)
  return res.body.id
}

async function trigger(workflowId: string, eventType: string, filter: Record<string, unknown> | null = null) {
  const res = await call<{ id: string }>('POST', '/api/triggers', {
    workflowId,
    name: `tr-${randomUUID()}`,
    type: 'event',
    eventType,
    filter,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

const startedBy = async (triggerId: string) =>
  fleet.database.sql<{ id: string; status: string; caused_by_execution_id: string | null }[]>`
    select id, status, caused_by_execution_id from executions where trigger_id = ${triggerId}`

const outbox = () =>
  fleet.database.sql<{ id: string; tenant: string; type: string; subject_id: string }[]>`
    select id::text as id, tenant, type, subject_id from event_outbox order by id`

const streamLength = () => fleet.redis.redis.xlen(fleet.redis.keys.events)

/**
 * Workflow A (held at the target) started by an event, and B started by A's success. A runs on a worker whose
 * Redis is cut before A ends: its end and outbox row commit, the publish never happens, then the worker is
 * killed. Returns with A succeeded and its event only in the outbox.
 */
async function endWithoutPublish() {
  const a = await workflow([{ name: 'hold', type: 'http', method: 'GET', url: `${targetUrl}/hold` }])
  const b = await workflow([{ name: 'noop', type: 'delay', ms: 0 }])
  const startType = `crash.${randomUUID().slice(0, 8)}`
  await trigger(a, startType)
  const onA = await trigger(b, 'execution.succeeded', { workflowId: [a] })

  const redisProxy = await proxy(6379)
  const writer = start({
    REDIS_URL: redisProxy.url(fleet.env.REDIS_URL),
    WORKER_ID: `writer-${randomUUID()}`,
  })
  await writer.waitForLog('ready')
  const res = await call<{ executions: string[] }>('POST', '/api/events', { type: startType, data: {} })
  expect(res.status).toBe(202)
  const aRun = res.body.executions[0]!
  await waitFor('A to reach the target', async () => held.length > 0, { timeoutMs: 20_000 })
  redisProxy.cut()
  for (const r of held.splice(0)) r.writeHead(200).end('{}')
  const row = await waitFor(
    'A to succeed with its event in the outbox',
    async () => {
      const [e] = await fleet.database.sql`select status from executions where id = ${aRun}`
      const pending = (await outbox()).find((o) => o.subject_id === aRun)
      return e?.status === 'succeeded' ? pending : undefined
    },
    { timeoutMs: 20_000 },
  )
  await writer.stop('SIGKILL')
  expect(row).toMatchObject({ type: 'execution.succeeded', tenant: 'acme' })
  expect(await streamLength()).toBe(0)
  return { aRun, onA, outboxRow: row }
}

describe('system events survive crashes', () => {
  it('the writer dies between its COMMIT and its publish: the outbox relay publishes the event, B starts once', async () => {
    const { aRun, onA } = await endWithoutPublish()
    const rescuer = start({ WORKER_EVENT_REDELIVER_MS: '500' })
    await rescuer.waitForLog('ready')
    const [b] = await waitFor(
      'B to start',
      async () => {
        const rows = await startedBy(onA.id)
        return rows.length > 0 ? rows : undefined
      },
      { timeoutMs: 20_000 },
    )
    expect(b).toMatchObject({ caused_by_execution_id: aRun })
    await waitFor(
      'the outbox and the stream to drain',
      async () => (await outbox()).length === 0 && (await streamLength()) === 0,
      { timeoutMs: 20_000 },
    )
    expect(rescuer.logs.some((l) => l.msg === 'system events published again from the outbox')).toBe(true)
    await sleep(1500) // several relay passes later
    expect(await startedBy(onA.id)).toHaveLength(1)
    await rescuer.stop()
  }, 60_000)

  it('a consumer dies with the event read and unhandled: another takes it over, and redeliveries start nothing twice', async () => {
    const { aRun, onA, outboxRow } = await endWithoutPublish()
    // The victim reaches Postgres through a proxy the test cuts: it can read events, never handle them.
    const pgProxy = await proxy(5432)
    const victim = start({
      DATABASE_URL: fleet.env.DATABASE_URL!.replace(':5432/', `:${pgProxy.port}/`),
      WORKER_ID: 'victim',
      // Its own relay would not publish within this test: the event reaches it through the stream only.
      WORKER_EVENT_REDELIVER_MS: '600000',
    })
    await victim.waitForLog('ready')
    pgProxy.cut()
    // The event is published, as another worker's relay would: the victim is the only consumer.
    const event: SystemEventRef = {
      outboxId: outboxRow.id,
      tenant: 'acme',
      type: 'execution.succeeded',
      subjectId: aRun,
    }
    await publishSystemEvents(fleet.redis.redis, fleet.redis.keys, [event])
    await waitFor('the victim to hold the event, unable to handle it', async () => {
      const [count, , , consumers] = (await fleet.redis.redis.xpending(
        fleet.redis.keys.events,
        EVENT_GROUP,
      )) as [number, string, string, [string, string][] | null]
      return count === 1 && consumers?.[0]?.[0] === 'victim'
    })
    await victim.stop('SIGKILL')
    expect(await startedBy(onA.id)).toEqual([])

    const rescuer = start({ WORKER_EVENT_REDELIVER_MS: '1000', WORKER_ID: 'rescuer' })
    await rescuer.waitForLog('ready')
    await waitFor('B to start', async () => (await startedBy(onA.id)).length === 1, { timeoutMs: 20_000 })
    // Taken over from the dead consumer's pending list (XAUTOCLAIM after WORKER_EVENT_REDELIVER_MS).
    expect(rescuer.logs.some((l) => l.msg === 'took over system events left pending by a consumer')).toBe(
      true,
    )
    await waitFor(
      'the outbox and the stream to drain',
      async () => (await outbox()).length === 0 && (await streamLength()) === 0,
      { timeoutMs: 20_000 },
    )

    // Delivered again after it was handled (a consumer that died between its COMMIT and its ack leaves it
    // pending): only acknowledged.
    await publishSystemEvents(fleet.redis.redis, fleet.redis.keys, [event])
    // The same end in the outbox again: its receipt (execution.succeeded:<A>) refuses a second start.
    const [again] = await fleet.database.sql<{ id: string }[]>`
      insert into event_outbox (tenant, type, subject_id) values ('acme', 'execution.succeeded', ${aRun})
      returning id::text as id`
    await publishSystemEvents(fleet.redis.redis, fleet.redis.keys, [{ ...event, outboxId: again!.id }])
    await waitFor(
      'both deliveries to be handled',
      async () => (await outbox()).length === 0 && (await streamLength()) === 0,
      { timeoutMs: 20_000 },
    )
    await sleep(500)
    const runs = await startedBy(onA.id)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ caused_by_execution_id: aRun })
    const receipts = await fleet.database.sql<{ execution_ids: string[] }[]>`
      select execution_ids from event_receipts where tenant = 'acme' and event_id = ${`execution.succeeded:${aRun}`}`
    expect(receipts).toEqual([{ execution_ids: [runs[0]!.id] }])
    await rescuer.stop()
  }, 90_000)
})
