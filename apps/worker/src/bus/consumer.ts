import { type TriggerMatcher, uuidv7 } from '@punctual/core'
import {
  commitEventStarts,
  createdExecutions,
  createEventBusRepo,
  type DbHandle,
  type EventTriggerIndex,
  type EventTriggerRow,
  isUnavailableError,
  type StartOutcome,
} from '@punctual/db'
import {
  ackSystemEvents,
  claimStaleSystemEvents,
  createExecutionQueue,
  isReady,
  type QueueKeys,
  type Redis,
  readSystemEvents,
  type StreamedSystemEvent,
  waitForReady,
} from '@punctual/queue'
import type { Logger } from 'pino'
import {
  backoffMs,
  createWakeup,
  DbDeadlineError,
  errorMessage as message,
  withDeadline,
} from '../loop-helpers.ts'
import type { EventBusEventMap, EventBusEvents } from './events.ts'
import { type BatchPlan, planEventStarts } from './plan.ts'

export interface EventConsumerDeps {
  db: DbHandle
  /** Commands (acks, enqueues). */
  redis: Redis
  /** A connection of its own for the blocking reads. */
  reader: Redis
  keys: QueueKeys
  workerId: string
  logger: Logger
  clock: () => number
  triggers: EventTriggerIndex
  events: EventBusEvents
  config: {
    batchSize: number
    blockMs: number
    /** An entry another consumer read and did not acknowledge for this long is taken over. */
    redeliverMs: number
    dbTimeoutMs: number
  }
}

/** An event that fails on its own (not because a dependency is down): left pending, retried after redeliverMs. */
class PoisonEvent extends Error {}

function ignorePoison(err: unknown) {
  if (!(err instanceof PoisonEvent)) throw err
}

/**
 * The consumer of the system event stream, one per worker, all in one consumer group (each event is handled
 * by one worker). A loop: take the entries other consumers left pending too long (XAUTOCLAIM, every
 * redeliverMs / 2), else block for new ones (XREADGROUP); handle the batch; acknowledge.
 *
 * Handling a batch: read the outbox rows (gone = handled by an earlier delivery: only acknowledged), the
 * subjects and their chains → plan (plan.ts) → ONE transaction: the starts with their receipts, the audit
 * entries of stopped chains, the deletion of the outbox rows → enqueue the new executions in Redis (a
 * failure is left to the reconciler: the rows are committed `queued`) → XACK + XDEL.
 * We MUST NOT acknowledge an entry before what it started is committed. A crash between the COMMIT and the
 * ack only makes the entry be delivered again, which then starts nothing (its outbox row is gone, and its
 * receipt would refuse it anyway).
 */
export function createEventConsumer(deps: EventConsumerDeps) {
  const { db, redis, reader, keys, workerId, clock, config } = deps
  const logger = deps.logger
  const repo = createEventBusRepo(db.db)
  const queue = createExecutionQueue(redis, keys)
  let running = false
  let loop: Promise<void> | undefined
  let claimCursor = '0-0'
  let nextClaimAt = 0
  let readFailures = 0
  let handleFailures = 0
  const wakeup = createWakeup()

  const pgCall = <T>(p: Promise<T>) => withDeadline(p, config.dbTimeoutMs)
  const emit = <K extends keyof EventBusEventMap>(name: K, ...args: EventBusEventMap[K]) => {
    try {
      ;(deps.events.emit as (n: K, ...a: EventBusEventMap[K]) => boolean)(name, ...args)
    } catch (err) {
      logger.error({ err, event: name }, 'event bus listener threw')
    }
  }

  async function nextBatch(): Promise<StreamedSystemEvent[]> {
    const now = clock()
    if (now >= nextClaimAt) {
      const claimed = await claimStaleSystemEvents(redis, keys, {
        consumer: workerId,
        minIdleMs: config.redeliverMs,
        count: config.batchSize,
        cursor: claimCursor,
      })
      claimCursor = claimed.cursor
      if (claimed.cursor === '0-0') nextClaimAt = now + Math.max(100, config.redeliverMs / 2)
      await dropMalformed(claimed.malformed)
      if (claimed.events.length > 0) {
        logger.info({ count: claimed.events.length }, 'took over system events left pending by a consumer')
        return claimed.events
      }
    }
    // The reading connection is its own (it blocks); it connects in the background and rejects until ready.
    if (!isReady(reader)) await waitForReady(reader, config.blockMs + 1000)
    const read = await readSystemEvents(reader, keys, {
      consumer: workerId,
      count: config.batchSize,
      blockMs: Math.max(1, Math.min(config.blockMs, nextClaimAt - clock())),
    })
    await dropMalformed(read.malformed)
    return read.events
  }

  async function dropMalformed(ids: string[]) {
    if (ids.length === 0) return
    logger.warn({ streamIds: ids }, 'malformed system event entries dropped')
    await ackSystemEvents(redis, keys, ids)
  }

  async function matchersFor(tenants: Iterable<string>) {
    const list = [...new Set(tenants)]
    const matchers = await Promise.all(list.map((t) => deps.triggers.matcherFor(t)))
    return new Map<string, TriggerMatcher<EventTriggerRow>>(list.map((t, i) => [t, matchers[i]!]))
  }

  /** One batch, all or nothing on the Postgres side. Throws when Postgres fails (nothing acknowledged). */
  async function handle(events: readonly StreamedSystemEvent[]): Promise<void> {
    const subjects = await pgCall(
      repo.loadSubjects({
        outboxIds: events.map((e) => e.outboxId),
        executionIds: events.filter((e) => e.type !== 'schedule.completed').map((e) => e.subjectId),
        scheduleIds: events.filter((e) => e.type === 'schedule.completed').map((e) => e.subjectId),
      }),
    )
    const pending = events.filter((e) => subjects.pending.has(e.outboxId))
    const matchers = await pgCall(matchersFor(pending.map((e) => e.tenant)))
    const at = new Date(clock())
    const plan = planEventStarts({ events, subjects, matchers, newId: () => uuidv7(at.getTime()) })
    const outcomes =
      plan.outboxIds.length === 0
        ? []
        : await pgCall(
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

  /**
   * Retries a batch while Postgres is away. A batch that fails for another reason is split so one bad event
   * cannot hold the others; an event that fails alone stays pending (another try after redeliverMs).
   */
  async function handleBatch(events: readonly StreamedSystemEvent[]): Promise<void> {
    while (running) {
      try {
        await handle(events)
        if (handleFailures > 0) logger.info({ failures: handleFailures }, 'system event handling recovered')
        handleFailures = 0
        return
      } catch (err) {
        const dependency = isUnavailableError(err) || err instanceof DbDeadlineError
        if (!dependency && events.length > 1) {
          for (const e of events) await handleBatch([e]).catch(ignorePoison)
          return
        }
        if (!dependency) {
          logger.error(
            { err, streamId: events[0]?.streamId, outboxId: events[0]?.outboxId },
            'system event could not be handled; left pending',
          )
          throw new PoisonEvent(message(err))
        }
        handleFailures++
        const delayMs = backoffMs(handleFailures)
        if (handleFailures === 1 || handleFailures % 20 === 0) {
          logger.warn(
            { err: message(err), failures: handleFailures, retryInMs: delayMs },
            'event bus backing off',
          )
        }
        emit('bus.backoff', { phase: 'handle', error: message(err), delayMs, failures: handleFailures })
        await wakeup.sleep(delayMs)
      }
    }
  }

  async function run() {
    while (running) {
      let batch: StreamedSystemEvent[]
      try {
        batch = await nextBatch()
        readFailures = 0
      } catch (err) {
        if (!running) break
        readFailures++
        const delayMs = backoffMs(readFailures)
        if (readFailures === 1 || readFailures % 20 === 0) {
          logger.warn({ err: message(err), failures: readFailures }, 'system event stream not readable')
        }
        emit('bus.backoff', { phase: 'read', error: message(err), delayMs, failures: readFailures })
        await wakeup.sleep(delayMs)
        continue
      }
      if (batch.length === 0) continue
      await handleBatch(batch).catch(ignorePoison)
    }
  }

  return {
    start() {
      if (running) return
      running = true
      loop = run().catch((err) => {
        // Must never happen (every failure inside is caught); a consumer that stops is visible here.
        logger.error({ err }, 'event consumer loop crashed')
      })
    },
    /** Stops reading; a batch being committed finishes (and is acknowledged), one backing off is left pending. */
    async stop() {
      if (!running) return
      running = false
      wakeup.wake()
      // A blocked XREADGROUP would hold the loop for up to blockMs: cut it.
      reader.disconnect()
      await loop
    },
  }
}
export type EventConsumer = ReturnType<typeof createEventConsumer>

/** After the commit and the ack: the typed events of a handled batch, and a warning per too-costly event. */
function reportHandled(
  plan: BatchPlan,
  outcomes: readonly StartOutcome[],
  emit: <K extends keyof EventBusEventMap>(name: K, ...args: EventBusEventMap[K]) => void,
  logger: Logger,
) {
  for (const p of plan.plans) {
    const outcome = p.request === null ? undefined : outcomes[p.request]
    const duplicate = outcome?.outcome === 'duplicate'
    if (p.outcome === 'too-costly') {
      // Handled once: its outbox row went with the batch's commit, so it is not delivered again.
      logger.warn(
        { eventId: p.eventId, type: p.event.type, tenant: p.event.tenant, subjectId: p.event.subjectId },
        'system event too costly to match against the triggers (work budget spent); it starts nothing',
      )
    }
    if (!duplicate) for (const stop of p.stopped) emit('chain.stopped', stop)
    emit('event.handled', {
      eventId: p.eventId,
      type: p.event.type,
      tenant: p.event.tenant,
      subjectId: p.event.subjectId,
      outcome: p.outcome !== 'commit' ? p.outcome : duplicate ? 'duplicate' : 'started',
      executionIds: outcome && outcome.outcome !== 'gone' ? outcome.executionIds : [],
      stoppedTriggerIds: p.stopped.map((s) => s.triggerId),
    })
  }
}
