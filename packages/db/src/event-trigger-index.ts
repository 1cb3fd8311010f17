import { compileInputTemplate, type SliceOptions, TriggerMatcher } from '@punctual/core'
import type { DbExecutor } from './repos/executor.ts'
import { createIngestRepo, type EventTriggerRow } from './repos/ingest.ts'

export interface EventTriggerIndexOptions {
  db: DbExecutor
  /** How long a tenant's index is reused before it is read again (0: read on every call). */
  cacheTtlMs: number
  /** Tenants whose index is kept at once; past this the oldest entry is dropped. Default 10,000. */
  maxTenants?: number
  /** How a build gives the event loop back (TriggerMatcher.build; default: 5 ms slices, then setImmediate). */
  slices?: SliceOptions
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
  // The last matcher built (or being built) per tenant, with the version of each trigger in it. Rows are read
  // again every cacheTtlMs, but a matcher is rebuilt only when a trigger changed: building it (with its
  // PatternIndex) costs about 1 s of CPU at 100,000 filter matchers, far more than matching an event. It is
  // built in slices that give the event loop back (TriggerMatcher.build), so other requests, other tenants'
  // events included, are served meanwhile; calls that find the same versions share the build in progress.
  // Every write of a trigger bumps its version.
  const built = new Map<
    string,
    { versions: Map<string, number>; matcher: Promise<TriggerMatcher<EventTriggerRow>> }
  >()
  const buildOrReuse = (tenant: string, rows: EventTriggerRow[]) => {
    const last = built.get(tenant)
    if (
      last &&
      last.versions.size === rows.length &&
      rows.every((r) => last.versions.get(r.id) === r.version)
    ) {
      return last.matcher
    }
    // Templates are compiled here, with the matcher: once per trigger version, whoever matches events.
    for (const r of rows) if (r.inputTemplate) r.template = compileInputTemplate(r.inputTemplate, 'event')
    const matcher = TriggerMatcher.build(rows, opts.slices)
    built.delete(tenant)
    if (built.size >= maxTenants) built.delete(built.keys().next().value!)
    const entry = { versions: new Map(rows.map((r) => [r.id, r.version])), matcher }
    built.set(tenant, entry)
    matcher.catch(() => {
      if (built.get(tenant) === entry) built.delete(tenant)
    })
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
