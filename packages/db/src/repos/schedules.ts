import { and, asc, eq, getTableColumns, gt, type SQL, sql } from 'drizzle-orm'
import type { Sql, TransactionSql } from 'postgres'
import { type ScheduleState, schedules } from '../schema/schedules.ts'
import type { DbExecutor } from './executor.ts'

export type ScheduleRow = typeof schedules.$inferSelect
export type NewScheduleRow = typeof schedules.$inferInsert

/** Every column but the conflict-index profile, which reads never need (it is up to 1,440 numbers). */
const { fireMinutes: _fireMinutes, ...readColumns } = getTableColumns(schedules)
export type ScheduleView = Omit<ScheduleRow, 'fireMinutes'>

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
    /** Inserts without reading the row back: the caller already holds every value it wrote. */
    async insertOnly(row: NewScheduleRow): Promise<void> {
      await db.insert(schedules).values(row)
    },
    async insert(row: NewScheduleRow): Promise<ScheduleRow> {
      const [created] = await db.insert(schedules).values(row).returning()
      return created!
    },
    async get(
      tenant: string,
      id: string,
      opts: { forUpdate?: boolean } = {},
    ): Promise<ScheduleRow | undefined> {
      const q = db
        .select()
        .from(schedules)
        .where(and(eq(schedules.tenant, tenant), eq(schedules.id, id)))
      const [row] = opts.forUpdate ? await q.for('update') : await q
      return row
    },
    async list(
      tenant: string,
      opts: {
        limit: number
        after?: string | undefined
        workflowId?: string | undefined
        state?: ScheduleState | undefined
      },
    ): Promise<ScheduleView[]> {
      const conditions: SQL[] = [eq(schedules.tenant, tenant)]
      if (opts.after) conditions.push(gt(schedules.id, opts.after))
      if (opts.workflowId) conditions.push(eq(schedules.workflowId, opts.workflowId))
      if (opts.state) conditions.push(eq(schedules.state, opts.state))
      return db
        .select(readColumns)
        .from(schedules)
        .where(and(...conditions))
        .orderBy(asc(schedules.id))
        .limit(opts.limit)
    },
    /** Writes a new version of the row; the caller holds the row lock (get with forUpdate) in the same transaction. */
    async update(
      tenant: string,
      id: string,
      patch: Partial<NewScheduleRow>,
    ): Promise<ScheduleRow | undefined> {
      const [row] = await db
        .update(schedules)
        .set(patch)
        .where(and(eq(schedules.tenant, tenant), eq(schedules.id, id)))
        .returning()
      return row
    },
    async delete(tenant: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(schedules)
        .where(and(eq(schedules.tenant, tenant), eq(schedules.id, id)))
        .returning({ id: schedules.id })
      return rows.length > 0
    },
  }
}
export type SchedulesRepo = ReturnType<typeof createSchedulesRepo>

/**
 * The create path's INSERT in plain postgres.js: the API's hottest write, without the query-builder cost.
 * Runs on the client (one single-statement transaction) or on a transaction from `sql.begin`. drizzle installs pass-through codecs on the shared client, so
 * times go in as ISO strings and JSON as text, cast in SQL.
 */
export async function insertScheduleRow(sql: Sql | TransactionSql, row: ScheduleRow): Promise<void> {
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  await sql`
    insert into schedules (
      id, tenant, workflow_id, name, cron_expression, timezone, enabled, start_date, end_date, max_executions,
      input, priority, retry_policy, overlap_policy, misfire_policy, catchup_window_ms, jitter_ms, metadata,
      state, version, next_run_at, paused_note, execution_count, missed_count, fire_minutes, created_at, updated_at
    ) values (
      ${row.id}, ${row.tenant}, ${row.workflowId}, ${row.name}, ${row.cronExpression}, ${row.timezone},
      ${row.enabled}, ${iso(row.startDate)}::timestamptz, ${iso(row.endDate)}::timestamptz, ${row.maxExecutions},
      ${JSON.stringify(row.input)}::jsonb, ${row.priority}, ${JSON.stringify(row.retryPolicy)}::jsonb,
      ${row.overlapPolicy}, ${row.misfirePolicy}, ${row.catchupWindowMs}, ${row.jitterMs},
      ${JSON.stringify(row.metadata)}::jsonb, ${row.state}, ${row.version}, ${iso(row.nextRunAt)}::timestamptz,
      ${row.pausedNote}, ${row.executionCount}, ${row.missedCount}, ${`{${row.fireMinutes.join(',')}}`}::smallint[],
      ${iso(row.createdAt)}::timestamptz, ${iso(row.updatedAt)}::timestamptz
    )`
}
