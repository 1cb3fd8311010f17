import { and, asc, eq, gt, type SQL } from 'drizzle-orm'
import { type ScheduleState, schedules } from '../schema/schedules.ts'
import type { DbExecutor } from './executor.ts'

export type ScheduleRow = typeof schedules.$inferSelect
export type NewScheduleRow = typeof schedules.$inferInsert

export function createSchedulesRepo(db: DbExecutor) {
  return {
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
    ): Promise<ScheduleRow[]> {
      const conditions: SQL[] = [eq(schedules.tenant, tenant)]
      if (opts.after) conditions.push(gt(schedules.id, opts.after))
      if (opts.workflowId) conditions.push(eq(schedules.workflowId, opts.workflowId))
      if (opts.state) conditions.push(eq(schedules.state, opts.state))
      return db
        .select()
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
