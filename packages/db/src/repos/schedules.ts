import { type SkipReason, skippedError, uuidv7 } from '@punctual/core'
import { and, asc, eq, getTableColumns, gt, ilike, isNull, lte, type SQL, sql } from 'drizzle-orm'
import type { Sql, TransactionSql } from 'postgres'
import { executions } from '../schema/executions.ts'
import { type ScheduleState, schedules } from '../schema/schedules.ts'
import { statusGuard } from '../status-guard.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'
import { tenantRows } from './tenant-rows.ts'

export type ScheduleRow = typeof schedules.$inferSelect
export type NewScheduleRow = typeof schedules.$inferInsert

/** Every column but the conflict-index profile, which reads never need (up to 1,440 minutes for a schedule that fires in most minutes of a day but is not dense). */
const { conflictProfile: _conflictProfile, ...readColumns } = getTableColumns(schedules)
export type ScheduleView = Omit<ScheduleRow, 'conflictProfile'>

export interface ScheduleListOptions {
  limit: number
  /** Cursor: only ids above this one (oldest first). */
  after?: string | undefined
  workflowId?: string | undefined
  state?: ScheduleState | undefined
  /** Names containing this text, case-insensitive (LIKE wildcards in it are taken literally). */
  search?: string | undefined
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

function listQuery(db: DbExecutor, tenant: string, opts: ScheduleListOptions) {
  const conditions: SQL[] = [eq(schedules.tenant, tenant)]
  if (opts.after) conditions.push(gt(schedules.id, opts.after))
  if (opts.workflowId) conditions.push(eq(schedules.workflowId, opts.workflowId))
  if (opts.state) conditions.push(eq(schedules.state, opts.state))
  if (opts.search) conditions.push(ilike(schedules.name, `%${escapeLike(opts.search)}%`))
  return db
    .select(readColumns)
    .from(schedules)
    .where(and(...conditions))
    .orderBy(asc(schedules.id))
    .limit(opts.limit)
}

function prepareGet(db: DbExecutor) {
  return db
    .select(readColumns)
    .from(schedules)
    .where(and(eq(schedules.tenant, sql.placeholder('tenant')), eq(schedules.id, sql.placeholder('id'))))
    .prepare('schedules_get')
}
// The hot read path is built once per database handle, not per request.
const preparedGet = new WeakMap<DbExecutor, ReturnType<typeof prepareGet>>()

export function createSchedulesRepo(db: DbExecutor) {
  const rows = tenantRows(db, schedules)
  return {
    /** A read outside any transaction (prepared once per handle). */
    async find(tenant: string, id: string): Promise<ScheduleView | undefined> {
      let statement = preparedGet.get(db)
      if (!statement) {
        statement = prepareGet(db)
        preparedGet.set(db, statement)
      }
      const [row] = await statement.execute({ tenant, id })
      return row
    },
    get: rows.get,
    async list(tenant: string, opts: ScheduleListOptions): Promise<ScheduleView[]> {
      return listQuery(db, tenant, opts)
    },
    /** One page of the list: at most `limit` rows and PAGE_FETCH_BYTES of input and metadata. */
    async page(tenant: string, opts: ScheduleListOptions): Promise<RowPage<ScheduleView>> {
      const query = listQuery(db, tenant, { ...opts, limit: opts.limit + 1 })
      return selectPage(db, query, { limit: opts.limit, order: 'asc', sized: ['input', 'metadata'] })
    },
    /** Writes a new version of the row; the caller holds the row lock (get with forUpdate) in the same transaction. */
    update: rows.update,
    /**
     * Deletes the schedule's fires recorded ahead of their time (look-ahead) and not yet started: a change
     * acknowledged before a fire's time prevents that fire. Run in the transaction that changes the schedule.
     */
    async deleteFutureFires(scheduleId: string, after: Date): Promise<{ id: string; scheduledFor: Date }[]> {
      return db
        .delete(executions)
        .where(
          and(
            eq(executions.scheduleId, scheduleId),
            eq(executions.kind, 'fire'),
            statusGuard(executions.status, 'dropAhead', { plain: true }),
            gt(executions.scheduledFor, after),
          ),
        )
        .returning({ id: executions.id, scheduledFor: executions.scheduledFor })
    },
    /**
     * Stop means stop (http-api.md, Schedules): the schedule's fires whose time has come but whose first
     * attempt has not started — waiting for jitter, held by buffer_one, in a backlog, claimed ahead by a
     * runner — end `skipped` with `error.reason`. Run under the schedule's row lock in the transaction that
     * pauses, disables or deletes it. A runner's start is a conditional update of the same rows: whichever
     * commits first wins, so a fire either started before this commit or never starts.
     */
    async skipUnstartedFires(
      scheduleId: string,
      at: Date,
      reason: Extract<SkipReason, 'paused' | 'deleted'>,
    ): Promise<{ id: string; scheduledFor: Date }[]> {
      return db
        .update(executions)
        .set({ status: 'skipped', finishedAt: at, held: false, error: skippedError(reason) })
        .where(
          and(
            eq(executions.scheduleId, scheduleId),
            eq(executions.kind, 'fire'),
            statusGuard(executions.status, 'skipUnstarted', { plain: true }),
            isNull(executions.startedAt),
            lte(executions.scheduledFor, at),
          ),
        )
        .returning({ id: executions.id, scheduledFor: executions.scheduledFor })
    },
    delete: rows.delete,
  }
}
export type SchedulesRepo = ReturnType<typeof createSchedulesRepo>

function scheduleRecord(row: ScheduleRow) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  // drizzle installs pass-through codecs on the shared client: times go in as ISO text and JSON as text;
  // INSERT ... VALUES types each parameter from its target column.
  return {
    id: row.id,
    tenant: row.tenant,
    workflow_id: row.workflowId,
    name: row.name,
    cron_expression: row.cronExpression,
    timezone: row.timezone,
    enabled: row.enabled,
    start_date: iso(row.startDate),
    end_date: iso(row.endDate),
    max_executions: row.maxExecutions,
    input: JSON.stringify(row.input),
    priority: row.priority,
    retry_policy: JSON.stringify(row.retryPolicy),
    overlap_policy: row.overlapPolicy,
    misfire_policy: row.misfirePolicy,
    catchup_window_ms: row.catchupWindowMs,
    jitter_ms: row.jitterMs,
    metadata: JSON.stringify(row.metadata),
    state: row.state,
    version: row.version,
    next_run_at: iso(row.nextRunAt),
    paused_note: row.pausedNote,
    execution_count: row.executionCount,
    missed_count: row.missedCount,
    conflict_profile: row.conflictProfile,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  }
}

/** Who created a schedule, for its `schedule.created` audit entry. */
export interface ScheduleCreator {
  actor: string
}

/**
 * The audit entry written by the same statement as the rows (a data-modifying CTE): the entry commits with
 * the row or not at all, without a transaction or round trip of its own. `ins` is the INSERT's RETURNING.
 */
function auditOfCreates(sql: Sql | TransactionSql, entries: { id: string; target: string; actor: string }[]) {
  return sql`
    insert into audit_log (id, tenant, actor, action, target_type, target_id, at, details)
    select a.id, ins.tenant, a.actor, 'schedule.created', 'schedule', ins.id::text, ins.created_at,
           jsonb_build_object('name', ins.name, 'workflowId', ins.workflow_id)
    from ins join jsonb_to_recordset(${JSON.stringify(entries)}::jsonb) as a(id uuid, target uuid, actor text)
      on a.target = ins.id`
}

/**
 * The create path's INSERT in plain postgres.js (the API's hottest write, without the query-builder cost).
 * One statement, so one transaction; throws the unique or foreign-key violation as is. The same statement
 * writes the `schedule.created` audit entry.
 */
export async function insertScheduleRow(
  sql: Sql | TransactionSql,
  row: ScheduleRow,
  creator: ScheduleCreator,
): Promise<void> {
  const audit = [{ id: uuidv7(), target: row.id, actor: creator.actor }]
  await sql`
    with ins as (insert into schedules ${sql(scheduleRecord(row))} returning id, tenant, name, workflow_id, created_at)
    ${auditOfCreates(sql, audit)}`
}

/**
 * Many creates in one statement (group commit). Rows that collide with an existing name or id are skipped
 * and left out of the answer; any other error (e.g. an unknown workflow) fails the whole statement, and the
 * caller falls back to one INSERT per row to tell which row is at fault. `creators[i]` is the creator of
 * `rows[i]`: each inserted row gets its audit entry in the same statement, a skipped row none.
 */
export async function insertScheduleRows(
  sql: Sql | TransactionSql,
  rows: ScheduleRow[],
  creators: ScheduleCreator[],
): Promise<Set<string>> {
  const audit = rows.map((row, i) => ({ id: uuidv7(), target: row.id, actor: creators[i]!.actor }))
  const inserted = await sql<{ id: string }[]>`
    with ins as (
      insert into schedules ${sql(rows.map(scheduleRecord))} on conflict do nothing
      returning id, tenant, name, workflow_id, created_at
    ), audit as (${auditOfCreates(sql, audit)})
    select id from ins`
  return new Set(inserted.map((r) => r.id))
}
