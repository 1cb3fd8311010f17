import {
  AppError,
  type FieldError,
  fieldPath,
  MAX_FIELD_ERRORS,
  quotaExceeded,
  type TenantQuotas,
  type TriggerType,
  validateEventPattern,
  validateEventType,
  validateInputTemplate,
} from '@punctual/core'
import { createTriggersRepo, type DbExecutor, lockTenantUsageRow } from '@punctual/db'

/** The checks of a trigger write beyond its schema: per-type fields, the filter, the tenant's quotas. */

const WEBHOOK_ONLY = ['rateLimitPerMinute', 'scheme'] as const

/**
 * The checks the body schema cannot express, as field errors (400): eventType required for an event trigger
 * (not null), the webhook-only fields refused for an event trigger. `type` is the trigger's type when known
 * (from the body on create/PUT, from the row on PATCH). Safe on a body that failed its schema. The eventType's
 * syntax and the inputTemplate are meaningful-value checks (422), made after these: assertEventTypeValid,
 * assertTemplateValid.
 */
export function triggerRuleErrors(
  body: unknown,
  type: TriggerType | undefined,
  opts: { requireEventType: boolean },
): FieldError[] {
  if (typeof body !== 'object' || body === null) return []
  const b = body as Record<string, unknown>
  const errors: FieldError[] = []
  if (type === 'event') {
    if ((b.eventType === undefined && opts.requireEventType) || b.eventType === null) {
      errors.push({ path: 'body.eventType', message: 'is required for an event trigger' })
    }
    for (const field of WEBHOOK_ONLY) {
      if (b[field] !== undefined) {
        errors.push({ path: `body.${field}`, message: 'is only for webhook triggers' })
      }
    }
  }
  return errors
}

/** An eventType that is not an exact type, a `prefix.*` glob or `*` is 422 naming body.eventType. */
export function assertEventTypeValid(eventType: string | null | undefined): void {
  if (typeof eventType !== 'string') return
  const reason = validateEventType(eventType)
  if (reason === null) return
  throw new AppError('SCHED_ERR_EVENT_TYPE_INVALID', `body.eventType ${reason}`, [
    { path: 'body.eventType', message: reason },
  ])
}

/** An inputTemplate core refuses (validateInputTemplate) is 422 naming each spot (`body.inputTemplate.a.0`). */
export function assertTemplateValid(
  template: Record<string, unknown> | null | undefined,
  type: TriggerType,
): void {
  if (template === undefined || template === null) return
  const problems = validateInputTemplate(template, type)
  if (problems.length === 0) return
  const errors = problems.map((p) => ({ path: fieldPath('body.inputTemplate', p.path), message: p.message }))
  throw new AppError(
    'SCHED_ERR_TEMPLATE_INVALID',
    errors
      .slice(0, MAX_FIELD_ERRORS)
      .map((e) => `${e.path} ${e.message}`)
      .join('; '),
    errors,
  )
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
