import { AppError } from './errors.ts'

/** The per-tenant quotas of the contract (env TENANT_MAX_*). */
export interface TenantQuotas {
  maxSchedules: number
  maxTriggers: number
  maxFilterMatchers: number
}

export const DEFAULT_TENANT_QUOTAS: TenantQuotas = {
  maxSchedules: 100_000,
  maxTriggers: 10_000,
  maxFilterMatchers: 100_000,
}

export type QuotaName = 'TENANT_MAX_SCHEDULES' | 'TENANT_MAX_TRIGGERS' | 'TENANT_MAX_FILTER_MATCHERS'

/**
 * What TENANT_MAX_FILTER_MATCHERS counts in one filter: its leaf entries (allowed values and matchers), the
 * elements of every array reached through the pattern's objects. Migration 0007 counts stored filters the same way.
 */
export function countFilterMatchers(filter: unknown): number {
  if (Array.isArray(filter)) return filter.length
  if (typeof filter !== 'object' || filter === null) return 0
  let n = 0
  for (const value of Object.values(filter)) n += countFilterMatchers(value)
  return n
}

/** The 422 for a create or update that would take the tenant past a quota. */
export function quotaExceeded(quota: QuotaName, limit: number, path = 'body'): AppError {
  const what = {
    TENANT_MAX_SCHEDULES: 'schedules',
    TENANT_MAX_TRIGGERS: 'triggers',
    TENANT_MAX_FILTER_MATCHERS: 'filter values and matchers (summed over the tenant’s trigger filters)',
  }[quota]
  return new AppError('SCHED_ERR_QUOTA_EXCEEDED', `The tenant may hold at most ${limit} ${what} (${quota})`, [
    { path, message: `would exceed ${quota} (${limit})` },
  ])
}
