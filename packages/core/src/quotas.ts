import { AppError } from './errors.ts'
import { isValueOnlyLeaf, readLeaf } from './events/leaf-entries.ts'

/** The per-tenant quotas of the contract (env TENANT_MAX_*). */
export interface TenantQuotas {
  maxSchedules: number
  maxTriggers: number
  maxFilterMatchers: number
  maxUnanchoredSubpatterns: number
}

export const DEFAULT_TENANT_QUOTAS: TenantQuotas = {
  maxSchedules: 100_000,
  maxTriggers: 10_000,
  maxFilterMatchers: 100_000,
  maxUnanchoredSubpatterns: 16,
}

export type QuotaName =
  | 'TENANT_MAX_SCHEDULES'
  | 'TENANT_MAX_TRIGGERS'
  | 'TENANT_MAX_FILTER_MATCHERS'
  | 'TENANT_MAX_UNANCHORED_SUBPATTERNS'

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

/**
 * What TENANT_MAX_UNANCHORED_SUBPATTERNS counts in one event trigger's filter: its nested pattern objects (not
 * the root, which meets one instance: an event's data is one object) with two keys or more, none of which is a
 * leaf that only values can satisfy (isValueOnlyLeaf: exact values, prefixes, suffixes). Such an object asks
 * one array element to satisfy all its keys and cannot be filed under a value, so the PatternIndex answers it
 * on every element of the array it looks into: elements × such objects (pattern-index.ts). A webhook trigger's
 * filter is matched alone (one object per path), so it counts 0. Migration 0008 counts stored filters the same way.
 */
export function countUnanchoredSubpatterns(filter: unknown): number {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return 0
  let n = 0
  const walk = (obj: Record<string, unknown>, depth: number) => {
    const keys = Object.keys(obj)
    if (depth > 1 && keys.length >= 2) {
      const anchored = keys.some((k) => {
        const v = obj[k]
        return Array.isArray(v) && isValueOnlyLeaf(readLeaf(v))
      })
      if (!anchored) n++
    }
    for (const k of keys) {
      const v = obj[k]
      if (typeof v === 'object' && v !== null && !Array.isArray(v))
        walk(v as Record<string, unknown>, depth + 1)
    }
  }
  walk(filter as Record<string, unknown>, 1)
  return n
}

/** The 422 for a create or update that would take the tenant past a quota. */
export function quotaExceeded(quota: QuotaName, limit: number, path = 'body'): AppError {
  const what = {
    TENANT_MAX_SCHEDULES: 'schedules',
    TENANT_MAX_TRIGGERS: 'triggers',
    TENANT_MAX_FILTER_MATCHERS: 'filter values and matchers (summed over the tenant’s trigger filters)',
    TENANT_MAX_UNANCHORED_SUBPATTERNS:
      'unanchored multi-key sub-patterns (nested filter objects of two keys or more without a leaf of only values, summed over the tenant’s event trigger filters)',
  }[quota]
  return new AppError('SCHED_ERR_QUOTA_EXCEEDED', `The tenant may hold at most ${limit} ${what} (${quota})`, [
    { path, message: `would exceed ${quota} (${limit})` },
  ])
}
