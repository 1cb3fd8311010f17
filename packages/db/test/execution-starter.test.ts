import { randomUUID as uuid } from 'node:crypto'
import { sleep } from '@punctual/core/testing'
import { sql as dsql, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../src/client.ts'
import { isUnavailableError } from '../src/errors.ts'
import { createExecutionStarter } from '../src/execution-starter.ts'
import { createIngestRepo } from '../src/repos/ingest.ts'
import { eventReceipts, executions, triggers, webhookDeliveries, workflows } from '../src/schema/index.ts'
import {
  type CreatedExecution,
  type ExecutionStart,
  insertGeneralStartBatch,
  insertStartBatch,
  isWebhookBatch,
  RECEIPT_TTL_MS,
  type StartRequest,
} from '../src/statements/trigger-start-batch.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

async function trigger(tenant: string, extra: Partial<typeof triggers.$inferInsert> = {}) {
  const [wf] = await t.db
    .insert(workflows)
    .values({ id: uuid(), tenant, name: `wf-${uuid()}`, steps: [{ name: 'wait', type: 'delay', ms: 1 }] })
    .returning()
  const [row] = await t.db
    .insert(triggers)
    .values({
      id: uuid(),
      tenant,
      workflowId: wf!.id,
      name: `tr-${uuid()}`,
      type: 'webhook',
      scheme: 'standard',
      priority: 7,
      retryPolicy: {
        maxAttempts: 2,
        initialDelayMs: 10,
        backoffMultiplier: 2,
        maxDelayMs: 100,
        jitter: 'none',
      },
      ...extra,
    })
    .returning()
  return row!
}

type TriggerRow = Awaited<ReturnType<typeof trigger>>

const start = (tr: TriggerRow, input: Record<string, unknown> = {}): ExecutionStart => ({
  id: uuid(),
  kind: tr.type,
  triggerId: tr.id,
  workflowId: tr.workflowId,
  input,
  priority: tr.priority,
  retryPolicy: tr.retryPolicy as Record<string, unknown> | null,
})

const delivery = (tr: TriggerRow, deliveryId: string, input: Record<string, unknown> = {}): StartRequest => ({
  tenant: tr.tenant,
  receipt: { kind: 'webhook', triggerId: tr.id, deliveryId },
  starts: [start(tr, input)],
})

const executionsOf = (triggerId: string) =>
  t.db.select().from(executions).where(eq(executions.triggerId, triggerId))

// Webhook deliveries: through insertStartBatch they take the webhook statement; the general statement takes
// them too (a batch mixing them with events), with the same outcomes.
describe.each([
  ['webhook statement (insertStartBatch)', insertStartBatch],
  ['general statement', insertGeneralStartBatch],
])('webhook deliveries, %s', (_name, insertStartBatch) => {
  it('creates queued executions with the trigger fields and remembers the delivery with its execution', async () => {
    const tr = await trigger('t1')
    const at = new Date('2026-03-08T07:00:00.000Z')
    const req = delivery(tr, 'msg_1', { order: { id: 42 } })
    const [outcome] = await insertStartBatch(t.sql, [req], at)
    expect(outcome).toEqual({ outcome: 'started', executionIds: [req.starts[0]!.id] })
    const [row] = await executionsOf(tr.id)
    expect(row).toMatchObject({
      id: req.starts[0]!.id,
      tenant: 't1',
      kind: 'webhook',
      scheduleId: null,
      triggerId: tr.id,
      workflowId: tr.workflowId,
      status: 'queued',
      attempt: 0,
      priority: 7,
      input: { order: { id: 42 } },
      retryPolicy: tr.retryPolicy,
      scheduledFor: at,
      enqueuedAt: at,
      availableAt: at,
    })
    const [receipt] = await t.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.triggerId, tr.id))
    expect(receipt).toMatchObject({ tenant: 't1', deliveryId: 'msg_1', executionId: row!.id, receivedAt: at })
  })

  it('starts nothing for a delivery id seen within 24 h and answers the earlier execution', async () => {
    const tr = await trigger('t1')
    const at = new Date()
    const first = delivery(tr, 'msg_dup')
    await insertStartBatch(t.sql, [first], at)
    const again = await insertStartBatch(t.sql, [delivery(tr, 'msg_dup')], new Date(at.getTime() + 60_000))
    expect(again).toEqual([{ outcome: 'duplicate', executionIds: [first.starts[0]!.id] }])
    expect(await executionsOf(tr.id)).toHaveLength(1)
    // The same id on another trigger is another delivery.
    const other = await trigger('t1')
    expect((await insertStartBatch(t.sql, [delivery(other, 'msg_dup')], at))[0]!.outcome).toBe('started')
  })

  it('treats a receipt older than 24 h as new: it starts again and the receipt is renewed', async () => {
    const tr = await trigger('t1')
    const at = new Date()
    await insertStartBatch(t.sql, [delivery(tr, 'msg_old')], at)
    const later = new Date(at.getTime() + RECEIPT_TTL_MS + 1)
    const second = delivery(tr, 'msg_old')
    expect(await insertStartBatch(t.sql, [second], later)).toEqual([
      { outcome: 'started', executionIds: [second.starts[0]!.id] },
    ])
    const [receipt] = await t.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.triggerId, tr.id))
    expect(receipt).toMatchObject({ executionId: second.starts[0]!.id, receivedAt: later })
    // Just inside the window it still deduplicates.
    const third = await insertStartBatch(t.sql, [delivery(tr, 'msg_old')], new Date(later.getTime() + 1000))
    expect(third[0]!.outcome).toBe('duplicate')
    expect(await executionsOf(tr.id)).toHaveLength(2)
  })

  it('starts one execution for the same delivery twice in one batch', async () => {
    const tr = await trigger('t1')
    const a = delivery(tr, 'msg_twice')
    const b = delivery(tr, 'msg_twice')
    const out = await insertStartBatch(t.sql, [a, b, delivery(tr, 'msg_other')], new Date())
    expect(out[0]).toEqual({ outcome: 'started', executionIds: [a.starts[0]!.id] })
    expect(out[1]).toEqual({ outcome: 'duplicate', executionIds: [a.starts[0]!.id] })
    expect(out[2]!.outcome).toBe('started')
    expect(await executionsOf(tr.id)).toHaveLength(2)
  })

  it('answers gone, leaving no receipt, for a delivery to a disabled or deleted trigger', async () => {
    const tr = await trigger('t1', { enabled: false })
    expect(await insertStartBatch(t.sql, [delivery(tr, 'msg_off')], new Date())).toEqual([
      { outcome: 'gone' },
    ])
    expect(await executionsOf(tr.id)).toHaveLength(0)
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.triggerId, tr.id))).toEqual(
      [],
    )
    // A trigger of another tenant is no trigger at all.
    const foreign = await trigger('t2')
    const out = await insertStartBatch(t.sql, [{ ...delivery(foreign, 'msg_x'), tenant: 't1' }], new Date())
    expect(out).toEqual([{ outcome: 'gone' }])
  })

  it('remembers a delivery that starts nothing (filtered out) so that a repeat is a duplicate', async () => {
    const tr = await trigger('t1')
    const req: StartRequest = { ...delivery(tr, 'msg_filtered'), starts: [] }
    expect(await insertStartBatch(t.sql, [req], new Date())).toEqual([
      { outcome: 'started', executionIds: [] },
    ])
    expect(await insertStartBatch(t.sql, [req], new Date())).toEqual([
      { outcome: 'duplicate', executionIds: [] },
    ])
    expect(await executionsOf(tr.id)).toHaveLength(0)
  })
})

describe('insertStartBatch', () => {
  it('takes the webhook statement only for plain webhook deliveries', async () => {
    const tr = await trigger('t1')
    const ev = await trigger('t1', { type: 'event', scheme: null, eventType: 'a' })
    expect(isWebhookBatch([delivery(tr, 'a'), { ...delivery(tr, 'b'), starts: [] }])).toBe(true)
    expect(isWebhookBatch([delivery(tr, 'a'), { tenant: 't1', receipt: null, starts: [start(ev)] }])).toBe(
      false,
    )
    // A delivery starting another trigger, or two executions, is not a plain webhook delivery.
    expect(isWebhookBatch([{ ...delivery(tr, 'c'), starts: [start(ev)] }])).toBe(false)
    expect(isWebhookBatch([{ ...delivery(tr, 'd'), starts: [start(tr), start(tr)] }])).toBe(false)
  })

  it('starts every matched trigger of an event under one receipt, and drops triggers disabled meanwhile', async () => {
    const a = await trigger('ev', { type: 'event', scheme: null, eventType: 'order.*' })
    const b = await trigger('ev', { type: 'event', scheme: null, eventType: 'order.created', priority: 2 })
    const off = await trigger('ev', {
      type: 'event',
      scheme: null,
      eventType: 'order.created',
      enabled: false,
    })
    const req: StartRequest = {
      tenant: 'ev',
      receipt: { kind: 'event', eventId: 'evt-1', type: 'order.created' },
      starts: [start(a, { n: 1 }), start(b, { n: 1 }), start(off, { n: 1 })],
    }
    const [outcome] = await insertStartBatch(t.sql, [req], new Date())
    expect(outcome).toEqual({ outcome: 'started', executionIds: [req.starts[0]!.id, req.starts[1]!.id] })
    const [receipt] = await t.db.select().from(eventReceipts).where(eq(eventReceipts.eventId, 'evt-1'))
    expect(receipt).toMatchObject({ tenant: 'ev', type: 'order.created' })
    expect([...receipt!.executionIds].sort()).toEqual([req.starts[0]!.id, req.starts[1]!.id].sort())
    const repeat = await insertStartBatch(t.sql, [{ ...req, starts: [start(a), start(b)] }], new Date())
    expect(repeat[0]!.outcome).toBe('duplicate')
    expect([...(repeat[0] as { executionIds: string[] }).executionIds].sort()).toEqual(
      [req.starts[0]!.id, req.starts[1]!.id].sort(),
    )
    expect(await executionsOf(b.id)).toMatchObject([{ kind: 'event', priority: 2, input: { n: 1 } }])
    // Event ids are per tenant; a request without a receipt always starts.
    const other = await trigger('ev2', { type: 'event', scheme: null, eventType: 'order.created' })
    const foreign = await insertStartBatch(
      t.sql,
      [
        { tenant: 'ev2', receipt: { kind: 'event', eventId: 'evt-1', type: 'x' }, starts: [start(other)] },
        { tenant: 'ev2', receipt: null, starts: [start(other)] },
        { tenant: 'ev2', receipt: null, starts: [start(other)] },
      ],
      new Date(),
    )
    expect(foreign.map((o) => o.outcome)).toEqual(['started', 'started', 'started'])
  })

  it('never starts a trigger of another tenant, whatever the request says', async () => {
    const foreign = await trigger('t2', { type: 'event', scheme: null, eventType: 'a' })
    const req: StartRequest = { tenant: 't1', receipt: null, starts: [start(foreign)] }
    expect(await insertStartBatch(t.sql, [req], new Date())).toEqual([
      { outcome: 'started', executionIds: [] },
    ])
    expect(await executionsOf(foreign.id)).toHaveLength(0)
  })
})

describe('createExecutionStarter', () => {
  it('group-commits concurrent requests and enqueues what each batch created after its commit', async () => {
    const tr = await trigger('t1')
    const batches: CreatedExecution[][] = []
    let committedWhenEnqueued = true
    const starter = createExecutionStarter({
      sql: t.sql,
      now: () => new Date(),
      afterCommit: async (items) => {
        const ids = items.map((i) => i.id)
        // Visible from another connection: the batch committed before afterCommit ran.
        const rows = await t.sql`select id from executions where id = any(${ids}::uuid[])`
        if (rows.length !== ids.length) committedWhenEnqueued = false
        batches.push(items)
      },
    })
    const reqs = Array.from({ length: 60 }, (_, i) => delivery(tr, `msg_${i}`, { i }))
    const outcomes = await Promise.all(reqs.map((r) => starter.start(r)))
    expect(outcomes.every((o) => o.outcome === 'started')).toBe(true)
    expect(committedWhenEnqueued).toBe(true)
    // The first request went alone; the others waited for it and went together.
    expect(batches.length).toBeLessThan(reqs.length / 4)
    const items = batches.flat()
    expect(items).toHaveLength(60)
    expect(items[0]).toMatchObject({
      priority: 7,
      attempt: 0,
      tenant: 't1',
      workflowId: tr.workflowId,
      kind: 'webhook',
      scheduleId: null,
    })
    expect(items[0]!.scheduledForMs).toBe(items[0]!.availableAtMs)
    expect(await executionsOf(tr.id)).toHaveLength(60)
  })

  it('writes one statement at a time until a full batch waits, then a second one', async () => {
    const tr = await trigger('t1')
    const sizes = async (maxBatch: number, n: number, prefix: string) => {
      const batches: number[] = []
      const starter = createExecutionStarter({
        sql: t.sql,
        now: () => new Date(),
        maxBatch,
        afterCommit: async (items) => {
          batches.push(items.length)
        },
      })
      const reqs = Array.from({ length: n }, (_, i) => delivery(tr, `${prefix}_${i}`))
      const outcomes = await Promise.all(reqs.map((r) => starter.start(r)))
      expect(outcomes.every((o) => o.outcome === 'started')).toBe(true)
      return batches
    }
    // 60 requests at once, all fitting one batch: the first goes alone, the 59 others wait for it together
    // (two statements in flight would have split them: 1, 1, 58).
    expect(await sizes(200, 60, 'one')).toEqual([1, 59])
    // With batches of 20, a second statement starts as soon as 20 wait (the first is 1 alone), and never more
    // than two are in flight: each later batch starts when one ends and finds 20 waiting. Whatever order they
    // commit in (a first statement may be the slowest: it can open a connection), the batches are 1, 20, 20, 20.
    const batches = await sizes(20, 61, 'two')
    expect([...batches].sort((a, b) => a - b)).toEqual([1, 20, 20, 20])
  })

  it('writes a batch mixing webhook deliveries and events as two statements, answering each request', async () => {
    const tr = await trigger('t1')
    const ev = await trigger('t1', { type: 'event', scheme: null, eventType: 'mix.*' })
    const batches: CreatedExecution[][] = []
    const starter = createExecutionStarter({
      sql: t.sql,
      now: () => new Date(),
      afterCommit: async (items) => {
        batches.push(items)
      },
    })
    const event = (id: string): StartRequest => ({
      tenant: 't1',
      receipt: { kind: 'event', eventId: id, type: 'mix.a' },
      starts: [start(ev)],
    })
    const reqs = [
      delivery(tr, 'mix_0'),
      delivery(tr, 'mix_1'),
      event('mix-ev-1'),
      delivery(tr, 'mix_2'),
      event('mix-ev-2'),
      delivery(tr, 'mix_1'),
    ]
    const outcomes = await Promise.all(reqs.map((r) => starter.start(r)))
    expect(outcomes.map((o) => o.outcome)).toEqual([
      'started',
      'started',
      'started',
      'started',
      'started',
      'duplicate',
    ])
    expect(outcomes[5]).toEqual({ outcome: 'duplicate', executionIds: [reqs[1]!.starts[0]!.id] })
    // The first went alone; the five others were one batch, written as a webhook and an event statement.
    const kinds = batches.map((b) => [...new Set(b.map((i) => i.kind))])
    expect(kinds).toHaveLength(3)
    expect(kinds.every((k) => k.length === 1)).toBe(true)
    expect(await executionsOf(tr.id)).toHaveLength(3)
    expect(await executionsOf(ev.id)).toHaveLength(2)
  })

  it('with answerOnCommit answers after the commit without waiting for afterCommit, within its bound', async () => {
    const tr = await trigger('t1')
    const releases: (() => void)[] = []
    const called: string[][] = []
    const starter = createExecutionStarter({
      sql: t.sql,
      now: () => new Date(),
      answerOnCommit: true,
      maxUnsettled: 1,
      afterCommit: (items) => {
        called.push(items.map((i) => i.id))
        return new Promise<void>((resolve) => releases.push(resolve))
      },
    })
    const first = delivery(tr, 'early_1')
    // Answered while its afterCommit (the enqueue) is still pending; the call itself was made before.
    expect(await starter.start(first)).toEqual({ outcome: 'started', executionIds: [first.starts[0]!.id] })
    expect(called).toEqual([[first.starts[0]!.id]])
    expect(await executionsOf(tr.id)).toHaveLength(1)
    // One afterCommit is pending (the bound): the next request waits for its own afterCommit to settle.
    const second = delivery(tr, 'early_2')
    let answered = false
    const secondAnswer = starter.start(second).then((o) => {
      answered = true
      return o
    })
    for (let i = 0; i < 100 && called.length < 2; i++) await sleep(5)
    expect(called).toHaveLength(2)
    await sleep(20)
    expect(answered).toBe(false)
    let idle = false
    const idleDone = starter.idle().then(() => {
      idle = true
    })
    releases[1]!()
    expect((await secondAnswer).outcome).toBe('started')
    // idle() waits for every afterCommit, the first one's too.
    await sleep(20)
    expect(idle).toBe(false)
    releases[0]!()
    await idleDone
    expect(idle).toBe(true)
  })

  it('starts one execution for identical deliveries racing through two processes', async () => {
    const tr = await trigger('t1')
    const other = createDb(t.url, { max: 4 })
    try {
      const a = createExecutionStarter({ sql: t.sql, now: () => new Date() })
      const b = createExecutionStarter({ sql: other.sql, now: () => new Date() })
      for (let round = 0; round < 10; round++) {
        const id = `race_${round}`
        const outcomes = await Promise.all([
          a.start(delivery(tr, id)),
          b.start(delivery(tr, id)),
          a.start(delivery(tr, id)),
          b.start(delivery(tr, id)),
        ])
        const started = outcomes.filter((o) => o.outcome === 'started')
        expect(started).toHaveLength(1)
        const winner = (started[0] as { executionIds: string[] }).executionIds
        for (const o of outcomes) expect(o).toMatchObject({ executionIds: winner })
      }
      expect(await executionsOf(tr.id)).toHaveLength(10)
    } finally {
      await other.close()
    }
  })

  it('answers the request even when afterCommit fails (the rows are durable), reporting the failure', async () => {
    const tr = await trigger('t1')
    const failures: string[][] = []
    const starter = createExecutionStarter({
      sql: t.sql,
      now: () => new Date(),
      afterCommit: async () => {
        throw new Error('redis down')
      },
      onAfterCommitError: (_err, items) => failures.push(items.map((i) => i.id)),
    })
    const req = delivery(tr, 'msg_after')
    expect(await starter.start(req)).toEqual({ outcome: 'started', executionIds: [req.starts[0]!.id] })
    expect(failures).toEqual([[req.starts[0]!.id]])
    expect(await executionsOf(tr.id)).toHaveLength(1)
  })

  it('isolates a request the database refuses from the rest of its batch', async () => {
    const tr = await trigger('t1')
    const starter = createExecutionStarter({ sql: t.sql, now: () => new Date() })
    const bad = delivery(tr, 'msg_bad')
    bad.starts[0]!.priority = 12 // violates executions_priority_ck
    const reqs = [delivery(tr, 'msg_warm'), delivery(tr, 'msg_ok1'), bad, delivery(tr, 'msg_ok2')]
    const settled = await Promise.allSettled(reqs.map((r) => starter.start(r)))
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    await starter.idle()
    const ids = (await executionsOf(tr.id)).map((r) => r.id).sort()
    expect(ids).toEqual([reqs[0]!, reqs[1]!, reqs[3]!].map((r) => r.starts[0]!.id).sort())
    // The refused delivery left no receipt: sent again (fixed), it starts.
    const [receipt] = await t.db
      .select()
      .from(webhookDeliveries)
      .where(dsql`${webhookDeliveries.deliveryId} = 'msg_bad'`)
    expect(receipt).toBeUndefined()
  })

  it('rejects with the unavailable error when Postgres cannot be reached, writing nothing', async () => {
    const dead = createDb('postgres://postgres@127.0.0.1:1/none', { connectTimeoutSeconds: 1 })
    try {
      const tr = await trigger('t1')
      const starter = createExecutionStarter({ sql: dead.sql, now: () => new Date() })
      const err = await starter.start(delivery(tr, 'msg_down')).catch((e: unknown) => e)
      expect(isUnavailableError(err)).toBe(true)
      expect(await executionsOf(tr.id)).toHaveLength(0)
    } finally {
      await dead.close()
    }
  })
})

describe('ingest repo', () => {
  it('reads a trigger by id and the enabled event triggers of a tenant', async () => {
    const repo = createIngestRepo(t.db)
    const hook = await trigger('reads', { rateLimitPerMinute: 30, secretCiphertext: 'sealed' })
    expect(await repo.findHookTrigger(hook.id)).toMatchObject({
      id: hook.id,
      tenant: 'reads',
      type: 'webhook',
      enabled: true,
      scheme: 'standard',
      rateLimitPerMinute: 30,
      secretCiphertext: 'sealed',
      previousSecretCiphertext: null,
      previousSecretExpiresAt: null,
      eventType: null,
      inputTemplate: null,
    })
    expect(await repo.findHookTrigger(uuid())).toBeUndefined()
    const on = await trigger('reads', {
      type: 'event',
      scheme: null,
      eventType: 'a.*',
      filter: { x: [1] },
      inputTemplate: { n: '{{data.n}}' },
    })
    await trigger('reads', { type: 'event', scheme: null, eventType: 'a.b', enabled: false })
    await trigger('other', { type: 'event', scheme: null, eventType: 'a.b' })
    expect(await repo.listEventTriggers('reads')).toEqual([
      {
        id: on.id,
        workflowId: on.workflowId,
        eventType: 'a.*',
        filter: { x: [1] },
        inputTemplate: { n: '{{data.n}}' },
        retryPolicy: on.retryPolicy,
        priority: 7,
        version: 1,
      },
    ])
  })

  it('purges receipts older than the cutoff and keeps the rest', async () => {
    const repo = createIngestRepo(t.db)
    const tr = await trigger('purge')
    const old = new Date(Date.now() - RECEIPT_TTL_MS - 60_000)
    await insertStartBatch(t.sql, [delivery(tr, 'p_old')], old)
    await insertStartBatch(t.sql, [delivery(tr, 'p_new')], new Date())
    await insertStartBatch(
      t.sql,
      [{ tenant: 'purge', receipt: { kind: 'event', eventId: 'p_evt', type: 'x' }, starts: [] }],
      old,
    )
    const purged = await repo.purgeReceipts(new Date(Date.now() - RECEIPT_TTL_MS))
    expect(purged.deliveries).toBeGreaterThanOrEqual(1)
    expect(purged.events).toBeGreaterThanOrEqual(1)
    const left = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.triggerId, tr.id))
    expect(left.map((r) => r.deliveryId)).toEqual(['p_new'])
    // Executions are history: purging receipts leaves them.
    expect(await executionsOf(tr.id)).toHaveLength(2)
  })

  it('purges at a time the receipts past RECEIPT_TTL_MS, not those still inside the window', async () => {
    const repo = createIngestRepo(t.db)
    const tr = await trigger('purge-at')
    const at = new Date()
    await insertStartBatch(t.sql, [delivery(tr, 'w_out')], new Date(at.getTime() - RECEIPT_TTL_MS - 1000))
    await insertStartBatch(t.sql, [delivery(tr, 'w_in')], new Date(at.getTime() - RECEIPT_TTL_MS + 1000))
    await repo.purgeExpiredReceipts(at)
    const left = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.triggerId, tr.id))
    expect(left.map((r) => r.deliveryId)).toEqual(['w_in'])
  })
})
