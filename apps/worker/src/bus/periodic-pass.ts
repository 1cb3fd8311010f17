import type { DbHandle } from '@punctual/db'
import { pruneSystemEventConsumers, type QueueKeys, type Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'
import type { EventBusEvents } from './events.ts'
import { relayUnhandledOutbox } from './relay.ts'

/** Consumers idle (no read) this long and holding nothing are forgotten by the group. */
const CONSUMER_IDLE_PRUNE_MS = 3_600_000

export interface PeriodicPassDeps {
  db: DbHandle
  redis: Redis
  keys: QueueKeys
  logger: Logger
  clock: () => number
  events: EventBusEvents
  /** The pace of the passes; outbox rows not handled within twice this long are published again. */
  redeliverMs: number
}

/**
 * The bus's periodic pass, every redeliverMs: the outbox relay (relay.ts), then the pruning of dead
 * consumers. A failed pass is logged (the first, then every 20th) and left to the next one.
 */
export function createPeriodicPass(deps: PeriodicPassDeps) {
  const { logger, events, redeliverMs } = deps
  let timer: NodeJS.Timeout | undefined
  let pass: Promise<void> | undefined
  let failures = 0
  let running = false

  async function runPass() {
    try {
      const count = await relayUnhandledOutbox({
        db: deps.db,
        redis: deps.redis,
        keys: deps.keys,
        logger,
        clock: deps.clock,
        afterMs: 2 * redeliverMs,
        limit: 500,
      })
      if (count > 0) events.emit('outbox.republished', { count })
      await pruneSystemEventConsumers(deps.redis, deps.keys, CONSUMER_IDLE_PRUNE_MS)
      failures = 0
    } catch (err) {
      failures++
      const error = errorMessage(err)
      if (failures === 1 || failures % 20 === 0) {
        logger.warn({ err: error, failures }, 'outbox relay pass failed; next pass retries')
      }
      events.emit('bus.backoff', { phase: 'relay', error, delayMs: redeliverMs, failures })
    }
  }

  function schedule() {
    timer = setTimeout(() => {
      pass = runPass().finally(() => {
        pass = undefined
        if (running) schedule()
      })
    }, redeliverMs)
  }

  return {
    start() {
      running = true
      schedule()
    },
    /** One pass now (tests, and a worker that just took over). */
    runNow: runPass,
    /** No pass is started after this; resolves when the one in flight (if any) ends. */
    stop(): Promise<void> | undefined {
      running = false
      clearTimeout(timer)
      return pass
    },
  }
}
