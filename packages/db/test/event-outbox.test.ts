import { randomUUID as uuid } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuditRepo } from '../src/repos/audit.ts'
import { createEventBusRepo } from '../src/repos/event-outbox.ts'
import { eventOutbox, executions, schedules, triggers, workflows } from '../src/schema/index.ts'
import { claimUnhandledOutbox, commitEventStarts, type OutboxEvent } from '../src/statements/event-outbox.ts'
import { type FinishRecord, finishExecutions } from '../src/statements/execution-finish.ts'
import { startExecutions } from '../src/statements/execution-start.ts'
import { updateFiredSchedules } from '../src/statements/fire-recording.ts'
import { insertStartBatch, type StartRequest } from '../src/statements/trigger-start-batch.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

const WORKER = 'w-outbox'

async function workflow(tenant: string) {
  const [row] = await t.db
    .insert(workflows)
    .values({ id: uuid(), tenant, name: `wf-${uuid()}`, steps: [{ name: 'wait', type: 'delay', ms: 1 }] })
    .returning()
  return row!
}

async function trigger(tenant: string, values: Partial<typeof triggers.$inferInsert> = {}) {
  const workflowId = values.workflowId ?? (await workflow(tenant)).id
  const [row] = await t.db
    .insert(triggers)
    .values({
      id: uuid(),
      tenant,
      name: `tr-${uuid()}`,
      type: 'event',
      eventType: 'order.created',
      ...values,
      workflowId,
    })
    .returning()
  return row!
}

/** A running execution of a new workflow of the tenant, attempt 1 under WORKER. */
async function running(tenant: string, extra: Partial<typeof executions.$inferInsert> = {}) {
  const workflowId = extra.workflowId ?? (await workflow(tenant)).id
  const [row] = await t.db
    .insert(executions)
    .values({
      id: uuid(),
      tenant,
      kind: 'manual',
      workflowId,
      scheduledFor: new Date(),
      status: 'running',
      attempt: 1,
      workerId: WORKER,
      ...extra,
    })
    .returning()
  return row!
}

const end = (
  e: { id: string; kind: FinishRecord['kind']; scheduleId: string | null },
  status: FinishRecord['status'],
): FinishRecord => ({
  id: e.id,
  attempt: 1,
  status,
  finishedAtMs: status === 'retrying' ? null : Date.now(),
  error: status === 'succeeded' ? null : { message: 'boom' },
  steps: [],
  availableAtMs: status === 'retrying' ? Date.now() + 1000 : null,
  kind: e.kind,
  scheduleId: e.scheduleId,
})

const outboxOf = async (tenant: string) =>
  t.db.select().from(eventOutbox).where(eq(eventOutbox.tenant, tenant)).orderBy(eventOutbox.id)

describe('the end statement writes the outbox', () => {
  it('writes nothing for a tenant without an event trigger that selects the event', async () => {
    const tenant = `t-${uuid()}`
    // Event triggers of other types, a disabled one, a webhook trigger: none selects execution.succeeded.
    await trigger(tenant, { eventType: 'order.*' })
    await trigger(tenant, { eventType: 'execution.succeeded', enabled: false })
    await trigger(tenant, { eventType: 'execution.dead' })
    await trigger(tenant, { eventType: 'schedule.*' })
    await trigger(tenant, { type: 'webhook', eventType: null, scheme: 'standard' })
    // Another tenant's trigger selects everything: it must not count here.
    await trigger(`other-${uuid()}`, { eventType: '*' })
    const ok = await running(tenant)
    const { results, events } = await finishExecutions(t.sql, {
      workerId: WORKER,
      records: [end(ok, 'succeeded')],
      nowMs: Date.now(),
    })
    expect(results).toEqual([{ id: ok.id, written: true }])
    expect(events).toEqual([])
    expect(await outboxOf(tenant)).toEqual([])
  })

  for (const eventType of ['execution.succeeded', 'execution.*', '*']) {
    it(`writes execution.succeeded for a tenant with a "${eventType}" trigger, in the end's statement`, async () => {
      const tenant = `t-${uuid()}`
      await trigger(tenant, { eventType })
      const [ok, retrying, cancelled] = [await running(tenant), await running(tenant), await running(tenant)]
      const { events } = await finishExecutions(t.sql, {
        workerId: WORKER,
        records: [end(ok, 'succeeded'), end(retrying, 'retrying'), end(cancelled, 'cancelled')],
        nowMs: Date.now(),
      })
      const rows = await outboxOf(tenant)
      expect(rows.map((r) => [r.type, r.subjectId])).toEqual([['execution.succeeded', ok.id]])
      expect(events).toEqual([
        { outboxId: String(rows[0]!.id), tenant, type: 'execution.succeeded', subjectId: ok.id },
      ])
    })
  }

  it('writes execution.dead only where a trigger selects it, and once per end (a repeated write adds none)', async () => {
    const tenant = `t-${uuid()}`
    await trigger(tenant, { eventType: 'execution.dead' })
    const [dead, ok] = [await running(tenant), await running(tenant)]
    const records = [end(dead, 'dead'), end(ok, 'succeeded')]
    const first = await finishExecutions(t.sql, { workerId: WORKER, records, nowMs: Date.now() })
    expect(first.events.map((e) => [e.type, e.subjectId])).toEqual([['execution.dead', dead.id]])
    // The runner writes again when it never got the answer: the rows hold the ends, nothing is added.
    const again = await finishExecutions(t.sql, { workerId: WORKER, records, nowMs: Date.now() })
    expect(again.results.every((r) => r.written)).toBe(true)
    expect(again.events).toEqual([])
    expect((await outboxOf(tenant)).map((r) => r.subjectId)).toEqual([dead.id])
  })

  it("looks up only the ending tenant's triggers, however many tenants have event triggers", async () => {
    // 300 other tenants with an event trigger each (none selects the ends below), then 100 ends of one tenant.
    const others = Array.from({ length: 300 }, () => `crowd-${uuid()}`)
    const wfs = await t.db
      .insert(workflows)
      .values(others.map((tenant) => ({ id: uuid(), tenant, name: 'wf', steps: [] })))
      .returning()
    await t.db.insert(triggers).values(
      wfs.map((w) => ({
        id: uuid(),
        tenant: w.tenant,
        name: 'tr',
        type: 'event' as const,
        eventType: '*',
        workflowId: w.id,
      })),
    )
    const tenant = `t-${uuid()}`
    await trigger(tenant, { eventType: 'order.created' })
    const wf = await workflow(tenant)
    const ends = await t.db
      .insert(executions)
      .values(
        Array.from({ length: 100 }, () => ({
          id: uuid(),
          tenant,
          kind: 'manual' as const,
          workflowId: wf.id,
          scheduledFor: new Date(),
          status: 'running' as const,
          attempt: 1,
          workerId: WORKER,
        })),
      )
      .returning()
    // Index entries and rows of `triggers` read, from this connection's statistics (flushed on demand).
    const conn = await t.sql.reserve()
    try {
      const read = async () => {
        await conn`select pg_stat_force_next_flush()`
        const [row] = await conn<{ n: number }[]>`
          select (select coalesce(sum(idx_tup_read), 0) from pg_stat_user_indexes where relid = 'triggers'::regclass)
               + (select coalesce(seq_tup_read, 0) from pg_stat_user_tables where relid = 'triggers'::regclass)
                 as n`
        return Number(row!.n)
      }
      const before = await read()
      const { results, events } = await finishExecutions(conn as unknown as Sql, {
        workerId: WORKER,
        records: ends.map((e) => end(e, 'succeeded')),
        nowMs: Date.now(),
      })
      expect(results.every((r) => r.written)).toBe(true)
      expect(events).toEqual([])
      // One probe per end finds the tenant's one trigger: about 100 entries, where a scan of every tenant's
      // event triggers per end reads 30,000.
      expect((await read()) - before).toBeLessThanOrEqual(2 * ends.length)
    } finally {
      conn.release()
    }
  })

  it('writes the end of a fire (the locking path) too', async () => {
    const tenant = `t-${uuid()}`
    await trigger(tenant, { eventType: 'execution.succeeded' })
    const wf = await workflow(tenant)
    const [s] = await t.db
      .insert(schedules)
      .values({ id: uuid(), tenant, workflowId: wf.id, name: `s-${uuid()}`, cronExpression: '* * * * *' })
      .returning()
    const fire = await running(tenant, { kind: 'fire', scheduleId: s!.id, workflowId: wf.id })
    const { events } = await finishExecutions(t.sql, {
      workerId: WORKER,
      records: [end(fire, 'succeeded')],
      nowMs: Date.now(),
    })
    expect(events.map((e) => e.subjectId)).toEqual([fire.id])
  })
})

describe('schedule.completed in the outbox', () => {
  async function schedule(tenant: string, values: Partial<typeof schedules.$inferInsert> = {}) {
    const wf = await workflow(tenant)
    const [s] = await t.db
      .insert(schedules)
      .values({
        id: uuid(),
        tenant,
        workflowId: wf.id,
        name: `s-${uuid()}`,
        cronExpression: '* * * * *',
        ...values,
      })
      .returning()
    return s!
  }

  it('is written when the scheduler completes a schedule, for a tenant whose trigger selects it', async () => {
    const tenant = `t-${uuid()}`
    const quiet = `q-${uuid()}`
    await trigger(tenant, { eventType: 'schedule.completed' })
    const [a, b, done] = [await schedule(tenant), await schedule(tenant), await schedule(tenant)]
    const c = await schedule(quiet)
    await t.db.update(schedules).set({ state: 'completed' }).where(eq(schedules.id, done.id))
    const result = await t.sql.begin(async (tx) => {
      await tx`select id from schedules where id = any(${[a.id, b.id, c.id, done.id]}::uuid[]) for update`
      return updateFiredSchedules(tx, [
        { id: a.id, version: 1, nextRunAtMs: null, state: 'completed', missedIncrement: 0 },
        { id: b.id, version: 1, nextRunAtMs: Date.now() + 60_000, state: 'active', missedIncrement: 0 },
        { id: c.id, version: 1, nextRunAtMs: null, state: 'completed', missedIncrement: 0 },
        // Already completed before: not a new completion.
        { id: done.id, version: 1, nextRunAtMs: null, state: 'completed', missedIncrement: 0 },
      ])
    })
    expect([...result.written].sort()).toEqual([a.id, b.id, c.id, done.id].sort())
    expect(result.events.map((e) => [e.tenant, e.type, e.subjectId])).toEqual([
      [tenant, 'schedule.completed', a.id],
    ])
    expect((await outboxOf(tenant)).map((r) => r.subjectId)).toEqual([a.id])
    expect(await outboxOf(quiet)).toEqual([])
  })

  it('is written when the runner starts the fire that reaches maxExecutions', async () => {
    const tenant = `t-${uuid()}`
    await trigger(tenant, { eventType: 'schedule.*' })
    const s = await schedule(tenant, { maxExecutions: 1 })
    const [fire] = await t.db
      .insert(executions)
      .values({
        id: uuid(),
        tenant,
        kind: 'fire',
        scheduleId: s.id,
        workflowId: s.workflowId,
        scheduledFor: new Date(),
        status: 'queued',
      })
      .returning()
    const result = await startExecutions(t.sql, {
      candidates: [{ id: fire!.id, kind: 'fire', scheduleId: s.id }],
      workerId: WORKER,
      nowMs: Date.now(),
    })
    expect(result.completed.map((c) => c.scheduleId)).toEqual([s.id])
    expect(result.events.map((e) => [e.type, e.subjectId])).toEqual([['schedule.completed', s.id]])
    expect((await outboxOf(tenant)).map((r) => r.subjectId)).toEqual([s.id])
  })
})

describe('the relay claim', () => {
  it('takes rows not handled within afterMs, oldest first, and spaces out each next try', async () => {
    const tenant = `t-${uuid()}`
    const now = Date.now()
    const [older, newer] = await t.db
      .insert(eventOutbox)
      .values([
        { tenant, type: 'execution.succeeded', subjectId: uuid(), createdAt: new Date(now - 10_000) },
        { tenant, type: 'execution.dead', subjectId: uuid(), createdAt: new Date(now - 10_000) },
      ])
      .returning()
    const fresh = await t.db
      .insert(eventOutbox)
      .values({ tenant, type: 'execution.dead', subjectId: uuid(), createdAt: new Date(now) })
      .returning()
    const mine = (rows: OutboxEvent[]) => rows.filter((r) => r.tenant === tenant)

    const first = mine(await claimUnhandledOutbox(t.sql, { nowMs: now, afterMs: 5000, limit: 100 }))
    expect(first.map((r) => r.outboxId)).toEqual([String(older!.id), String(newer!.id)])
    expect(first[0]).toMatchObject({ tenant, type: 'execution.succeeded', subjectId: older!.subjectId })
    const ids = async (atMs: number) =>
      mine(await claimUnhandledOutbox(t.sql, { nowMs: now + atMs, afterMs: 5000, limit: 100 })).map(
        (r) => r.outboxId,
      )
    const [a, b, c] = [String(older!.id), String(newer!.id), String(fresh[0]!.id)]
    // The fresh row's first try comes afterMs after it was written.
    expect(await ids(9_000)).toEqual([c])
    // Each republish doubles the wait: 2 × afterMs after the first, then 4 ×.
    expect(await ids(10_000)).toEqual([a, b])
    expect(await ids(19_000)).toEqual([c])
    expect(await ids(29_000)).toEqual([])
    expect(await ids(30_000)).toEqual([a, b])
    await t.db.delete(eventOutbox).where(eq(eventOutbox.tenant, tenant))
  })
})

describe('subjects, chains and the consumer commit', () => {
  it('walks each execution back to its root, oldest first', async () => {
    const tenant = `t-${uuid()}`
    const tr = await trigger(tenant, { eventType: 'execution.succeeded' })
    const root = await running(tenant, { status: 'succeeded' })
    const one = await running(tenant, {
      kind: 'event',
      triggerId: tr.id,
      workflowId: tr.workflowId,
      causedByExecutionId: root.id,
      chainDepth: 1,
    })
    const two = await running(tenant, {
      kind: 'event',
      triggerId: tr.id,
      workflowId: tr.workflowId,
      causedByExecutionId: one.id,
      chainDepth: 2,
    })
    const [outbox] = await t.db
      .insert(eventOutbox)
      .values({ tenant, type: 'execution.succeeded', subjectId: two.id })
      .returning()
    const subjects = await createEventBusRepo(t.db).loadSubjects({
      outboxIds: [String(outbox!.id), '999999999'],
      executionIds: [two.id, root.id],
      scheduleIds: [],
    })
    expect([...subjects.pending]).toEqual([String(outbox!.id)])
    expect(subjects.executions.get(two.id)).toMatchObject({ causedByExecutionId: one.id, chainDepth: 2 })
    expect(subjects.chains.get(two.id)).toEqual([
      { executionId: root.id, workflowId: root.workflowId, triggerId: null },
      { executionId: one.id, workflowId: tr.workflowId, triggerId: tr.id },
      { executionId: two.id, workflowId: tr.workflowId, triggerId: tr.id },
    ])
    expect(subjects.chains.get(root.id)).toEqual([
      { executionId: root.id, workflowId: root.workflowId, triggerId: null },
    ])
  })

  it('commits starts with receipts, audits only a new receipt, and deletes the outbox rows', async () => {
    const tenant = `t-${uuid()}`
    const tr = await trigger(tenant, { eventType: 'execution.succeeded' })
    const cause = await running(tenant, { status: 'succeeded' })
    const [outbox] = await t.db
      .insert(eventOutbox)
      .values({ tenant, type: 'execution.succeeded', subjectId: cause.id })
      .returning()
    const request = (): StartRequest => ({
      tenant,
      receipt: { kind: 'event', eventId: `execution.succeeded:${cause.id}`, type: 'execution.succeeded' },
      starts: [
        {
          id: uuid(),
          kind: 'event',
          triggerId: tr.id,
          workflowId: tr.workflowId,
          input: { id: cause.id },
          priority: 5,
          retryPolicy: null,
          causedBy: cause.id,
          chainDepth: 1,
        },
      ],
    })
    const audit = {
      tenant,
      actor: 'system',
      action: 'chain.stopped' as const,
      targetType: 'trigger',
      targetId: tr.id,
    }
    const first = request()
    const [outcome] = await commitEventStarts(t.sql, {
      requests: [first],
      audits: new Map([[0, [audit]]]),
      outboxIds: [String(outbox!.id)],
      at: new Date(),
    })
    expect(outcome).toEqual({ outcome: 'started', executionIds: [first.starts[0]!.id] })
    const [started] = await t.db.select().from(executions).where(eq(executions.id, first.starts[0]!.id))
    expect(started).toMatchObject({
      causedByExecutionId: cause.id,
      chainDepth: 1,
      kind: 'event',
      status: 'queued',
    })
    expect(await outboxOf(tenant)).toEqual([])
    // Delivered again: the receipt refuses it, nothing started, the audit entry is not written twice.
    const [again] = await commitEventStarts(t.sql, {
      requests: [request()],
      audits: new Map([[0, [audit]]]),
      outboxIds: [String(outbox!.id)],
      at: new Date(),
    })
    expect(again).toEqual({ outcome: 'duplicate', executionIds: [first.starts[0]!.id] })
    const entries = await createAuditRepo(t.db).list(tenant, { limit: 10 })
    expect(entries.map((e) => [e.action, e.actor, e.targetId])).toEqual([['chain.stopped', 'system', tr.id]])
  })

  it('refuses a chain link without a cause (the CHECK keeps depth and cause together)', async () => {
    const tenant = `t-${uuid()}`
    const tr = await trigger(tenant, { eventType: 'execution.succeeded' })
    const bad = insertStartBatch(
      t.sql,
      [
        {
          tenant,
          receipt: null,
          starts: [
            {
              id: uuid(),
              kind: 'event',
              triggerId: tr.id,
              workflowId: tr.workflowId,
              input: {},
              priority: 5,
              retryPolicy: null,
              chainDepth: 3,
            },
          ],
        },
      ],
      new Date(),
    )
    await expect(bad).rejects.toMatchObject({ constraint_name: 'executions_chain_ck' })
  })
})
