import {
  AppError,
  type FieldError,
  quotaExceeded,
  type TenantQuotas,
  type TriggerType,
  validateEventPattern,
  validateEventType,
} from '@punctual/core'
import { createTriggersRepo, type DbExecutor, lockTenantUsageRow } from '@punctual/db'

/** The checks of a trigger write beyond its schema: per-type fields, the filter, the tenant's quotas. */

const WEBHOOK_ONLY = ['rateLimitPerMinute', 'scheme'] as const

/**
 * The checks the body schema cannot express, as field errors (400): the eventType syntax, eventType required
 * for an event trigger and refused for a webhook one, the webhook-only fields refused for an event trigger.
 * `type` is the trigger's type when known (from the body on create/PUT, from the row on PATCH). Safe on a body
 * that failed its schema.
 */
export function triggerRuleErrors(
  body: unknown,
  type: TriggerType | undefined,
  opts: { requireEventType: boolean },
): FieldError[] {
  if (typeof body !== 'object' || body === null) return []
  const b = body as Record<string, unknown>
  const errors: FieldError[] = []
  if (typeof b.eventType === 'string') {
    const reason = validateEventType(b.eventType)
    if (reason) errors.push({ path: 'body.eventType', message: reason })
  }
  if (type === 'event') {
    if (b.eventType === undefined && opts.requireEventType) {
      errors.push({ path: 'body.eventType', message: 'is required for an event trigger' })
    }
    for (const field of WEBHOOK_ONLY) {
      if (b[field] !== undefined) {
        errors.push({ path: `body.${field}`, message: 'is only for webhook triggers' })
      }
    }
  }
  if (type === 'webhook' && b.eventType !== undefined) {
    errors.push({
      path: 'body.eventType',
      message: 'is only for event triggers (a webhook trigger runs on every verified delivery; use filter)',
    })
  }
  return errors
}

/** A malformed filter is 422, naming the JSON pointer of each problem inside the body (`/filter/...`). */
export function assertFilterValid(filter: Record<string, unknown> | null | undefined): void {
  if (filter === undefined || filter === null) return
  const problems = validateEventPattern(filter)
  if (problems.length === 0) return
  const errors = problems.map((e) => ({ path: `/filter${e.path}`, message: e.message }))
  throw new AppError(
    'SCHED_ERR_FILTER_INVALID',
    `filter is not a valid event pattern: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  )
}

/**
 * Refuses a write that would take the tenant past a quota: `addTriggers` more triggers, a filter change of
 * `matcherDelta` leaf entries and `unanchoredDelta` unanchored sub-patterns, and `newAnchors` that the trigger
 * (`id`, on update) did not hold yet. Locks the tenant's usage row for the rest of the transaction, so
 * concurrent writes at the edge (in any API process) are decided one after the other.
 */
export async function assertQuotas(
  tx: DbExecutor,
  tenant: string,
  quotas: TenantQuotas,
  change: {
    addTriggers: number
    matcherDelta: number
    unanchoredDelta: number
    newAnchors: readonly string[]
    id?: string
  },
) {
  const { addTriggers, matcherDelta, unanchoredDelta, newAnchors } = change
  if (addTriggers <= 0 && matcherDelta <= 0 && unanchoredDelta <= 0 && newAnchors.length === 0) return
  const usage = await lockTenantUsageRow(tx, tenant)
  if (addTriggers > 0 && usage.triggers + addTriggers > quotas.maxTriggers) {
    throw quotaExceeded('TENANT_MAX_TRIGGERS', quotas.maxTriggers)
  }
  if (matcherDelta > 0 && usage.filterMatchers + matcherDelta > quotas.maxFilterMatchers) {
    throw quotaExceeded('TENANT_MAX_FILTER_MATCHERS', quotas.maxFilterMatchers, 'body.filter')
  }
  if (
    unanchoredDelta > 0 &&
    usage.unanchoredSubpatterns + unanchoredDelta > quotas.maxUnanchoredSubpatterns
  ) {
    throw quotaExceeded('TENANT_MAX_UNANCHORED_SUBPATTERNS', quotas.maxUnanchoredSubpatterns, 'body.filter')
  }
  if (newAnchors.length > 0) {
    // Every other trigger's anchors are stable while the usage row is locked: their writes lock it too.
    const most = await createTriggersRepo(tx).mostHeldAnchor(tenant, newAnchors, change.id)
    if (most !== undefined && most.holders + 1 > quotas.maxSubpatternsPerAnchor) {
      throw quotaExceeded('TENANT_MAX_SUBPATTERNS_PER_ANCHOR', quotas.maxSubpatternsPerAnchor, 'body.filter')
    }
  }
}
