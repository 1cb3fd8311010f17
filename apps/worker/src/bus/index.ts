import { EventEmitter } from 'node:events'
import { createEventTriggerIndex, type DbHandle } from '@punctual/db'
import { pruneSystemEventConsumers, type QueueKeys, type Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { createEventConsumer } from './consumer.ts'
import type { EventBusEventMap, EventBusEvents } from './events.ts'
import { relayUnhandledOutbox } from './relay.ts'

export type * from './events.ts'
export { AUDITED_CHAIN_LINKS, type BatchPlan, type EventPlan, planEventStarts } from './plan.ts'
export { relayUnhandledOutbox } from './relay.ts'

export interface EventBusConfig {
  /** WORKER_EVENT_REDELIVER_MS: an event read but not acknowledged for this long (its worker died) is taken
   * over by another worker; an outbox row not handled within twice this long is published again. Default 30000. */
  redeliverMs?: number
  /** TRIGGER_CACHE_TTL_MS: how long a tenant's trigger index is reused. Default 1000. */
  triggerCacheTtlMs?: number
  /** Entries per batch. Default 100. */
  batchSize?: number
  /** Longest blocking read (ms). Default 1000 (below the Redis client's command timeout). */
  blockMs?: number
  /** Give up waiting for one Postgres call after this long and back off. Default 5000. */
  dbTimeoutMs?: number
}

export interface EventBusDeps {
  db: DbHandle
  redis: Redis
  /** A connection for the blocking reads; the bus duplicates `redis` when absent. */
  reader?: Redis
  keys: QueueKeys
  workerId: string
  logger: Logger
  clock?: () => number
  config?: EventBusConfig
}

/** Consumers idle (no read) this long and holding nothing are forgotten by the group. */
const CONSUMER_IDLE_PRUNE_MS = 3_600_000

/**
 * The system event bus of one worker (docs/design-notes.md, "System events"): the consumer loop (consumer.ts)
 * and, every redeliverMs, the outbox relay pass (relay.ts) and the pruning of dead consumers.
 */
export function createEventBus(deps: EventBusDeps) {
  const cfg = {
    redeliverMs: deps.config?.redeliverMs ?? 30_000,
    triggerCacheTtlMs: deps.config?.triggerCacheTtlMs ?? 1000,
    batchSize: deps.config?.batchSize ?? 100,
    blockMs: deps.config?.blockMs ?? 1000,
    dbTimeoutMs: deps.config?.dbTimeoutMs ?? 5000,
  }
  const clock = deps.clock ?? Date.now
  const logger = deps.logger.child({ component: 'event-bus' })
  const events: EventBusEvents = new EventEmitter<EventBusEventMap>()
  let reader = deps.reader
  let timer: NodeJS.Timeout | undefined
  let pass: Promise<void> | undefined
  let relayFailures = 0
  let state: 'idle' | 'running' | 'stopped' = 'idle'
  let consumer: ReturnType<typeof createEventConsumer> | undefined
  const triggers = createEventTriggerIndex({ db: deps.db.db, cacheTtlMs: cfg.triggerCacheTtlMs })

  async function maintain() {
    try {
      const count = await relayUnhandledOutbox({
        db: deps.db,
        redis: deps.redis,
        keys: deps.keys,
        logger,
        clock,
        afterMs: 2 * cfg.redeliverMs,
        limit: 500,
      })
      if (count > 0) events.emit('outbox.republished', { count })
      await pruneSystemEventConsumers(deps.redis, deps.keys, CONSUMER_IDLE_PRUNE_MS)
      relayFailures = 0
    } catch (err) {
      relayFailures++
      const error = err instanceof Error ? err.message : String(err)
      if (relayFailures === 1 || relayFailures % 20 === 0) {
        logger.warn({ err: error, failures: relayFailures }, 'outbox relay pass failed; next pass retries')
      }
      events.emit('bus.backoff', { phase: 'relay', error, delayMs: cfg.redeliverMs, failures: relayFailures })
    }
  }

  function schedule() {
    timer = setTimeout(() => {
      pass = maintain().finally(() => {
        pass = undefined
        if (state === 'running') schedule()
      })
    }, cfg.redeliverMs)
  }

  return {
    events,
    get state() {
      return state
    },
    start() {
      if (state !== 'idle') return
      state = 'running'
      if (!reader) {
        reader = deps.redis.duplicate()
        reader.on('error', () => {}) // reconnects by itself; an unhandled 'error' would crash
      }
      consumer = createEventConsumer({
        db: deps.db,
        redis: deps.redis,
        reader,
        keys: deps.keys,
        workerId: deps.workerId,
        logger,
        clock,
        triggers,
        events,
        config: cfg,
      })
      consumer.start()
      schedule()
      logger.info({ redeliverMs: cfg.redeliverMs }, 'event bus started')
    },
    /** Run one relay pass now (tests, and a worker that just took over). */
    relayNow: maintain,
    async stop() {
      if (state !== 'running') {
        state = 'stopped'
        return
      }
      state = 'stopped'
      clearTimeout(timer)
      await Promise.all([consumer?.stop(), pass])
      logger.info('event bus stopped')
    },
  }
}
export type EventBus = ReturnType<typeof createEventBus>
