import { EventEmitter } from 'node:events'
import type { DbHandle } from '@punctual/db'
import type { QueueKeys, Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { backoffMs, createWakeup, errorMessage } from '../loop/index.ts'
import { type SchedulerConfig, schedulerConfig } from './config.ts'
import type { SchedulerEvents } from './events.ts'
import { createFireClaimer } from './round.ts'

export { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from './config.ts'
export type * from './events.ts'

export type SchedulerState = 'starting' | 'running' | 'draining' | 'stopped'

export interface SchedulerDeps {
  db: DbHandle
  redis: Redis
  keys: QueueKeys
  workerId: string
  logger: Logger
  /** Epoch ms; Date.now by default. */
  clock?: () => number
  config?: Partial<SchedulerConfig>
}

export interface Scheduler {
  readonly state: SchedulerState
  /** Starts the claim loop (no-op when it runs). */
  start(): void
  /** Stops claiming, waits for the round in flight, hands held claims back; resolves when stopped. */
  stop(): Promise<void>
  /** One claim round (serialised with the loop). Returns the claims handled. */
  tick(): Promise<number>
  readonly events: EventEmitter<SchedulerEvents>
  /** When the loop last went round (epoch ms; 0 before it started): a stuck loop stops moving it. */
  readonly lastLoopAtMs: number
}

/** Rounds back off up to 5 s (the runner's phases up to 2 s). */
const BACKOFF_MAX_MS = 5000

/**
 * The scheduler loop: rounds of fire claiming (see round.ts) with explicit states. A failed round (Redis or
 * Postgres away) is logged and retried after a capped backoff; the loop never throws and resumes by itself.
 * Several schedulers, in one process or many, share the due-index: claims are leased and exclusive.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const config = schedulerConfig(deps.config)
  const clock = deps.clock ?? Date.now
  const logger = deps.logger.child({ component: 'scheduler' })
  const events = new EventEmitter<SchedulerEvents>()
  const claimer = createFireClaimer({ ...deps, logger, clock, config, events })

  let state: SchedulerState = 'stopped'
  let lastLoopAtMs = 0
  let loop: Promise<void> | undefined
  let stopping: Promise<void> | undefined
  // Rounds never overlap: tick() called beside the loop waits for the round in flight.
  const serial = createSerial()
  // The loop's sleep between rounds; stop() cuts it short.
  const pause = createWakeup()

  async function run(): Promise<void> {
    let failures = 0
    while (state === 'starting' || state === 'running') {
      lastLoopAtMs = Date.now()
      let delay: number
      try {
        const r = await serial(() => claimer.round())
        if (state === 'starting') state = 'running'
        if (failures > 0) logger.info({ failures }, 'fire claiming recovered')
        failures = 0
        // A full batch means more may be due right now: go again without sleeping.
        delay = r.claimed >= config.claimBatch ? 0 : claimer.nextWakeIn(config.pollMs)
      } catch (err) {
        failures++
        delay = backoffMs(failures, BACKOFF_MAX_MS)
        logger.warn(
          { err: errorMessage(err), failures, retryInMs: delay },
          'fire claiming failed; backing off',
        )
        events.emit('round.failed', { error: err, failures, retryInMs: delay })
      }
      if (state !== 'starting' && state !== 'running') break
      if (delay > 0) await pause.sleep(delay)
      else await new Promise((resolve) => setImmediate(resolve))
    }
  }

  return {
    get state() {
      return state
    },
    get lastLoopAtMs() {
      return lastLoopAtMs
    },
    events,
    start() {
      if (state === 'starting' || state === 'running') return
      if (state === 'draining') throw new Error('the scheduler is stopping')
      state = 'starting'
      loop = run().catch((err) => {
        // run() catches every round failure; reaching here is a bug, never a reason to crash the worker.
        logger.error({ err }, 'scheduler loop ended unexpectedly')
      })
    },
    stop() {
      stopping ??= (async () => {
        if (state !== 'stopped') state = 'draining'
        pause.wake()
        await loop
        loop = undefined
        // Also after tick()-only use: held claims go back now rather than when their lease ends.
        await serial(() => claimer.drain())
        state = 'stopped'
      })().finally(() => {
        stopping = undefined
      })
      return stopping
    },
    async tick() {
      const r = await serial(() => claimer.round())
      return r.claims
    },
  }
}

/** Runs the functions it is given one after the other, each after the previous one settled. */
function createSerial() {
  let last: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = last.then(fn, fn)
    last = run.catch(() => {})
    return run
  }
}
