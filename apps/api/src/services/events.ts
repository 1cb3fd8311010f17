import {
  AppError,
  type EventBody,
  fieldPath,
  type MatchStats,
  nextTurn,
  resolveRetryPolicy,
  uuidv7,
} from '@punctual/core'
import {
  createEventTriggerIndex,
  type DbExecutor,
  type EventTriggerRow,
  type ExecutionStarter,
} from '@punctual/db'
import type { Principal } from '../plugins/auth.ts'
import { matchOrRefuse } from './match-cost.ts'

export interface EventServiceDeps {
  db: DbExecutor
  starter: ExecutionStarter
  /** How long a tenant's trigger index is reused before it is read again (0: read on every event). */
  cacheTtlMs: number
}

export type PublishResult =
  | { status: 202; body: { eventId: string; executions: string[] } }
  | { status: 200; body: { eventId: string; executions: string[]; deduplicated: true } }

/**
 * POST /api/events: the tenant's enabled event triggers are matched by type and filter (a per-tenant
 * TriggerMatcher reused for `cacheTtlMs`, see createEventTriggerIndex), then every match starts its workflow
 * with `input` = `data`, committed together with the event's receipt (the starter deduplicates by id for 24 h).
 *
 * A trigger with an inputTemplate starts with the template resolved against the event (`{{data.*}}`, `{{type}}`,
 * `{{id}}`); one whose input would pass 1 MiB refuses the event (422 SCHED_ERR_INPUT_TOO_LARGE), nothing written.
 *
 * A body whose matching would spend the work budget (its arrays × the tenant's multi-key sub-patterns, see
 * match-budget.ts in core) is refused with 422 SCHED_ERR_EVENT_TOO_COSTLY before anything is written.
 *
 * Staleness: a trigger created, enabled or changed is seen within `cacheTtlMs` by every API process, at once
 * by the process that wrote it (invalidate). A trigger disabled or deleted starts nothing once that change
 * has committed: the INSERT re-checks each matched trigger is still enabled.
 */
const TRIGGERS = "the tenant's event triggers"

export function createEventService({ db, starter, cacheTtlMs }: EventServiceDeps) {
  const index = createEventTriggerIndex({ db, cacheTtlMs })

  return {
    async publish(p: Principal, body: EventBody): Promise<PublishResult> {
      const eventId = body.id ?? uuidv7()
      const stats: MatchStats = { evaluated: 0, groups: 0 }
      const matcher = await index.matcherFor(p.tenant)
      // Refused (422) before anything is written: no execution, no receipt (the same id may be sent again).
      const matched = matchOrRefuse(TRIGGERS, () => matcher.match(body.type, body.data, stats))
      // A big event (it spent the direct attempt's fuel) may have taken up to ~30 ms to match, and writing it
      // (its data serialised once) takes ~15 ms more: the event loop is given back in between.
      if (stats.indexed) await nextTurn()
      const outcome = await starter.start({
        tenant: p.tenant,
        // An event without an id cannot be sent again under the same id: no receipt to keep.
        receipt: body.id === undefined ? null : { kind: 'event', eventId, type: body.type },
        starts: matched.map((t) => ({
          id: uuidv7(),
          kind: 'event' as const,
          triggerId: t.id,
          workflowId: t.workflowId,
          input: inputOf(t, body, eventId),
          priority: t.priority,
          retryPolicy: { ...resolveRetryPolicy(t.retryPolicy) },
        })),
      })
      if (outcome.outcome === 'duplicate') {
        return { status: 200, body: { eventId, executions: outcome.executionIds, deduplicated: true } }
      }
      return {
        status: 202,
        body: { eventId, executions: outcome.outcome === 'started' ? outcome.executionIds : [] },
      }
    },

    /** Forget a tenant's trigger index (call after a trigger write in this process). */
    invalidate(tenant: string) {
      index.invalidate(tenant)
    },
  }
}
export type EventService = ReturnType<typeof createEventService>

/** A matched trigger's input: the event's data, or its inputTemplate resolved against the event. */
function inputOf(t: EventTriggerRow, body: EventBody, eventId: string): Record<string, unknown> {
  if (!t.template) return body.data
  const resolved = t.template.resolve({ data: body.data, type: body.type, id: eventId })
  if (resolved.ok) return resolved.input
  const path = fieldPath('inputTemplate', resolved.path)
  throw new AppError(
    'SCHED_ERR_INPUT_TOO_LARGE',
    `trigger ${t.id}: ${path} ${resolved.message}; nothing started`,
    [{ path, message: resolved.message }],
  )
}
