import { TriggerMatcher } from '@punctual/core'
import type { DbExecutor } from './repos/executor.ts'
import { createIngestRepo, type EventTriggerRow } from './repos/ingest.ts'

export interface EventTriggerIndexOptions {
  db: DbExecutor
  /** How long a tenant's index is reused before it is read again (0: read on every call). */
  cacheTtlMs: number
  /** Tenants whose index is kept at once; past this the oldest entry is dropped. Default 10,000. */
  maxTenants?: number
}

export interface EventTriggerIndex {
  /** The tenant's enabled event triggers, indexed for matching (TriggerMatcher). */
  matcherFor(tenant: string): Promise<TriggerMatcher<EventTriggerRow>>
  /** Forget a tenant's index (call after a trigger write in this process). */
  invalidate(tenant: string): void
}

/**
 * Per-tenant trigger indexes for event matching (POST /api/events and the system event bus): built from the
 * tenant's enabled event triggers, which are read again after `cacheTtlMs`; the index is rebuilt only if
 * their ids or versions changed. A trigger created, enabled or changed is seen within that time; a trigger
 * disabled or deleted starts nothing once that change has committed, because the start statement re-checks
 * each matched trigger is still enabled (insertStartBatch).
 */
export function createEventTriggerIndex(opts: EventTriggerIndexOptions): EventTriggerIndex {
  const repo = createIngestRepo(opts.db)
  const maxTenants = opts.maxTenants ?? 10_000
  const cache = new Map<string, { loadedAt: number; matcher: Promise<TriggerMatcher<EventTriggerRow>> }>()
  // The last matcher built per tenant, with the version of each trigger in it. Rows are read again every
  // cacheTtlMs, but a matcher is rebuilt only when a trigger changed: building it (and the PatternIndex it
  // makes on the first big event) costs about 1 s of CPU for 100,000 filter matchers, far more than
  // matching an event. Every write of a trigger bumps its version.
  const built = new Map<string, { versions: Map<string, number>; matcher: TriggerMatcher<EventTriggerRow> }>()
  const buildOrReuse = (tenant: string, rows: EventTriggerRow[]) => {
    const last = built.get(tenant)
    if (
      last &&
      last.versions.size === rows.length &&
      rows.every((r) => last.versions.get(r.id) === r.version)
    ) {
      return last.matcher
    }
    const matcher = new TriggerMatcher(rows)
    built.delete(tenant)
    if (built.size >= maxTenants) built.delete(built.keys().next().value!)
    built.set(tenant, { versions: new Map(rows.map((r) => [r.id, r.version])), matcher })
    return matcher
  }
  return {
    matcherFor(tenant) {
      const now = Date.now()
      const hit = cache.get(tenant)
      if (hit && now - hit.loadedAt < opts.cacheTtlMs) return hit.matcher
      const matcher = repo.listEventTriggers(tenant).then((rows) => buildOrReuse(tenant, rows))
      if (opts.cacheTtlMs > 0) {
        cache.delete(tenant)
        if (cache.size >= maxTenants) cache.delete(cache.keys().next().value!)
        const entry = { loadedAt: now, matcher }
        cache.set(tenant, entry)
        // A failed read (Postgres down) is not kept.
        matcher.catch(() => {
          if (cache.get(tenant) === entry) cache.delete(tenant)
        })
      }
      return matcher
    },
    invalidate(tenant) {
      cache.delete(tenant)
    },
  }
}
