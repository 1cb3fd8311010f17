import { eq } from 'drizzle-orm'
import type { Sql, TransactionSql } from 'postgres'
import { tenantUsage } from '../schema/tenant-usage.ts'
import type { DbExecutor } from './executor.ts'

/** What a tenant holds (table tenant_usage, kept exact by triggers; see schema/tenant-usage.ts). */
export interface TenantUsage {
  schedules: number
  triggers: number
  filterMatchers: number
  unanchoredSubpatterns: number
}

/**
 * Locks the usage rows of `tenants` (creating missing ones) until the transaction ends, and returns what each
 * holds now: the latest committed counts, also when the lock had to wait for another create. Tenants are
 * locked in sorted order, so two batches of the same tenants cannot deadlock. Call it inside a transaction,
 * before the writes it guards; the writes' triggers then update the counts under the same lock.
 */
export async function lockTenantUsage(
  tx: TransactionSql | Sql,
  tenants: readonly string[],
): Promise<Map<string, TenantUsage>> {
  const sorted = [...new Set(tenants)].sort()
  // SELECT … FOR UPDATE writes no new row version (a no-op upsert would, on the hottest row of a tenant); a
  // tenant's row is created once, by its first write, and then locked by a statement of its own snapshot.
  const lock = () => tx<
    {
      tenant: string
      schedules: number
      triggers: number
      filter_matchers: number
      unanchored_subpatterns: number
    }[]
  >`
    select tenant, schedules, triggers, filter_matchers, unanchored_subpatterns from tenant_usage
     where tenant = any(${sorted}::text[]) order by tenant for update`
  let rows = await lock()
  if (rows.length < sorted.length) {
    await tx`insert into tenant_usage (tenant) select unnest(${sorted}::text[]) on conflict (tenant) do nothing`
    rows = await lock()
  }
  return new Map(
    rows.map((r) => [
      r.tenant,
      {
        schedules: r.schedules,
        triggers: r.triggers,
        filterMatchers: r.filter_matchers,
        unanchoredSubpatterns: r.unanchored_subpatterns,
      },
    ]),
  )
}

/** lockTenantUsage for one tenant, inside a drizzle transaction (the same statements). */
export async function lockTenantUsageRow(tx: DbExecutor, tenant: string): Promise<TenantUsage> {
  const lock = () =>
    tx
      .select({
        schedules: tenantUsage.schedules,
        triggers: tenantUsage.triggers,
        filterMatchers: tenantUsage.filterMatchers,
        unanchoredSubpatterns: tenantUsage.unanchoredSubpatterns,
      })
      .from(tenantUsage)
      .where(eq(tenantUsage.tenant, tenant))
      .for('update')
  let [row] = await lock()
  if (!row) {
    await tx.insert(tenantUsage).values({ tenant }).onConflictDoNothing({ target: tenantUsage.tenant })
    ;[row] = await lock()
  }
  return row!
}
