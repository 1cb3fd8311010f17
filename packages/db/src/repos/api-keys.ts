import { and, asc, eq, gt, sql } from 'drizzle-orm'
import { apiKeys } from '../schema/api-keys.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'
import { tenantRows } from './tenant-rows.ts'

export type ApiKeyRow = typeof apiKeys.$inferSelect
export type NewApiKeyRow = typeof apiKeys.$inferInsert

/** What authenticating a request needs of a key (looked up by the SHA-256 of the key). */
export type ApiKeyIdentity = Pick<ApiKeyRow, 'id' | 'tenant' | 'role' | 'expiresAt' | 'lastUsedAt'>

export interface ApiKeyListOptions {
  limit: number
  /** Cursor: only ids above this one (oldest first). */
  after?: string | undefined
}

function listQuery(db: DbExecutor, tenant: string, opts: ApiKeyListOptions) {
  const where = opts.after
    ? and(eq(apiKeys.tenant, tenant), gt(apiKeys.id, opts.after))
    : eq(apiKeys.tenant, tenant)
  return db.select().from(apiKeys).where(where).orderBy(asc(apiKeys.id)).limit(opts.limit)
}

/** API keys: the admin's CRUD and the authentication lookup. */
export function createApiKeysRepo(db: DbExecutor) {
  const rows = tenantRows(db, apiKeys)
  return {
    insert: rows.insert,
    async page(tenant: string, opts: ApiKeyListOptions): Promise<RowPage<ApiKeyRow>> {
      const query = listQuery(db, tenant, { ...opts, limit: opts.limit + 1 })
      return selectPage(db, query, { limit: opts.limit, order: 'asc', sized: ['name'] })
    },
    async delete(tenant: string, id: string): Promise<{ name: string } | undefined> {
      const [row] = await db
        .delete(apiKeys)
        .where(and(eq(apiKeys.tenant, tenant), eq(apiKeys.id, id)))
        .returning({ name: apiKeys.name })
      return row
    },
    /** The key whose SHA-256 (hex) is `keyHash`, by its unique index; undefined for none. */
    async findByHash(keyHash: string): Promise<ApiKeyIdentity | undefined> {
      const [row] = await db
        .select({
          id: apiKeys.id,
          tenant: apiKeys.tenant,
          role: apiKeys.role,
          expiresAt: apiKeys.expiresAt,
          lastUsedAt: apiKeys.lastUsedAt,
        })
        .from(apiKeys)
        .where(eq(apiKeys.keyHash, keyHash))
      return row
    },
    /**
     * lastUsedAt = `at`, unless it was written less than a minute before (by this replica or another): at most
     * one write a minute per key. True when this call wrote it.
     */
    async touch(id: string, at: Date): Promise<boolean> {
      const written = await db
        .update(apiKeys)
        .set({ lastUsedAt: at })
        .where(
          and(
            eq(apiKeys.id, id),
            sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} <= ${at.toISOString()}::timestamptz - interval '1 minute')`,
          ),
        )
        .returning({ id: apiKeys.id })
      return written.length > 0
    },
  }
}
export type ApiKeysRepo = ReturnType<typeof createApiKeysRepo>
