import {
  type ChainLink,
  chainVerdict,
  isMatchBudgetExceeded,
  resolveRetryPolicy,
  systemEventId,
  type TriggerMatcher,
} from '@punctual/core'
import {
  type AuditEntry,
  type EventSubjects,
  type EventTriggerRow,
  type ExecutionStart,
  type StartRequest,
  toExecutionDto,
  toScheduleDto,
} from '@punctual/db'
import type { StreamedSystemEvent } from '@punctual/queue'
import type { ChainStopped } from './events.ts'

/**
 * What a batch of system events starts, decided from what Postgres holds (pure: the reads are done, the
 * writes come after). Per event: its data is the subject as the API shows it; the tenant's enabled event
 * triggers whose eventType and filter match start their workflow with input = data, under the event's
 * receipt (so a redelivered event starts nothing twice); a start whose chain loops back onto itself too
 * often is not made and is audited instead (core chainVerdict).
 */

/** Links of a chain kept in a `chain.stopped` audit entry (the most recent ones). */
export const AUDITED_CHAIN_LINKS = 50

export interface EventPlan {
  event: StreamedSystemEvent
  eventId: string
  /** Index into `requests`, when the event starts something or stops a chain. */
  request: number | null
  /**
   * Before the commit: nothing to start (no match), the subject row is gone, or matching it spent the work
   * budget (too-costly: it starts nothing and its outbox row is handled like the others, so it is never
   * redelivered).
   */
  outcome: 'unmatched' | 'subject-gone' | 'too-costly' | 'commit'
  stopped: ChainStopped[]
  /** Triggers whose inputTemplate would make an input over 1 MiB from this event: not started (logged). */
  inputTooLarge: string[]
}

export interface BatchPlan {
  requests: StartRequest[]
  audits: Map<number, AuditEntry[]>
  /** The outbox rows this batch handles (every pending event, whatever it matched). */
  outboxIds: string[]
  plans: EventPlan[]
  /** Stream entries with nothing to do: their outbox row is gone (handled already) or a repeat in the batch. */
  alreadyHandled: StreamedSystemEvent[]
}

export interface PlanInput {
  events: readonly StreamedSystemEvent[]
  subjects: EventSubjects
  matchers: ReadonlyMap<string, TriggerMatcher<EventTriggerRow>>
  newId: () => string
}

export function planEventStarts({ events, subjects, matchers, newId }: PlanInput): BatchPlan {
  const batch: BatchPlan = { requests: [], audits: new Map(), outboxIds: [], plans: [], alreadyHandled: [] }
  const seen = new Set<string>()
  for (const event of events) {
    if (seen.has(event.outboxId) || !subjects.pending.has(event.outboxId)) {
      batch.alreadyHandled.push(event)
      continue
    }
    seen.add(event.outboxId)
    batch.outboxIds.push(event.outboxId)
    const eventId = systemEventId(event.type, event.subjectId, event.outboxId)
    const plan: EventPlan = {
      event,
      eventId,
      request: null,
      outcome: 'unmatched',
      stopped: [],
      inputTooLarge: [],
    }
    batch.plans.push(plan)

    const subject = subjectOf(event, subjects)
    if (!subject) {
      plan.outcome = 'subject-gone'
      continue
    }
    const matched = matchSubject(matchers, event, subject.data)
    if (matched === TOO_COSTLY) {
      plan.outcome = 'too-costly'
      continue
    }
    const starts: ExecutionStart[] = []
    const audits: AuditEntry[] = []
    for (const trigger of matched) {
      const input = inputOf(trigger, subject.data, event.type, eventId)
      if (input === undefined) {
        plan.inputTooLarge.push(trigger.id)
        continue
      }
      const start: ExecutionStart = {
        id: newId(),
        kind: 'event',
        triggerId: trigger.id,
        workflowId: trigger.workflowId,
        input,
        priority: trigger.priority,
        retryPolicy: { ...resolveRetryPolicy(trigger.retryPolicy) },
      }
      if (subject.chain) {
        const verdict = chainVerdict(subject.chain.links, trigger)
        if (verdict.stop) {
          const stop: ChainStopped = {
            tenant: event.tenant,
            eventId,
            triggerId: trigger.id,
            workflowId: trigger.workflowId,
            causedBy: event.subjectId,
            loops: verdict.loops,
          }
          plan.stopped.push(stop)
          audits.push(chainStoppedAudit(stop, event.type, subject.chain))
          continue
        }
        start.causedBy = event.subjectId
        start.chainDepth = subject.chain.depth + 1
      }
      starts.push(start)
    }
    if (starts.length === 0 && audits.length === 0) continue
    plan.outcome = 'commit'
    plan.request = batch.requests.length
    batch.requests.push({
      tenant: event.tenant,
      receipt: { kind: 'event', eventId, type: event.type },
      starts,
    })
    if (audits.length > 0) batch.audits.set(plan.request, audits)
  }
  return batch
}

/** The subject's data, or the trigger's inputTemplate resolved against the event (undefined: over 1 MiB). */
function inputOf(trigger: EventTriggerRow, data: Record<string, unknown>, type: string, id: string) {
  if (!trigger.template) return data
  const resolved = trigger.template.resolve({ data, type, id })
  return resolved.ok ? resolved.input : undefined
}

const TOO_COSTLY = Symbol('too costly')

/** The tenant's triggers the subject's data selects; TOO_COSTLY when matching spent the work budget. */
function matchSubject(
  matchers: PlanInput['matchers'],
  event: StreamedSystemEvent,
  data: unknown,
): EventTriggerRow[] | typeof TOO_COSTLY {
  try {
    return matchers.get(event.tenant)?.match(event.type, data) ?? []
  } catch (err) {
    if (isMatchBudgetExceeded(err)) return TOO_COSTLY
    throw err
  }
}

interface Subject {
  data: Record<string, unknown>
  /** Executions only: the chain the event's starts would extend. */
  chain: { links: ChainLink[]; depth: number } | null
}

function subjectOf(event: StreamedSystemEvent, subjects: EventSubjects): Subject | null {
  if (event.type === 'schedule.completed') {
    const row = subjects.schedules.get(event.subjectId)
    if (!row || row.tenant !== event.tenant) return null
    return { data: toScheduleDto(row) as unknown as Record<string, unknown>, chain: null }
  }
  const row = subjects.executions.get(event.subjectId)
  if (!row || row.tenant !== event.tenant) return null
  const links = subjects.chains.get(row.id) ?? [
    { executionId: row.id, workflowId: row.workflowId, triggerId: row.triggerId },
  ]
  return {
    data: toExecutionDto(row) as unknown as Record<string, unknown>,
    chain: { links, depth: row.chainDepth },
  }
}

function chainStoppedAudit(
  stop: ChainStopped,
  eventType: string,
  chain: { links: ChainLink[]; depth: number },
): AuditEntry {
  const links = chain.links.slice(-AUDITED_CHAIN_LINKS)
  return {
    tenant: stop.tenant,
    actor: 'system',
    action: 'chain.stopped',
    targetType: 'trigger',
    targetId: stop.triggerId,
    details: {
      eventType,
      eventId: stop.eventId,
      workflowId: stop.workflowId,
      causedBy: stop.causedBy,
      loops: stop.loops,
      chainDepth: chain.depth + 1,
      rootExecutionId: chain.links[0]?.executionId ?? null,
      // Oldest first; the last link is `causedBy`.
      chain: links.map((l) => ({
        executionId: l.executionId,
        workflowId: l.workflowId,
        triggerId: l.triggerId,
      })),
      ...(links.length < chain.links.length && { chainTruncated: chain.links.length - links.length }),
    },
  }
}
