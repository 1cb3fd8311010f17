/**
 * Shared helpers for the worker's tests: a per-file database and Redis key prefix, schedules written the way
 * the API writes them (row + due-index entry carrying the version, changes in one transaction holding the
 * row lock), and waiting on events or conditions instead of sleeping blindly.
 */
import type { EventEmitter } from 'node:events'
import { conflictProfile, DEFAULT_RETRY_POLICY, fireMinutesOfDay, planSchedule } from '@punctual/core'
import { createSchedulesRepo, insertScheduleRow, type ScheduleRow } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createExecutionQueue, removeSchedule, upsertSchedule } from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import pino, { type Logger } from 'pino'
import { uuidv7 } from '../src/scheduler/ids.ts'

export interface WorkerTestContext {
  database: TestDatabase
  redis: TestRedis
  logger: Logger
  close(): Promise<void>
}

/** This file's own database (cloned from the migrated template) and Redis key prefix. */
export async function setupWorkerTest(opts: { ownRedisDb?: boolean } = {}): Promise<WorkerTestContext> {
  const [database, redis] = await Promise.all([
    createTestDatabase(),
    createTestRedis({ ownDb: opts.ownRedisDb ?? false }),
  ])
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' })
  return {
    database,
    redis,
    logger,
    async close() {
      await Promise.allSettled([redis.cleanup(), database.close()])
    },
  }
}

export async function makeWorkflow(
  ctx: WorkerTestContext,
  tenant = 'acme',
): Promise<{ id: string; tenant: string }> {
  const id = uuidv7()
  await ctx.database.sql`
    insert into workflows (id, tenant, name, steps)
    values (${id}, ${tenant}, ${`wf-${id}`}, ${JSON.stringify([{ name: 'wait', type: 'delay', ms: 0 }])}::jsonb)`
  return { id, tenant }
}

function profileOf(row: Pick<ScheduleRow, 'cronExpression' | 'timezone'>, at: Date): string {
  return conflictProfile(fireMinutesOfDay(row.cronExpression, { timezone: row.timezone, from: at }))
}

async function writeIndex(ctx: WorkerTestContext, row: ScheduleRow) {
  await upsertSchedule(ctx.redis.redis, ctx.redis.keys, {
    scheduleId: row.id,
    workflowId: row.workflowId,
    version: row.version,
    nextRunAtMs: row.state === 'active' && row.nextRunAt ? row.nextRunAt.getTime() : null,
    conflictProfile: row.state === 'active' ? row.conflictProfile : '',
  })
}

/**
 * A schedule as POST /api/schedules writes it: the row (version 1, nextRunAt from the core plan unless
 * given) and its due-index entry. `nextRunAt` may be set in the past to emulate a resumption after downtime.
 */
export async function makeSchedule(
  ctx: WorkerTestContext,
  overrides: Partial<ScheduleRow> & { workflowId?: string } = {},
): Promise<ScheduleRow> {
  const at = new Date()
  const workflowId = overrides.workflowId ?? (await makeWorkflow(ctx, overrides.tenant ?? 'acme')).id
  const base = {
    cronExpression: overrides.cronExpression ?? '* * * * * *',
    timezone: overrides.timezone ?? 'UTC',
    startDate: overrides.startDate ?? null,
    endDate: overrides.endDate ?? null,
  }
  const enabled = overrides.enabled ?? true
  const maxExecutions = overrides.maxExecutions ?? null
  const plan = planSchedule({ ...base, enabled, maxExecutions, executionCount: 0 }, at)
  const state = overrides.state ?? plan.state
  const row: ScheduleRow = {
    id: uuidv7(),
    tenant: 'acme',
    name: `s-${Math.random().toString(36).slice(2)}`,
    enabled,
    maxExecutions,
    input: {},
    priority: 5,
    retryPolicy: { ...DEFAULT_RETRY_POLICY },
    overlapPolicy: 'skip',
    misfirePolicy: 'fire_once',
    catchupWindowMs: 60_000,
    jitterMs: 0,
    metadata: {},
    version: 1,
    pausedNote: null,
    executionCount: 0,
    missedCount: 0,
    createdAt: at,
    updatedAt: at,
    ...overrides,
    ...base,
    workflowId,
    state,
    nextRunAt: overrides.nextRunAt !== undefined ? overrides.nextRunAt : plan.nextRunAt,
    conflictProfile: state === 'active' ? profileOf(base, at) : '',
  }
  await insertScheduleRow(ctx.database.sql, row, { actor: 'worker-test' })
  await writeIndex(ctx, row)
  return row
}

export type SchedulePatch = Partial<
  Pick<
    ScheduleRow,
    | 'cronExpression'
    | 'timezone'
    | 'startDate'
    | 'endDate'
    | 'input'
    | 'priority'
    | 'overlapPolicy'
    | 'maxExecutions'
  >
>

/** When the change was acknowledged (after COMMIT and the Redis clean-up, as the API answers 2xx). */
export interface Ack {
  ackAt: number
  row: ScheduleRow | null
  /** Look-ahead fires the change deleted. */
  dropped: { id: string; scheduledFor: Date }[]
}

/**
 * What PATCH, pause and delete do in apps/api/src/services/schedules.ts: one transaction holding the row
 * lock that deletes the fires recorded ahead of their time, writes the new version and its due-index entry
 * before COMMIT; then takes the dropped fires out of the Redis queue.
 */
async function change(
  ctx: WorkerTestContext,
  id: string,
  mutate: (
    repo: ReturnType<typeof createSchedulesRepo>,
    current: ScheduleRow,
    at: Date,
    dropped: { id: string; scheduledFor: Date }[],
  ) => Promise<ScheduleRow | null>,
): Promise<Ack> {
  const at = new Date()
  const { row, dropped } = await ctx.database.db.transaction(async (tx) => {
    const repo = createSchedulesRepo(tx)
    const current = await repo.get('acme', id, { forUpdate: true })
    if (!current) throw new Error(`no schedule ${id}`)
    const dropped = await repo.deleteFutureFires(id, at)
    const row = await mutate(repo, current, at, dropped)
    return { row, dropped }
  })
  const queue = createExecutionQueue(ctx.redis.redis, ctx.redis.keys)
  await Promise.all(dropped.map((d) => queue.remove(d.id)))
  return { ackAt: Date.now(), row, dropped }
}

export function patchSchedule(ctx: WorkerTestContext, id: string, patch: SchedulePatch): Promise<Ack> {
  return change(ctx, id, async (repo, current, at, dropped) => {
    const timing = {
      cronExpression: patch.cronExpression ?? current.cronExpression,
      timezone: patch.timezone ?? current.timezone,
      startDate: patch.startDate === undefined ? current.startDate : patch.startDate,
      endDate: patch.endDate === undefined ? current.endDate : patch.endDate,
    }
    const maxExecutions = patch.maxExecutions === undefined ? current.maxExecutions : patch.maxExecutions
    const timingChanged =
      timing.cronExpression !== current.cronExpression ||
      timing.timezone !== current.timezone ||
      timing.startDate?.getTime() !== current.startDate?.getTime() ||
      timing.endDate?.getTime() !== current.endDate?.getTime()
    const plan = planSchedule(
      { ...timing, enabled: current.enabled, maxExecutions, executionCount: current.executionCount },
      at,
    )
    const keepPending =
      !timingChanged && plan.state === 'active' && current.state === 'active' && current.nextRunAt
    let pending = current.nextRunAt
    for (const d of dropped) if (!pending || d.scheduledFor < pending) pending = d.scheduledFor
    const row = (await repo.update('acme', id, {
      ...patch,
      ...timing,
      maxExecutions,
      state: plan.state,
      nextRunAt: keepPending ? pending : plan.nextRunAt,
      conflictProfile: plan.state === 'active' ? profileOf(timing, at) : '',
      version: current.version + 1,
      updatedAt: at,
    }))!
    await writeIndex(ctx, row)
    return row
  })
}

export function pauseSchedule(ctx: WorkerTestContext, id: string): Promise<Ack> {
  return change(ctx, id, async (repo, current, at) => {
    const row = (await repo.update('acme', id, {
      enabled: false,
      state: 'paused',
      nextRunAt: null,
      conflictProfile: '',
      version: current.version + 1,
      updatedAt: at,
    }))!
    await writeIndex(ctx, row)
    return row
  })
}

export function deleteSchedule(ctx: WorkerTestContext, id: string): Promise<Ack> {
  return change(ctx, id, async (repo) => {
    await repo.delete('acme', id)
    await removeSchedule(ctx.redis.redis, ctx.redis.keys, { scheduleId: id })
    return null
  })
}

/** Deletes every schedule of the file's database (between tests sharing one Redis key prefix). */
export async function deleteAllSchedules(ctx: WorkerTestContext): Promise<void> {
  const rows = await ctx.database.sql<{ id: string }[]>`select id from schedules`
  for (const { id } of rows) await deleteSchedule(ctx, id)
}

export interface FireRow {
  id: string
  scheduledForMs: number
  availableAtMs: number | null
  status: string
  held: boolean
  priority: number
  input: Record<string, unknown>
  cancelRequested: boolean
  /** overlapPolicy skip left to the fire's start (executions.overlap_check). */
  overlapCheck: boolean
}

/** The schedule's `fire` executions, oldest first. */
export async function fireRows(ctx: WorkerTestContext, scheduleId: string): Promise<FireRow[]> {
  const rows = await ctx.database.sql<
    {
      id: string
      sf: number
      av: number | null
      status: string
      held: boolean
      priority: number
      input: Record<string, unknown>
      cr: boolean
      overlap_check: boolean
    }[]
  >`select id, (extract(epoch from scheduled_for) * 1000)::float8 as sf,
           (extract(epoch from available_at) * 1000)::float8 as av, status, held, priority, input,
           cancel_requested_at is not null as cr, overlap_check
      from executions where schedule_id = ${scheduleId} and kind = 'fire' order by scheduled_for, id`
  return rows.map((r) => ({
    id: r.id,
    scheduledForMs: Math.round(r.sf),
    availableAtMs: r.av === null ? null : Math.round(r.av),
    status: r.status,
    held: r.held,
    priority: r.priority,
    input: r.input,
    cancelRequested: r.cr,
    overlapCheck: r.overlap_check,
  }))
}

export async function scheduleRow(ctx: WorkerTestContext, id: string): Promise<ScheduleRow | undefined> {
  return createSchedulesRepo(ctx.database.db).get('acme', id)
}

/** The next `name` event whose payload passes `filter`, or an error after timeoutMs. */
export function nextEvent<E extends Record<keyof E, unknown[]>, K extends keyof E & string>(
  emitter: EventEmitter<E>,
  name: K,
  filter: (...args: E[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<E[K]> {
  const untyped = emitter as unknown as EventEmitter
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      if (!filter(...(args as E[K]))) return
      off()
      resolve(args as E[K])
    }
    const timer = setTimeout(() => {
      off()
      reject(new Error(`no "${name}" event within ${timeoutMs} ms`))
    }, timeoutMs)
    const off = () => {
      clearTimeout(timer)
      untyped.off(name, listener)
    }
    untyped.on(name, listener)
  })
}

/** Every `name` event's first argument from now on, in order (call `stop` to detach). */
export function collect<E extends Record<keyof E, unknown[]>, K extends keyof E & string>(
  emitter: EventEmitter<E>,
  name: K,
): { items: E[K][0][]; stop(): void } {
  const untyped = emitter as unknown as EventEmitter
  const items: E[K][0][] = []
  const listener = (first: E[K][0]) => items.push(first)
  untyped.on(name, listener)
  return { items, stop: () => untyped.off(name, listener) }
}

/** The next whole second at least `marginMs` away. */
export function nextSecond(marginMs = 0): number {
  return Math.ceil((Date.now() + marginMs) / 1000) * 1000
}
