import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import type { Sql } from 'postgres'
import { tenantSecrets, workflowSecretRefs } from '../schema/secrets.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'

export type TenantSecretRow = typeof tenantSecrets.$inferSelect
/** A secret as listed: never its value. */
export type TenantSecretListRow = Omit<TenantSecretRow, 'valueCiphertext'>

export interface SecretListOptions {
  limit: number
  /** Cursor: only ids above this one (oldest first). */
  after?: string | undefined
}

/** One page of the tenant's secrets, oldest first, without their values. */
async function pageSecrets(
  db: DbExecutor,
  tenant: string,
  opts: SecretListOptions,
): Promise<RowPage<TenantSecretListRow>> {
  const where = opts.after
    ? and(eq(tenantSecrets.tenant, tenant), gt(tenantSecrets.id, opts.after))
    : eq(tenantSecrets.tenant, tenant)
  const query = db
    .select({
      id: tenantSecrets.id,
      tenant: tenantSecrets.tenant,
      name: tenantSecrets.name,
      allowedHosts: tenantSecrets.allowedHosts,
      createdAt: tenantSecrets.createdAt,
      updatedAt: tenantSecrets.updatedAt,
    })
    .from(tenantSecrets)
    .where(where)
    .orderBy(asc(tenantSecrets.id))
    .limit(opts.limit + 1)
  return selectPage(db, query, { limit: opts.limit, order: 'asc', sized: ['allowedHosts'] })
}

/**
 * Tenant secrets and the workflows' references to them. A secret in use may not be deleted: the delete and a
 * workflow write that refers to the secret are ordered by the secret's row lock (the delete takes FOR UPDATE,
 * the workflow write FOR KEY SHARE before it writes its references), so the delete's check for references,
 * a statement of its own after the lock, sees every reference committed before it.
 */
export function createTenantSecretsRepo(db: DbExecutor) {
  return {
    /** Creates or replaces the secret; `created` tells which. Keeps the id and createdAt of a replaced one. */
    async put(row: {
      id: string
      tenant: string
      name: string
      valueCiphertext: string
      allowedHosts: string[] | null
      at: Date
    }): Promise<{ created: boolean }> {
      const [out] = await db
        .insert(tenantSecrets)
        .values({ ...row, createdAt: row.at, updatedAt: row.at })
        .onConflictDoUpdate({
          target: [tenantSecrets.tenant, tenantSecrets.name],
          set: {
            valueCiphertext: row.valueCiphertext,
            allowedHosts: row.allowedHosts,
            updatedAt: row.at,
          },
        })
        .returning({ id: tenantSecrets.id })
      return { created: out?.id === row.id }
    },
    page: (tenant: string, opts: SecretListOptions) => pageSecrets(db, tenant, opts),
    /**
     * Deletes the secret unless a workflow refers to it. Run inside a transaction: the row lock, then the
     * reference check (its own statement, so it sees references committed while the lock was awaited).
     */
    async deleteUnreferenced(tenant: string, name: string): Promise<'deleted' | 'not_found' | 'in_use'> {
      const byName = and(eq(tenantSecrets.tenant, tenant), eq(tenantSecrets.name, name))
      const [locked] = await db
        .select({ id: tenantSecrets.id })
        .from(tenantSecrets)
        .where(byName)
        .for('update')
      if (!locked) return 'not_found'
      const [ref] = await db
        .select({ workflowId: workflowSecretRefs.workflowId })
        .from(workflowSecretRefs)
        .where(and(eq(workflowSecretRefs.tenant, tenant), eq(workflowSecretRefs.secretName, name)))
        .limit(1)
      if (ref) return 'in_use'
      await db.delete(tenantSecrets).where(byName)
      return 'deleted'
    },
    /**
     * The workflow's references become `names` (its steps were just written). Run inside the workflow's
     * transaction; the existing secrets among `names` are share-locked first (see above).
     */
    async replaceWorkflowRefs(tenant: string, workflowId: string, names: readonly string[]): Promise<void> {
      if (names.length > 0) {
        await db
          .select({ id: tenantSecrets.id })
          .from(tenantSecrets)
          .where(and(eq(tenantSecrets.tenant, tenant), inArray(tenantSecrets.name, [...names])))
          .for('key share')
      }
      await db.delete(workflowSecretRefs).where(eq(workflowSecretRefs.workflowId, workflowId))
      if (names.length > 0) {
        await db
          .insert(workflowSecretRefs)
          .values(names.map((secretName) => ({ tenant, workflowId, secretName })))
      }
    },
    /** The workflows (ids) that refer to a secret, for tests and operators. */
    async referrers(tenant: string, name: string): Promise<string[]> {
      const rows = await db
        .select({ workflowId: workflowSecretRefs.workflowId })
        .from(workflowSecretRefs)
        .where(and(eq(workflowSecretRefs.tenant, tenant), eq(workflowSecretRefs.secretName, name)))
        .orderBy(sql`1`)
      return rows.map((r) => r.workflowId)
    },
  }
}
export type TenantSecretsRepo = ReturnType<typeof createTenantSecretsRepo>

/** A secret as a worker opens it. */
export interface SealedSecretForRun {
  name: string
  valueCiphertext: string
  allowedHosts: string[] | null
}

/** The worker's read at run time: the tenant's secrets among `names` (those that exist). */
export async function loadSecretsForRun(
  sql: Sql,
  tenant: string,
  names: readonly string[],
): Promise<SealedSecretForRun[]> {
  return sql<SealedSecretForRun[]>`
    select name, value_ciphertext as "valueCiphertext", allowed_hosts as "allowedHosts"
      from tenant_secrets
     where tenant = ${tenant} and name = any(${names as string[]}::text[])`
}
