import { EventEmitter } from 'node:events'
import { createEventTriggerIndex, type DbHandle } from '@punctual/db'
import type { QueueKeys, Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { createEventConsumer } from './consumer.ts'
import type { EventBusEventMap, EventBusEvents } from './events.ts'
import { createPeriodicPass } from './periodic-pass.ts'

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

/** The configuration with its defaults filled in. */
function eventBusConfig(config: EventBusConfig | undefined): Required<EventBusConfig> {
  return {
    redeliverMs: config?.redeliverMs ?? 30_000,
    triggerCacheTtlMs: config?.triggerCacheTtlMs ?? 1000,
    batchSize: config?.batchSize ?? 100,
    blockMs: config?.blockMs ?? 1000,
    dbTimeoutMs: config?.dbTimeoutMs ?? 5000,
  }
}

/**
 * The system event bus of one worker (docs/design-notes.md, "System events"): the consumer loop (consumer.ts)
 * and, every redeliverMs, the outbox relay pass (relay.ts) and the pruning of dead consumers (periodic-pass.ts).
 */
export function createEventBus(deps: EventBusDeps) {
  const cfg = eventBusConfig(deps.config)
  const clock = deps.clock ?? Date.now
  const logger = deps.logger.child({ component: 'event-bus' })
  const events: EventBusEvents = new EventEmitter<EventBusEventMap>()
  let reader = deps.reader
  let state: 'idle' | 'running' | 'stopped' = 'idle'
  let consumer: ReturnType<typeof createEventConsumer> | undefined
  const triggers = createEventTriggerIndex({ db: deps.db.db, cacheTtlMs: cfg.triggerCacheTtlMs })
  const passes = createPeriodicPass({ ...deps, logger, clock, events, redeliverMs: cfg.redeliverMs })

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
      passes.start()
      logger.info({ redeliverMs: cfg.redeliverMs }, 'event bus started')
    },
    /** Run one relay pass now (tests, and a worker that just took over). */
    relayNow: passes.runNow,
    async stop() {
      if (state !== 'running') {
        state = 'stopped'
        return
      }
      state = 'stopped'
      await Promise.all([consumer?.stop(), passes.stop()])
      logger.info('event bus stopped')
    },
  }
}
export type EventBus = ReturnType<typeof createEventBus>
