import { and, asc, eq, gt } from 'drizzle-orm'
import { workflows } from '../schema/workflows.ts'
import type { DbExecutor } from './executor.ts'

export type WorkflowRow = typeof workflows.$inferSelect
export type NewWorkflowRow = typeof workflows.$inferInsert

export function createWorkflowsRepo(db: DbExecutor) {
  return {
    async insert(row: NewWorkflowRow): Promise<WorkflowRow> {
      const [created] = await db.insert(workflows).values(row).returning()
      return created!
    },
    async get(
      tenant: string,
      id: string,
      opts: { forUpdate?: boolean } = {},
    ): Promise<WorkflowRow | undefined> {
      const q = db
        .select()
        .from(workflows)
        .where(and(eq(workflows.tenant, tenant), eq(workflows.id, id)))
      const [row] = opts.forUpdate ? await q.for('update') : await q
      return row
    },
    async list(tenant: string, opts: { limit: number; after?: string | undefined }): Promise<WorkflowRow[]> {
      const where = opts.after
        ? and(eq(workflows.tenant, tenant), gt(workflows.id, opts.after))
        : eq(workflows.tenant, tenant)
      return db.select().from(workflows).where(where).orderBy(asc(workflows.id)).limit(opts.limit)
    },
    async update(
      tenant: string,
      id: string,
      patch: Partial<NewWorkflowRow>,
    ): Promise<WorkflowRow | undefined> {
      const [row] = await db
        .update(workflows)
        .set(patch)
        .where(and(eq(workflows.tenant, tenant), eq(workflows.id, id)))
        .returning()
      return row
    },
    async delete(tenant: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(workflows)
        .where(and(eq(workflows.tenant, tenant), eq(workflows.id, id)))
        .returning({ id: workflows.id })
      return rows.length > 0
    },
  }
}
export type WorkflowsRepo = ReturnType<typeof createWorkflowsRepo>
