import { type DbHandle, type EventTriggerIndex, isUnavailableError } from '@punctual/db'
import type { StreamedSystemEvent } from '@punctual/queue'
import type { Logger } from 'pino'
import {
  backoffMs,
  createWakeup,
  DbDeadlineError,
  errorMessage as message,
  withDeadline,
} from '../loop/index.ts'
import type { EventBusEvents } from './events.ts'
import { createBatchHandler } from './handle.ts'
import { createStreamReader, type StreamReaderDeps } from './read.ts'
import { type EmitBusEvent, safeEmitter } from './report.ts'

export interface EventConsumerDeps extends StreamReaderDeps {
  db: DbHandle
  triggers: EventTriggerIndex
  events: EventBusEvents
  config: StreamReaderDeps['config'] & {
    /** Give up waiting for one Postgres call after this long and back off. */
    dbTimeoutMs: number
  }
}

/** An event that fails on its own (not because a dependency is down): left pending, retried after redeliverMs. */
class PoisonEvent extends Error {}

function ignorePoison(err: unknown) {
  if (!(err instanceof PoisonEvent)) throw err
}

/** The consumer loop's state and parts: read a batch (read.ts), handle it (handle.ts), report (report.ts). */
interface ConsumerLoop {
  running: boolean
  readFailures: number
  handleFailures: number
  readonly wakeup: ReturnType<typeof createWakeup>
  readonly logger: Logger
  readonly emit: EmitBusEvent
  readonly read: () => Promise<StreamedSystemEvent[]>
  readonly handle: (events: readonly StreamedSystemEvent[]) => Promise<void>
}

/**
 * The consumer of the system event stream, one per worker, all in one consumer group (each event is handled
 * by one worker). A loop: read a batch (read.ts: entries other consumers left pending too long, else new
 * ones); handle it (handle.ts: one transaction, then enqueue, acknowledge and report); a failure backs off.
 * We MUST NOT acknowledge an entry before what it started is committed (see handle.ts).
 */
export function createEventConsumer(deps: EventConsumerDeps) {
  const { reader, config, logger } = deps
  const emit = safeEmitter(deps.events, logger)
  const consumer: ConsumerLoop = {
    running: false,
    readFailures: 0,
    handleFailures: 0,
    wakeup: createWakeup(),
    logger,
    emit,
    read: createStreamReader(deps),
    handle: createBatchHandler({ ...deps, emit, dbCall: (p) => withDeadline(p, config.dbTimeoutMs) }),
  }
  let loop: Promise<void> | undefined

  return {
    start() {
      if (consumer.running) return
      consumer.running = true
      loop = run(consumer).catch((err) => {
        // Must never happen (every failure inside is caught); a consumer that stops is visible here.
        logger.error({ err }, 'event consumer loop crashed')
      })
    },
    /** Stops reading; a batch being committed finishes (and is acknowledged), one backing off is left pending. */
    async stop() {
      if (!consumer.running) return
      consumer.running = false
      consumer.wakeup.wake()
      // A blocked XREADGROUP would hold the loop for up to blockMs: cut it.
      reader.disconnect()
      await loop
    },
  }
}
export type EventConsumer = ReturnType<typeof createEventConsumer>

async function run(c: ConsumerLoop) {
  while (c.running) {
    let batch: StreamedSystemEvent[]
    try {
      batch = await c.read()
      c.readFailures = 0
    } catch (err) {
      if (!c.running) break
      c.readFailures++
      const delayMs = backoffMs(c.readFailures)
      if (c.readFailures === 1 || c.readFailures % 20 === 0) {
        c.logger.warn({ err: message(err), failures: c.readFailures }, 'system event stream not readable')
      }
      c.emit('bus.backoff', { phase: 'read', error: message(err), delayMs, failures: c.readFailures })
      await c.wakeup.sleep(delayMs)
      continue
    }
    if (batch.length === 0) continue
    await handleBatch(c, batch).catch(ignorePoison)
  }
}

/**
 * Retries a batch while Postgres is away. A batch that fails for another reason is split so one bad event
 * cannot hold the others; an event that fails alone stays pending (another try after redeliverMs).
 */
async function handleBatch(c: ConsumerLoop, events: readonly StreamedSystemEvent[]): Promise<void> {
  const { logger } = c
  while (c.running) {
    try {
      await c.handle(events)
      if (c.handleFailures > 0) logger.info({ failures: c.handleFailures }, 'system event handling recovered')
      c.handleFailures = 0
      return
    } catch (err) {
      const dependency = isUnavailableError(err) || err instanceof DbDeadlineError
      if (!dependency && events.length > 1) {
        for (const e of events) await handleBatch(c, [e]).catch(ignorePoison)
        return
      }
      if (!dependency) {
        logger.error(
          { err, streamId: events[0]?.streamId, outboxId: events[0]?.outboxId },
          'system event could not be handled; left pending',
        )
        throw new PoisonEvent(message(err))
      }
      c.handleFailures++
      const delayMs = backoffMs(c.handleFailures)
      if (c.handleFailures === 1 || c.handleFailures % 20 === 0) {
        logger.warn(
          { err: message(err), failures: c.handleFailures, retryInMs: delayMs },
          'event bus backing off',
        )
      }
      c.emit('bus.backoff', { phase: 'handle', error: message(err), delayMs, failures: c.handleFailures })
      await c.wakeup.sleep(delayMs)
    }
  }
}
