import { and, eq } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { DbExecutor } from './executor.ts'

/** A table whose rows belong to a tenant and are named by their `id`: workflows, schedules, triggers. */
type TenantTable = PgTable & { tenant: PgColumn; id: PgColumn }

/**
 * The reads and writes of one row by (tenant, id) that the CRUD repositories share (workflows, schedules,
 * triggers). Each is one statement `where tenant = $1 and id = $2`, as each repository wrote it before.
 */
export function tenantRows<T extends TenantTable>(db: DbExecutor, table: T) {
  type Row = T['$inferSelect']
  // Typed as the base table for drizzle's builders (its generic checks do not resolve through T).
  const t: TenantTable = table
  const byId = (tenant: string, id: string) => and(eq(t.tenant, tenant), eq(t.id, id))
  return {
    async insert(row: T['$inferInsert']): Promise<Row> {
      const [created] = await db.insert(t).values(row).returning()
      return created as Row
    },
    async get(tenant: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<Row | undefined> {
      const q = db.select().from(t).where(byId(tenant, id))
      const [row] = opts.forUpdate ? await q.for('update') : await q
      return row as Row | undefined
    },
    /** Writes a new version of the row; the caller holds the row lock (get with forUpdate) in the same transaction. */
    async update(tenant: string, id: string, patch: Partial<T['$inferInsert']>): Promise<Row | undefined> {
      const [row] = await db.update(t).set(patch).where(byId(tenant, id)).returning()
      return row as Row | undefined
    },
    /** Deletes the row; true when there was one. */
    async delete(tenant: string, id: string): Promise<boolean> {
      const rows = await db.delete(t).where(byId(tenant, id)).returning({ id: t.id })
      return rows.length > 0
    },
  }
}
