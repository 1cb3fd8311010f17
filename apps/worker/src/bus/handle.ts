import type { TriggerMatcher } from '@punctual/core'
import { uuidv7 } from '@punctual/core'
import {
  commitEventStarts,
  createdExecutions,
  createEventBusRepo,
  type DbHandle,
  type EventTriggerIndex,
  type EventTriggerRow,
} from '@punctual/db'
import {
  ackSystemEvents,
  createExecutionQueue,
  type QueueKeys,
  type Redis,
  type StreamedSystemEvent,
} from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage as message } from '../loop/index.ts'
import { planEventStarts } from './plan.ts'
import { type EmitBusEvent, reportHandled } from './report.ts'

export interface BatchHandlerDeps {
  db: DbHandle
  /** Commands (acks, enqueues). */
  redis: Redis
  keys: QueueKeys
  logger: Logger
  clock: () => number
  triggers: EventTriggerIndex
  emit: EmitBusEvent
  /** Bounds each Postgres call (the loop gives up on one that does not answer, and backs off). */
  dbCall: <T>(p: Promise<T>) => Promise<T>
}

/**
 * Handling a batch of the system event stream: read the outbox rows (gone = handled by an earlier delivery:
 * only acknowledged), the subjects and their chains → plan (plan.ts) → ONE transaction: the starts with their
 * receipts, the audit entries of stopped chains, the deletion of the outbox rows → enqueue the new executions
 * in Redis (a failure is left to the reconciler: the rows are committed `queued`) → XACK + XDEL → report.
 * We MUST NOT acknowledge an entry before what it started is committed. A crash between the COMMIT and the
 * ack only makes the entry be delivered again, which then starts nothing (its outbox row is gone, and its
 * receipt would refuse it anyway).
 */
export function createBatchHandler(deps: BatchHandlerDeps) {
  const { db, redis, keys, logger, clock, emit, dbCall } = deps
  const repo = createEventBusRepo(db.db)
  const queue = createExecutionQueue(redis, keys)

  async function matchersFor(tenants: Iterable<string>) {
    const list = [...new Set(tenants)]
    const matchers = await Promise.all(list.map((t) => deps.triggers.matcherFor(t)))
    return new Map<string, TriggerMatcher<EventTriggerRow>>(list.map((t, i) => [t, matchers[i]!]))
  }

  /** One batch, all or nothing on the Postgres side. Throws when Postgres fails (nothing acknowledged). */
  return async function handle(events: readonly StreamedSystemEvent[]): Promise<void> {
    const subjects = await dbCall(
      repo.loadSubjects({
        outboxIds: events.map((e) => e.outboxId),
        executionIds: events.filter((e) => e.type !== 'schedule.completed').map((e) => e.subjectId),
        scheduleIds: events.filter((e) => e.type === 'schedule.completed').map((e) => e.subjectId),
      }),
    )
    const pending = events.filter((e) => subjects.pending.has(e.outboxId))
    const matchers = await dbCall(matchersFor(pending.map((e) => e.tenant)))
    const at = new Date(clock())
    const plan = planEventStarts({ events, subjects, matchers, newId: () => uuidv7(at.getTime()) })
    const outcomes =
      plan.outboxIds.length === 0
        ? []
        : await dbCall(
            commitEventStarts(db.sql, {
              requests: plan.requests,
              audits: plan.audits,
              outboxIds: plan.outboxIds,
              at,
            }),
          )
    const created = plan.requests.flatMap((r, i) => createdExecutions(r, outcomes[i]!, at))
    if (created.length > 0) {
      await queue.enqueue(created, at.getTime()).catch((err: unknown) => {
        logger.warn(
          { err: message(err), executionIds: created.map((c) => c.id) },
          'event executions committed but not enqueued; left to the reconciler',
        )
      })
    }
    try {
      await ackSystemEvents(
        redis,
        keys,
        events.map((e) => e.streamId),
      )
    } catch (err) {
      // Committed: a redelivery finds the outbox rows gone and only acknowledges.
      logger.warn({ err: message(err) }, 'system events handled but not acknowledged; redelivered later')
    }
    reportHandled(plan, outcomes, emit, logger)
  }
}
