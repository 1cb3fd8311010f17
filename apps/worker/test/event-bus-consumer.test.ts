import { randomUUID } from 'node:crypto'
import { TriggerMatcher } from '@punctual/core'
import { sleep, waitFor } from '@punctual/core/testing'
import {
  createDb,
  type DbHandle,
  type EventSubjects,
  type EventTriggerRow,
  type ExecutionRow,
  eventOutbox,
  executions,
  triggers,
  workflows,
} from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import {
  createKeys,
  createRedis,
  publishSystemEvents,
  type QueueKeys,
  type StreamedSystemEvent,
} from '@punctual/queue'
import { createTestRedis, deleteMatching, startTcpProxy, type TestRedis } from '@punctual/queue/testing'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDITED_CHAIN_LINKS, createEventBus, type EventBus, planEventStarts } from '../src/bus/index.ts'
import { silentLogger } from '../src/runner/testing.ts'
import { collect, nextEvent } from './helpers.ts'

let db: TestDatabase
let r: TestRedis
const patterns: string[] = []
const buses: EventBus[] = []
let n = 0

beforeAll(async () => {
  ;[db, r] = await Promise.all([createTestDatabase(), createTestRedis()])
})
afterAll(async () => {
  await Promise.all(buses.map((b) => b.stop()))
  for (const p of patterns) await deleteMatching(r.redis, p)
  await Promise.all([db?.close(), r?.cleanup()])
})

function fresh(): QueueKeys {
  const keys = createKeys(`${r.prefix}.${++n}`)
  patterns.push(keys.scanPattern)
  return keys
}

function bus(keys: QueueKeys, database: DbHandle = db, redeliverMs = 30_000) {
  const b = createEventBus({
    db: database,
    redis: r.redis,
    keys,
    workerId: `w-${n}-${randomUUID().slice(0, 4)}`,
    logger: silentLogger(),
    config: { redeliverMs, triggerCacheTtlMs: 0, blockMs: 200, dbTimeoutMs: 1000 },
  })
  buses.push(b)
  return b
}

async function workflow(tenant = 'acme') {
  const [row] = await db.db
    .insert(workflows)
    .values({
      id: randomUUID(),
      tenant,
      name: `wf-${randomUUID()}`,
      steps: [{ name: 'd', type: 'delay', ms: 0 }],
    })
    .returning()
  return row!.id
}

async function trigger(workflowId: string, eventType = 'execution.succeeded', tenant = 'acme') {
  const [row] = await db.db
    .insert(triggers)
    .values({ id: randomUUID(), tenant, workflowId, name: `tr-${randomUUID()}`, type: 'event', eventType })
    .returning()
  return row!
}

/** A succeeded execution and its outbox row, as the runner's end statement writes them. */
async function endedWithEvent(tenant = 'acme') {
  const workflowId = await workflow(tenant)
  const [e] = await db.db
    .insert(executions)
    .values({
      id: randomUUID(),
      tenant,
      kind: 'manual',
      workflowId,
      scheduledFor: new Date(),
      status: 'succeeded',
      attempt: 1,
      finishedAt: new Date(),
    })
    .returning()
  const [o] = await db.db
    .insert(eventOutbox)
    .values({ tenant, type: 'execution.succeeded', subjectId: e!.id })
    .returning()
  return {
    execution: e!,
    event: { outboxId: String(o!.id), tenant, type: 'execution.succeeded' as const, subjectId: e!.id },
  }
}

const startedBy = (triggerId: string) =>
  db.sql<{ id: string }[]>`select id from executions where trigger_id = ${triggerId}`

describe('planEventStarts', () => {
  const row = (id: string, tenant: string, extra: Partial<ExecutionRow> = {}): ExecutionRow => ({
    id,
    tenant,
    kind: 'manual',
    scheduleId: null,
    triggerId: null,
    workflowId: 'wf-a',
    scheduledFor: new Date(0),
    dueAt: null,
    enqueuedAt: null,
    startedAt: null,
    finishedAt: new Date(0),
    status: 'succeeded',
    attempt: 1,
    priority: 5,
    workerId: 'w',
    error: null,
    retryOf: null,
    input: {},
    steps: [],
    retryPolicy: null,
    availableAt: null,
    held: false,
    overlapCheck: false,
    cancelRequestedAt: null,
    causedByExecutionId: null,
    chainDepth: 0,
    workflowVersion: null,
    redrivenAt: null,
    createdAt: new Date(0),
    ...extra,
  })
  const streamed = (outboxId: string, subjectId: string, tenant = 'acme'): StreamedSystemEvent => ({
    streamId: `${outboxId}-0`,
    outboxId,
    tenant,
    type: 'execution.succeeded',
    subjectId,
  })
  const onA: EventTriggerRow = {
    id: 'tr-1',
    workflowId: 'wf-a',
    eventType: 'execution.succeeded',
    filter: null,
    retryPolicy: null,
    priority: 7,
    version: 1,
  }
  let ids = 0
  const newId = () => `new-${++ids}`

  it('handles each outbox row once per batch; rows gone or subjects gone start nothing', () => {
    const subjects: EventSubjects = {
      pending: new Set(['1', '3', '4']),
      executions: new Map([
        ['e1', row('e1', 'acme')],
        ['e4', row('e4', 'other')],
      ]),
      schedules: new Map(),
      chains: new Map(),
    }
    const plan = planEventStarts({
      events: [
        streamed('1', 'e1'),
        streamed('1', 'e1'),
        streamed('2', 'e2'),
        streamed('3', 'e3'),
        streamed('4', 'e4'),
      ],
      subjects,
      matchers: new Map([['acme', new TriggerMatcher([onA])]]),
      newId,
    })
    // 1 twice (a repeat in the batch), 2 gone from the outbox: nothing to do but acknowledge.
    expect(plan.alreadyHandled.map((e) => e.outboxId)).toEqual(['1', '2'])
    expect(plan.outboxIds).toEqual(['1', '3', '4'])
    // 3: the execution row is gone; 4: the row belongs to another tenant than the event says.
    expect(plan.plans.map((p) => [p.event.outboxId, p.outcome])).toEqual([
      ['1', 'commit'],
      ['3', 'subject-gone'],
      ['4', 'subject-gone'],
    ])
    expect(plan.requests).toHaveLength(1)
    expect(plan.requests[0]).toMatchObject({
      tenant: 'acme',
      receipt: { kind: 'event', eventId: 'execution.succeeded:e1', type: 'execution.succeeded' },
      starts: [{ triggerId: 'tr-1', workflowId: 'wf-a', priority: 7, causedBy: 'e1', chainDepth: 1 }],
    })
    expect(plan.requests[0]!.starts[0]!.input).toMatchObject({
      id: 'e1',
      status: 'succeeded',
      causedBy: null,
    })
  })

  it('a chain past the loop limit starts nothing and is audited with its most recent links', () => {
    const links = Array.from({ length: 60 }, (_, i) => ({
      executionId: `c${i}`,
      workflowId: 'wf-a',
      triggerId: i === 0 ? null : 'tr-1',
    }))
    const cause = row('c59', 'acme', { triggerId: 'tr-1', causedByExecutionId: 'c58', chainDepth: 59 })
    const plan = planEventStarts({
      events: [streamed('9', 'c59')],
      subjects: {
        pending: new Set(['9']),
        executions: new Map([['c59', cause]]),
        schedules: new Map(),
        chains: new Map([['c59', links]]),
      },
      matchers: new Map([['acme', new TriggerMatcher([onA])]]),
      newId,
    })
    expect(plan.requests[0]!.starts).toEqual([])
    const [audit] = plan.audits.get(0)!
    expect(audit).toMatchObject({
      tenant: 'acme',
      actor: 'system',
      action: 'chain.stopped',
      targetType: 'trigger',
      targetId: 'tr-1',
      details: { causedBy: 'c59', chainDepth: 60, rootExecutionId: 'c0', chainTruncated: 10 },
    })
    expect((audit!.details!.chain as unknown[]).length).toBe(AUDITED_CHAIN_LINKS)
    expect(plan.plans[0]!.stopped.map((s) => s.triggerId)).toEqual(['tr-1'])
  })
})

describe('the event bus in one process', () => {
  it('handles a published event, drops malformed entries, and relays an outbox row nobody published', async () => {
    const keys = fresh()
    const target = await workflow()
    const t = await trigger(target)
    const b = bus(keys, db, 200)
    const handled = collect(b.events, 'event.handled')
    b.start()
    // Garbage in the stream (not ours) is acknowledged and dropped; the valid entry after it is handled.
    await r.redis.xadd(keys.events, '*', 'junk', 'x')
    const first = await endedWithEvent()
    await publishSystemEvents(r.redis, keys, [first.event])
    await waitFor('the first event', () => handled.items.some((h) => h.subjectId === first.execution.id))
    expect(handled.items.find((h) => h.subjectId === first.execution.id)).toMatchObject({
      outcome: 'started',
      eventId: `execution.succeeded:${first.execution.id}`,
      executionIds: [expect.any(String)],
    })
    // Never published (its writer died): the relay publishes it after 2 × redeliverMs.
    const second = await endedWithEvent()
    await waitFor('the relayed event', () => handled.items.some((h) => h.subjectId === second.execution.id), {
      timeoutMs: 5000,
    })
    expect(await startedBy(t.id)).toHaveLength(2)
    await waitFor('an empty stream', async () => (await r.redis.xlen(keys.events)) === 0)
    expect(
      await db.sql`select 1 from event_outbox where subject_id in (${first.execution.id}, ${second.execution.id})`,
    ).toEqual([])
    await b.stop()
  })

  it('stopping cuts a blocked read instead of waiting for it to return', async () => {
    // Its own reader, named, to see it blocked in XREADGROUP; a block far longer than the test.
    const name = `bus-reader-${randomUUID()}`
    const reader = createRedis(r.url, { name })
    const blockMs = 120_000
    const b = createEventBus({
      db,
      redis: r.redis,
      reader,
      keys: fresh(),
      workerId: `w-${++n}`,
      logger: silentLogger(),
      config: { redeliverMs: 30_000, triggerCacheTtlMs: 0, blockMs },
    })
    b.start()
    await waitFor('the reader to block in XREADGROUP', async () => {
      const clients = String(await r.redis.client('LIST')).split('\n')
      return clients.some((c) => c.includes(`name=${name} `) && c.includes('cmd=xreadgroup'))
    })
    const first = await Promise.race([
      b.stop().then(() => 'stop returned'),
      sleep(blockMs).then(() => 'the read returned by itself'),
    ])
    expect(first).toBe('stop returned')
  }, 30_000)

  it('an event whose subject is gone is acknowledged and its outbox row deleted', async () => {
    const keys = fresh()
    const b = bus(keys)
    const tenant = `gone-${randomUUID()}`
    await trigger(await workflow(tenant), 'execution.succeeded', tenant)
    const [o] = await db.db
      .insert(eventOutbox)
      .values({ tenant, type: 'execution.succeeded', subjectId: randomUUID() })
      .returning()
    const handled = nextEvent(b.events, 'event.handled', (h) => h.tenant === tenant)
    b.start()
    await publishSystemEvents(r.redis, keys, [
      { outboxId: String(o!.id), tenant, type: 'execution.succeeded', subjectId: o!.subjectId },
    ])
    const [h] = await handled
    expect(h).toMatchObject({ outcome: 'subject-gone', executionIds: [] })
    expect(await db.sql`select 1 from event_outbox where id = ${o!.id}`).toEqual([])
  })

  it('Postgres away: the batch waits (nothing acknowledged) and is handled once it is back', async () => {
    const keys = fresh()
    const pg = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
    const viaProxy = createDb(pg.url(db.url), { max: 2, connectTimeoutSeconds: 1 })
    try {
      const target = await workflow()
      const t = await trigger(target)
      const { event } = await endedWithEvent()
      const b = bus(keys, viaProxy)
      b.start()
      pg.cut()
      const backoff = nextEvent(b.events, 'bus.backoff', (e) => e.phase === 'handle', 10_000)
      await publishSystemEvents(r.redis, keys, [event])
      await backoff
      expect(await startedBy(t.id)).toEqual([])
      expect(await r.redis.xlen(keys.events)).toBe(1)
      const handled = nextEvent(b.events, 'event.handled', (h) => h.subjectId === event.subjectId, 15_000)
      pg.restore()
      expect((await handled)[0].outcome).toBe('started')
      expect(await startedBy(t.id)).toHaveLength(1)
      await b.stop()
    } finally {
      await viaProxy.close(1)
      await pg.close()
    }
  })

  it("a tenant's trigger index is read per batch, and another tenant's events never reach it", async () => {
    const keys = fresh()
    const b = bus(keys)
    const handled = collect(b.events, 'event.handled')
    b.start()
    const mine = await trigger(await workflow())
    const other = `other-${randomUUID()}`
    await trigger(await workflow(other), 'execution.*', other)
    const theirs = await endedWithEvent(other)
    await publishSystemEvents(r.redis, keys, [theirs.event])
    await waitFor('their event', () => handled.items.some((h) => h.tenant === other))
    await sleep(100)
    expect(await startedBy(mine.id)).toEqual([])
    await b.stop()
  })
})

describe('the event bus: an event too costly to match', () => {
  it('starts nothing, is acknowledged (its outbox row deleted), counted too-costly and logged once', async () => {
    const keys = fresh()
    const tenant = `costly-${randomUUID()}`
    const workflowId = await workflow(tenant)
    // 50 anchor values × 16 two-key sub-patterns each (TENANT_MAX_SUBPATTERNS_PER_ANCHOR), on the input.
    const rows = Array.from({ length: 800 }, (_, i) => ({
      id: randomUUID(),
      tenant,
      workflowId,
      name: `tr-${i}`,
      type: 'event' as const,
      eventType: 'execution.succeeded',
      filter: { input: { x: { a: [i % 50], b: [{ numeric: ['>', 1e9 + i] }] } } },
    }))
    await db.db.insert(triggers).values(rows)
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) })
    const b = createEventBus({
      db,
      redis: r.redis,
      keys,
      workerId: `w-costly-${randomUUID().slice(0, 4)}`,
      logger,
      config: { triggerCacheTtlMs: 0, blockMs: 200, dbTimeoutMs: 1000 },
    })
    buses.push(b)
    const values = Array.from({ length: 50 }, (_, i) => i)
    const [e] = await db.db
      .insert(executions)
      .values({
        id: randomUUID(),
        tenant,
        kind: 'manual',
        workflowId,
        scheduledFor: new Date(),
        status: 'succeeded',
        attempt: 1,
        finishedAt: new Date(),
        // Every element lists every anchor value: each one tries all 800 sub-patterns.
        input: { x: Array.from({ length: 3_000 }, () => ({ a: values, b: 1 })) },
      })
      .returning()
    const [o] = await db.db
      .insert(eventOutbox)
      .values({ tenant, type: 'execution.succeeded', subjectId: e!.id })
      .returning()
    const handled = collect(b.events, 'event.handled')
    b.start()
    await publishSystemEvents(r.redis, keys, [
      { outboxId: String(o!.id), tenant, type: 'execution.succeeded', subjectId: e!.id },
    ])
    await waitFor('the costly event', () => handled.items.some((h) => h.subjectId === e!.id), {
      timeoutMs: 10_000,
    })
    expect(handled.items.find((h) => h.subjectId === e!.id)).toMatchObject({
      outcome: 'too-costly',
      eventId: `execution.succeeded:${e!.id}`,
      executionIds: [],
    })
    expect(await db.sql`select 1 from event_outbox where id = ${o!.id}`).toEqual([])
    await waitFor('an empty stream', async () => (await r.redis.xlen(keys.events)) === 0)
    expect(await db.sql`select 1 from executions where tenant = ${tenant} and kind = 'event'`).toEqual([])
    // Not delivered again: one warning naming the event, even after a redelivery period.
    await sleep(500)
    const warnings = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.eventId === `execution.succeeded:${e!.id}`)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ level: 40, subjectId: e!.id })
    expect(handled.items.filter((h) => h.subjectId === e!.id)).toHaveLength(1)
  })
})
