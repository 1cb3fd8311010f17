import { and, asc, eq, gt } from 'drizzle-orm'
import { workflows } from '../schema/workflows.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'
import { tenantRows } from './tenant-rows.ts'

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
  const rows = tenantRows(db, workflows)
  return {
    insert: rows.insert,
    get: rows.get,
    async list(tenant: string, opts: WorkflowListOptions): Promise<WorkflowRow[]> {
      return listQuery(db, tenant, opts)
    },
    /** One page of the list: at most `limit` rows and PAGE_FETCH_BYTES of steps (the row past it included). */
    async page(tenant: string, opts: WorkflowListOptions): Promise<RowPage<WorkflowRow>> {
      const query = listQuery(db, tenant, { ...opts, limit: opts.limit + 1 })
      return selectPage(db, query, { limit: opts.limit, order: 'asc', sized: ['steps', 'description'] })
    },
    update: rows.update,
    delete: rows.delete,
  }
}
export type WorkflowsRepo = ReturnType<typeof createWorkflowsRepo>
