import { randomUUID as uuid } from 'node:crypto'
import { SCHEDULE_DEFAULTS } from '@punctual/core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isForeignKeyViolation, isUniqueViolation } from '../src/errors.ts'
import { executions, schedules, triggers, workflows } from '../src/schema/index.ts'
import { createTestDatabase, isCheckViolation, type TestDatabase } from '../src/testing.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the statement to fail')
    },
    (err: unknown) => err,
  )

async function workflow(tenant = 't1') {
  const [row] = await t.db
    .insert(workflows)
    .values({ id: uuid(), tenant, name: `wf-${uuid()}`, steps: [{ name: 'wait', type: 'delay', ms: 1 }] })
    .returning()
  return row!
}

const scheduleValues = (
  tenant: string,
  workflowId: string,
  extra: Partial<typeof schedules.$inferInsert> = {},
) => ({
  id: uuid(),
  tenant,
  workflowId,
  name: `s-${uuid()}`,
  cronExpression: '*/5 * * * *',
  ...extra,
})

describe('schedules', () => {
  it('fills the documented defaults', async () => {
    const wf = await workflow()
    const [s] = await t.db.insert(schedules).values(scheduleValues('t1', wf.id)).returning()
    expect(s).toMatchObject({
      ...SCHEDULE_DEFAULTS,
      state: 'active',
      version: 1,
      nextRunAt: null,
      pausedNote: null,
      executionCount: 0,
      missedCount: 0,
      conflictProfile: '',
    })
    expect(s!.createdAt).toBeInstanceOf(Date)
  })

  it('names the unique constraint a duplicate name violates (the API maps it to 409)', async () => {
    const wf = await workflow()
    await t.db.insert(schedules).values(scheduleValues('t1', wf.id, { name: 'nightly' }))
    const err = await failure(t.db.insert(schedules).values(scheduleValues('t1', wf.id, { name: 'nightly' })))
    expect(isUniqueViolation(err)).toBe(true)
    expect(isUniqueViolation(err, 'schedules_tenant_name_uq')).toBe(true)
    expect(isUniqueViolation(err, 'workflows_tenant_name_uq')).toBe(false)
    expect(isForeignKeyViolation(err)).toBe(false)
    // The same name in another tenant is fine.
    const other = await workflow('t2')
    await t.db.insert(schedules).values(scheduleValues('t2', other.id, { name: 'nightly' }))
  })

  it("refuses an unknown workflow and another tenant's workflow", async () => {
    const unknown = await failure(t.db.insert(schedules).values(scheduleValues('t1', uuid())))
    expect(isForeignKeyViolation(unknown, 'schedules_workflow_fk')).toBe(true)
    const foreign = await workflow('t2')
    const crossTenant = await failure(t.db.insert(schedules).values(scheduleValues('t1', foreign.id)))
    expect(isForeignKeyViolation(crossTenant, 'schedules_workflow_fk')).toBe(true)
  })

  it('keeps a workflow that schedules or triggers still use (delete → foreign key violation)', async () => {
    const wf = await workflow()
    const [s] = await t.db.insert(schedules).values(scheduleValues('t1', wf.id)).returning()
    const err = await failure(t.db.delete(workflows).where(eq(workflows.id, wf.id)))
    expect(isForeignKeyViolation(err, 'schedules_workflow_fk')).toBe(true)
    await t.db.delete(schedules).where(eq(schedules.id, s!.id))

    const [tr] = await t.db
      .insert(triggers)
      .values({
        id: uuid(),
        tenant: 't1',
        workflowId: wf.id,
        name: 'on-order',
        type: 'event',
        eventType: 'order.*',
      })
      .returning()
    const err2 = await failure(t.db.delete(workflows).where(eq(workflows.id, wf.id)))
    expect(isForeignKeyViolation(err2, 'triggers_workflow_fk')).toBe(true)
    await t.db.delete(triggers).where(eq(triggers.id, tr!.id))
    await t.db.delete(workflows).where(eq(workflows.id, wf.id))
  })

  it.each([
    ['schedules_priority_ck', { priority: 10 }],
    ['schedules_priority_ck', { priority: -1 }],
    ['schedules_state_ck', { state: 'sleeping' as never }],
    ['schedules_overlap_policy_ck', { overlapPolicy: 'queue' as never }],
    ['schedules_misfire_policy_ck', { misfirePolicy: 'fire_twice' as never }],
    ['schedules_max_executions_ck', { maxExecutions: 0 }],
    ['schedules_dates_ck', { startDate: new Date('2026-02-01'), endDate: new Date('2026-01-01') }],
    ['schedules_name_ck', { name: '' }],
    ['schedules_name_ck', { name: 'x'.repeat(201) }],
    ['schedules_jitter_ck', { jitterMs: -1 }],
  ])('refuses rows breaking %s', async (constraint, extra) => {
    const wf = await workflow()
    const err = await failure(t.db.insert(schedules).values(scheduleValues('t1', wf.id, extra)))
    expect(isCheckViolation(err, constraint)).toBe(true)
  })

  it('accepts the boundary values', async () => {
    const wf = await workflow()
    const at = new Date('2026-01-01')
    await t.db
      .insert(schedules)
      .values([
        scheduleValues('t1', wf.id, { priority: 0, maxExecutions: 1, startDate: at, endDate: at }),
        scheduleValues('t1', wf.id, { priority: 9, name: 'x'.repeat(200), overlapPolicy: 'cancel_previous' }),
      ])
  })
})

describe('per-fire writes', () => {
  it('updating a schedule the way recording and counting fires do is a HOT update (no index entries)', async () => {
    const wf = await workflow()
    const [s] = await t.db.insert(schedules).values(scheduleValues('t1', wf.id)).returning()
    const hot = async () => {
      await t.sql`select pg_stat_force_next_flush()`
      const [row] = await t.sql<{ hot: string }[]>`
        select n_tup_hot_upd::text as hot from pg_stat_user_tables where relname = 'schedules'`
      return Number(row!.hot)
    }
    const before = await hot()
    for (let i = 1; i <= 5; i++) {
      await t.sql`
        update schedules
           set next_run_at = now() + ${`${i} seconds`}::interval, version = version + 1,
               execution_count = execution_count + 1, missed_count = missed_count + 1, updated_at = now()
         where id = ${s!.id}`
    }
    expect((await hot()) - before).toBe(5)
  })

  it('leaves rows without a schedule or a trigger out of the link indexes', async () => {
    const defs = await t.sql<{ indexname: string; indexdef: string }[]>`
      select indexname, indexdef from pg_indexes
       where tablename = 'executions' and indexname in ('executions_schedule_idx', 'executions_trigger_idx')`
    expect(defs).toHaveLength(2)
    for (const d of defs) expect(d.indexdef).toMatch(/WHERE \((schedule|trigger)_id IS NOT NULL\)/)
  })
})

describe('executions', () => {
  const base = (extra: Partial<typeof executions.$inferInsert> = {}) => ({
    id: uuid(),
    tenant: 't1',
    kind: 'fire' as const,
    scheduleId: uuid(),
    workflowId: uuid(),
    scheduledFor: new Date('2026-03-08T07:00:00.000Z'),
    status: 'queued' as const,
    ...extra,
  })

  it('records a fire once per (schedule, scheduled time); manual runs repeat freely', async () => {
    const scheduleId = uuid()
    await t.db.insert(executions).values(base({ scheduleId }))
    const dup = await failure(t.db.insert(executions).values(base({ scheduleId })))
    expect(isUniqueViolation(dup, 'executions_fire_uq')).toBe(true)

    // The way a scheduler records a fire idempotently: ON CONFLICT on the partial index.
    const again = await t.db
      .insert(executions)
      .values(base({ scheduleId }))
      .onConflictDoNothing({
        target: [executions.scheduleId, executions.scheduledFor],
        where: eq(executions.kind, 'fire'),
      })
      .returning()
    expect(again).toEqual([])

    await t.db
      .insert(executions)
      .values([base({ scheduleId, kind: 'manual' }), base({ scheduleId, kind: 'manual' })])
    // Another time of the same schedule is another fire.
    await t.db
      .insert(executions)
      .values(base({ scheduleId, scheduledFor: new Date('2026-03-08T07:05:00.000Z') }))
  })

  it.each([
    ['executions_kind_ck', { kind: 'cron' as never }],
    ['executions_status_ck', { status: 'done' as never }],
    ['executions_priority_ck', { priority: 10 }],
    ['executions_attempt_ck', { attempt: -1 }],
    ['executions_fire_schedule_ck', { scheduleId: null }],
    ['executions_redrive_ck', { kind: 'redrive' as const, retryOf: null }],
  ])('refuses rows breaking %s', async (constraint, extra) => {
    const err = await failure(t.db.insert(executions).values(base(extra)))
    expect(isCheckViolation(err, constraint)).toBe(true)
  })
})

describe('triggers', () => {
  it.each([
    ['triggers_type_ck', { type: 'cron' as never }],
    ['triggers_scheme_ck', { scheme: 'gitlab' as never }],
    ['triggers_priority_ck', { priority: 12 }],
    ['triggers_rate_limit_ck', { rateLimitPerMinute: 0 }],
  ])('refuses rows breaking %s', async (constraint, extra) => {
    const wf = await workflow()
    const err = await failure(
      t.db
        .insert(triggers)
        .values({ id: uuid(), tenant: 't1', workflowId: wf.id, name: uuid(), type: 'webhook', ...extra }),
    )
    expect(isCheckViolation(err, constraint)).toBe(true)
  })
})
