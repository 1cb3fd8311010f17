import { and, asc, desc, eq, inArray, lt, type SQL, sql } from 'drizzle-orm'
import { type ExecutionStatus, executions } from '../schema/executions.ts'
import { statusGuard } from '../status-guard.ts'
import { countByStatusSince, scheduleSummary, tenantStats, throughputPerMinute } from './execution-stats.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'

export type ExecutionRow = typeof executions.$inferSelect
export type NewExecutionRow = typeof executions.$inferInsert

export interface ExecutionListFilter {
  limit: number
  /** Cursor: only ids below this one (the list is newest first). */
  before?: string | undefined
  status?: ExecutionStatus | undefined
  scheduleId?: string | undefined
  triggerId?: string | undefined
}

/**
 * Newest first, paginated by id (UUIDv7). Plans checked on 1M rows: executions_tenant_id_idx (or the
 * primary key for a tenant holding most rows), executions_status_idx, executions_schedule_idx,
 * executions_trigger_idx; scheduleId + status is a BitmapAnd of the schedule and status indexes.
 */
function listQuery(db: DbExecutor, tenant: string, filter: ExecutionListFilter) {
  const conditions: SQL[] = [eq(executions.tenant, tenant)]
  if (filter.before) conditions.push(lt(executions.id, filter.before))
  if (filter.status) conditions.push(eq(executions.status, filter.status))
  if (filter.scheduleId) conditions.push(eq(executions.scheduleId, filter.scheduleId))
  if (filter.triggerId) conditions.push(eq(executions.triggerId, filter.triggerId))
  return db
    .select()
    .from(executions)
    .where(and(...conditions))
    .orderBy(desc(executions.id))
    .limit(filter.limit)
}

const iso = (d: Date) => d.toISOString()

/**
 * The cancel request, in one statement so that it cannot interleave with a runner's conditional start:
 * `queued`/`retrying` → `cancelled` (finished now); `running` → unchanged but `cancel_requested_at` set
 * (its owner aborts it). Finished or unknown rows are left alone: undefined (the caller tells 404 from 409).
 */
async function requestCancel(
  db: DbExecutor,
  tenant: string,
  id: string,
  at: Date,
): Promise<ExecutionRow | undefined> {
  const now = sql`${iso(at)}::timestamptz`
  const running = sql`${executions.status} = 'running'`
  const [row] = await db
    .update(executions)
    .set({
      status: sql`case when ${running} then ${executions.status} else 'cancelled' end`,
      finishedAt: sql`case when ${running} then ${executions.finishedAt} else ${now} end`,
      cancelRequestedAt: sql`case when ${running} then coalesce(${executions.cancelRequestedAt}, ${now}) else ${executions.cancelRequestedAt} end`,
    })
    .where(
      and(eq(executions.tenant, tenant), eq(executions.id, id), statusGuard(executions.status, 'cancel')),
    )
    .returning()
  return row
}

/**
 * buffer_one: the oldest fire of the schedule held back in Postgres is released (held = false, enqueued
 * now); the caller adds it to Redis after commit. Call it holding the schedule's lock, after an unfinished
 * fire of the schedule ended.
 */
async function releaseHeldFire(
  db: DbExecutor,
  scheduleId: string,
  at: Date,
): Promise<ExecutionRow | undefined> {
  const oldest = db
    .select({ id: executions.id })
    .from(executions)
    .where(
      and(
        eq(executions.scheduleId, scheduleId),
        eq(executions.kind, 'fire'),
        eq(executions.held, true),
        statusGuard(executions.status, 'releaseHeld', { plain: true }),
      ),
    )
    .orderBy(asc(executions.scheduledFor), asc(executions.id))
    .limit(1)
  const [row] = await db
    .update(executions)
    .set({ held: false, enqueuedAt: at })
    .where(
      and(
        inArray(executions.id, oldest),
        eq(executions.held, true),
        statusGuard(executions.status, 'releaseHeld'),
      ),
    )
    .returning()
  return row
}

export function createExecutionsRepo(db: DbExecutor) {
  return {
    async find(tenant: string, id: string): Promise<ExecutionRow | undefined> {
      const [row] = await db
        .select()
        .from(executions)
        .where(and(eq(executions.tenant, tenant), eq(executions.id, id)))
      return row
    },

    async insert(row: NewExecutionRow): Promise<void> {
      await db.insert(executions).values(row)
    },

    /** Newest first, paginated by id (see listQuery). */
    async list(tenant: string, filter: ExecutionListFilter): Promise<ExecutionRow[]> {
      return listQuery(db, tenant, filter)
    },
    /** One page of the list: at most `limit` rows and PAGE_FETCH_BYTES of input, step outcomes and errors. */
    async page(tenant: string, filter: ExecutionListFilter): Promise<RowPage<ExecutionRow>> {
      const query = listQuery(db, tenant, { ...filter, limit: filter.limit + 1 })
      return selectPage(db, query, { limit: filter.limit, order: 'desc', sized: ['input', 'steps', 'error'] })
    },

    /**
     * Locks a schedule row (as the scheduler does before an overlap decision, and the runner before ending a
     * fire): schedule before executions, everywhere.
     */
    async lockSchedule(scheduleId: string): Promise<void> {
      await db.execute(sql`select id from schedules where id = ${scheduleId} for update`)
    },

    /** A waiting (queued / retrying) execution's new priority; undefined when it is not waiting (or unknown). */
    async setPriority(tenant: string, id: string, priority: number): Promise<ExecutionRow | undefined> {
      const [row] = await db
        .update(executions)
        .set({ priority })
        .where(
          and(
            eq(executions.tenant, tenant),
            eq(executions.id, id),
            statusGuard(executions.status, 'setPriority'),
          ),
        )
        .returning()
      return row
    },

    /** A dead execution redriven by `retry`: the bulk redrive never takes it afterwards. */
    async markRedriven(tenant: string, id: string, at: Date): Promise<void> {
      await db
        .update(executions)
        .set({ redrivenAt: sql`coalesce(${executions.redrivenAt}, ${iso(at)}::timestamptz)` })
        .where(and(eq(executions.tenant, tenant), eq(executions.id, id), eq(executions.status, 'dead')))
    },

    requestCancel: (tenant: string, id: string, at: Date) => requestCancel(db, tenant, id, at),
    releaseHeldFire: (scheduleId: string, at: Date) => releaseHeldFire(db, scheduleId, at),
    scheduleSummary: (tenant: string, scheduleId: string) => scheduleSummary(db, tenant, scheduleId),
    tenantStats: (tenant: string, at: Date) => tenantStats(db, tenant, at),
    countByStatusSince: (since: Date) => countByStatusSince(db, since),
    throughputPerMinute: (tenant: string, from: Date, to: Date) => throughputPerMinute(db, tenant, from, to),
  }
}
export type ExecutionsRepo = ReturnType<typeof createExecutionsRepo>
