import { AppError } from './errors.ts'
import { isPatternScalar } from './events/pattern.ts'
import { anchorString, exactAnchorKey } from './events/subpattern-anchor.ts'

/** The per-tenant quotas of the contract (env TENANT_MAX_*). */
export interface TenantQuotas {
  maxSchedules: number
  maxTriggers: number
  maxFilterMatchers: number
  maxUnanchoredSubpatterns: number
  maxSubpatternsPerAnchor: number
}

export const DEFAULT_TENANT_QUOTAS: TenantQuotas = {
  maxSchedules: 100_000,
  maxTriggers: 10_000,
  maxFilterMatchers: 100_000,
  maxUnanchoredSubpatterns: 16,
  maxSubpatternsPerAnchor: 16,
}

export type QuotaName =
  | 'TENANT_MAX_SCHEDULES'
  | 'TENANT_MAX_TRIGGERS'
  | 'TENANT_MAX_FILTER_MATCHERS'
  | 'TENANT_MAX_UNANCHORED_SUBPATTERNS'
  | 'TENANT_MAX_SUBPATTERNS_PER_ANCHOR'

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
 * The nested pattern objects of a filter that ask one array element to satisfy several keys: every object
 * but the root (which meets one instance: an event's data is one object) with two keys or more, with the
 * keys from the root to it.
 */
function eachSubpattern(
  filter: unknown,
  visit: (obj: Record<string, unknown>, path: string[]) => void,
): void {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return
  const walk = (obj: Record<string, unknown>, path: string[]) => {
    const keys = Object.keys(obj)
    if (path.length > 0 && keys.length >= 2) visit(obj, path)
    for (const k of keys) {
      const v = obj[k]
      if (typeof v === 'object' && v !== null && !Array.isArray(v))
        walk(v as Record<string, unknown>, [...path, k])
    }
  }
  walk(filter as Record<string, unknown>, [])
}

/**
 * What TENANT_MAX_UNANCHORED_SUBPATTERNS counts in one event trigger's filter: its multi-key sub-patterns
 * without an anchor (exactAnchorKey: no leaf of only exact values; a leaf of prefixes or suffixes does not
 * anchor). The PatternIndex tries each of them on every element of the array it looks into: elements × such
 * objects (pattern-index.ts). A webhook trigger's filter is matched alone (one object per path), so it counts 0.
 * Migration 0010 counts stored filters the same way (0009 counted prefix/suffix leaves as anchors).
 */
export function countUnanchoredSubpatterns(filter: unknown): number {
  let n = 0
  eachSubpattern(filter, (obj) => {
    if (exactAnchorKey(obj) === undefined) n++
  })
  return n
}

/**
 * What TENANT_MAX_SUBPATTERNS_PER_ANCHOR groups by, for one event trigger's filter: the anchors of its
 * multi-key sub-patterns (anchorString: path, anchor key, one exact value), each once, sorted. A sub-pattern
 * whose anchor leaf lists several values is in each value's group: an element holding any of them tries it.
 * At most one sub-pattern of a filter sits at a path, so a trigger holds an anchor at most once. Stored as
 * triggers.subpattern_anchors; migration 0010 computes stored filters' anchors the same way.
 */
export function subpatternAnchors(filter: unknown): string[] {
  const out = new Set<string>()
  eachSubpattern(filter, (obj, path) => {
    const key = exactAnchorKey(obj)
    if (key === undefined) return
    for (const v of obj[key] as unknown[]) if (isPatternScalar(v)) out.add(anchorString([...path, key], v))
  })
  return [...out].sort()
}

/** The 422 for a create or update that would take the tenant past a quota. */
export function quotaExceeded(quota: QuotaName, limit: number, path = 'body'): AppError {
  const what = {
    TENANT_MAX_SCHEDULES: 'schedules',
    TENANT_MAX_TRIGGERS: 'triggers',
    TENANT_MAX_FILTER_MATCHERS: 'filter values and matchers (summed over the tenant’s trigger filters)',
    TENANT_MAX_UNANCHORED_SUBPATTERNS:
      'unanchored multi-key sub-patterns (nested filter objects of two keys or more without a leaf of only exact values, summed over the tenant’s event trigger filters)',
    TENANT_MAX_SUBPATTERNS_PER_ANCHOR:
      'multi-key sub-patterns sharing one anchor (the same path, anchor key and exact value, over the tenant’s event trigger filters)',
  }[quota]
  return new AppError('SCHED_ERR_QUOTA_EXCEEDED', `The tenant may hold at most ${limit} ${what} (${quota})`, [
    { path, message: `would exceed ${quota} (${limit})` },
  ])
}
