/**
 * Shared helpers for the worker's tests: a per-file database and Redis key prefix, schedules created through
 * the same row builder as the API (@punctual/db newScheduleRow), and waiting on events instead of sleeping.
 */
import type { EventEmitter } from 'node:events'
import { type ScheduleCreate, uuidv7 } from '@punctual/core'
import {
  createSchedulesRepo,
  dueEntryOf,
  insertScheduleRow,
  newScheduleRow,
  type ScheduleRow,
} from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { upsertSchedule } from '@punctual/queue'
import { createTestRedis, deleteMatching, type TestRedis } from '@punctual/queue/testing'
import pino, { type Logger } from 'pino'

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

/**
 * A schedule as a create writes it (the row from @punctual/db's newScheduleRow, its `schedule.created` audit
 * entry, then its due-index entry), for the scheduler to claim. `nextRunAt` replaces the planned one, e.g. in
 * the past to emulate a resumption after downtime. Changing a schedule while fires are claimed is the API's
 * write path: those tests are end to end (e2e/).
 */
export async function makeSchedule(
  ctx: WorkerTestContext,
  overrides: Partial<ScheduleCreate> & { nextRunAt?: Date | null } = {},
): Promise<ScheduleRow> {
  const { nextRunAt, ...fields } = overrides
  const workflowId = fields.workflowId ?? (await makeWorkflow(ctx)).id
  const planned = newScheduleRow(
    uuidv7(),
    'acme',
    {
      name: `s-${Math.random().toString(36).slice(2)}`,
      cronExpression: '* * * * * *',
      ...fields,
      workflowId,
    },
    new Date(),
  )
  const row = nextRunAt === undefined ? planned : { ...planned, nextRunAt }
  await insertScheduleRow(ctx.database.sql, row, { actor: 'worker-test' })
  await upsertSchedule(ctx.redis.redis, ctx.redis.keys, dueEntryOf(row))
  return row
}

/**
 * Between tests sharing the file's database and key prefix (schedulers stopped): every schedule, fire and key
 * of the prefix goes, so the next test's schedulers claim only its own schedules.
 */
export async function deleteAllSchedules(ctx: WorkerTestContext): Promise<void> {
  await ctx.database.sql`delete from executions`
  await ctx.database.sql`delete from schedules`
  await deleteMatching(ctx.redis.redis, ctx.redis.keys.scanPattern)
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
