import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm'
import { type TriggerType, triggers } from '../schema/triggers.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'
import { tenantRows } from './tenant-rows.ts'

export type TriggerRow = typeof triggers.$inferSelect
export type NewTriggerRow = typeof triggers.$inferInsert

export interface TriggerListOptions {
  limit: number
  /** Cursor: only ids above this one (oldest first). */
  after?: string | undefined
  type?: TriggerType | undefined
  workflowId?: string | undefined
}

function listQuery(db: DbExecutor, tenant: string, opts: TriggerListOptions) {
  const conditions: SQL[] = [eq(triggers.tenant, tenant)]
  if (opts.after) conditions.push(gt(triggers.id, opts.after))
  if (opts.type) conditions.push(eq(triggers.type, opts.type))
  if (opts.workflowId) conditions.push(eq(triggers.workflowId, opts.workflowId))
  return db
    .select()
    .from(triggers)
    .where(and(...conditions))
    .orderBy(asc(triggers.id))
    .limit(opts.limit)
}

/** Trigger management (the API's CRUD). Ingestion reads triggers with its own, narrower queries. */
export function createTriggersRepo(db: DbExecutor) {
  const rows = tenantRows(db, triggers)
  return {
    insert: rows.insert,
    get: rows.get,
    async list(tenant: string, opts: TriggerListOptions): Promise<TriggerRow[]> {
      return listQuery(db, tenant, opts)
    },
    /** One page of the list: at most `limit` rows and PAGE_FETCH_BYTES of filters. */
    async page(tenant: string, opts: TriggerListOptions): Promise<RowPage<TriggerRow>> {
      const query = listQuery(db, tenant, { ...opts, limit: opts.limit + 1 })
      return selectPage(db, query, { limit: opts.limit, order: 'asc', sized: ['filter'] })
    },
    update: rows.update,
    /**
     * TENANT_MAX_SUBPATTERNS_PER_ANCHOR: of `anchors` (core subpatternAnchors), the one the most triggers of the
     * tenant other than `exceptId` already hold, and how many (enabled or not); undefined when none holds any.
     * One statement through the GIN index on subpattern_anchors; exact under the tenant's locked usage row.
     */
    async mostHeldAnchor(
      tenant: string,
      anchors: readonly string[],
      exceptId?: string,
    ): Promise<{ anchor: string; holders: number } | undefined> {
      if (anchors.length === 0) return undefined
      const list = sql`${`{${anchors.map((a) => `"${a.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`}::text[]`
      const rows = (await db.execute(sql`
        select a as anchor, count(*)::int as holders
          from triggers t, unnest(t.subpattern_anchors) a
         where t.tenant = ${tenant} and t.subpattern_anchors && ${list} and a = any(${list})
           ${exceptId === undefined ? sql`` : sql`and t.id <> ${exceptId}`}
         group by a order by holders desc, a limit 1`)) as unknown as { anchor: string; holders: number }[]
      return rows[0]
    },
    async delete(tenant: string, id: string): Promise<{ name: string } | undefined> {
      const [row] = await db
        .delete(triggers)
        .where(and(eq(triggers.tenant, tenant), eq(triggers.id, id)))
        .returning({ name: triggers.name })
      return row
    },
  }
}
export type TriggersRepo = ReturnType<typeof createTriggersRepo>
