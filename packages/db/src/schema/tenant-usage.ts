import { integer, pgTable, text } from 'drizzle-orm/pg-core'

/**
 * What each tenant holds, for the quotas (TENANT_MAX_SCHEDULES, TENANT_MAX_TRIGGERS, TENANT_MAX_FILTER_MATCHERS,
 * TENANT_MAX_UNANCHORED_SUBPATTERNS).
 * Kept exact by statement-level triggers on `schedules` and `triggers` (migrations 0007, 0008), whoever writes them;
 * a create locks its tenant's row first (repos/tenant-usage.ts), so two creates at the edge never both pass.
 */
export const tenantUsage = pgTable('tenant_usage', {
  tenant: text('tenant').primaryKey(),
  schedules: integer('schedules').notNull().default(0),
  triggers: integer('triggers').notNull().default(0),
  /** Leaf values and matchers summed over the tenant's trigger filters (triggers.filter_matchers). */
  filterMatchers: integer('filter_matchers').notNull().default(0),
  /** Unanchored multi-key sub-patterns summed over the tenant's event trigger filters (triggers.unanchored_subpatterns). */
  unanchoredSubpatterns: integer('unanchored_subpatterns').notNull().default(0),
})
