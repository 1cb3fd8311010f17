import { and, asc, eq, gt } from 'drizzle-orm'
import { workflows } from '../schema/workflows.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'

export type WorkflowRow = typeof workflows.$inferSelect
export type NewWorkflowRow = typeof workflows.$inferInsert
export interface WorkflowListOptions {
  limit: number
  /** Cursor: only ids above this one (oldest first). */
  after?: string | undefined
}

function listQuery(db: DbExecutor, tenant: string, opts: WorkflowListOptions) {
  const where = opts.after
    ? and(eq(workflows.tenant, tenant), gt(workflows.id, opts.after))
    : eq(workflows.tenant, tenant)
  return db.select().from(workflows).where(where).orderBy(asc(workflows.id)).limit(opts.limit)
}

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
    async list(tenant: string, opts: WorkflowListOptions): Promise<WorkflowRow[]> {
      return listQuery(db, tenant, opts)
    },
    /** One page of the list: at most `limit` rows and PAGE_FETCH_BYTES of steps (the row past it included). */
    async page(tenant: string, opts: WorkflowListOptions): Promise<RowPage<WorkflowRow>> {
      const query = listQuery(db, tenant, { ...opts, limit: opts.limit + 1 })
      return selectPage(db, query, { limit: opts.limit, order: 'asc', sized: ['steps', 'description'] })
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
