import type { DbHandle } from '@punctual/db'
import type { QueueKeys, Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'
import type { WorkerMetrics } from './metrics.ts'
import { patternsTurn } from './patterns.ts'
import { purgeExpiredReceipts } from './receipt-purge.ts'
import { PERIODIC_PACE, type ReconcilePace, reconcile } from './reconcile.ts'
import { type RetentionConfig, retentionTurn } from './retention.ts'

export interface MaintenanceConfig {
  /** WORKER_RECONCILE_INTERVAL_MS */
  reconcileIntervalMs: number
  /** WORKER_RECEIPT_PURGE_INTERVAL_MS */
  receiptPurgeIntervalMs: number
  /** WORKER_RETENTION_INTERVAL_MS */
  retentionIntervalMs: number
  /** WORKER_PATTERNS_INTERVAL_MS */
  patternsIntervalMs: number
  retention: RetentionConfig
}

export interface MaintenanceDeps {
  db: DbHandle
  redis: Redis
  keys: QueueKeys
  logger: Logger
  metrics: Pick<WorkerMetrics, 'reconcileDuration' | 'retentionDeleted' | 'retentionLastRun'>
  config: MaintenanceConfig
  now?: () => Date
}

/**
 * The worker's periodic maintenance: reconcile Redis from Postgres (reconcile.ts; once at start, unpaced, by
 * the lifecycle, then paced), purge expired receipts (receipt-purge.ts), delete rows past their retention
 * (retention.ts; one worker at a time) and refresh the optimizer's execution patterns (patterns.ts; one worker
 * at a time). Every worker runs each; each job is idempotent, and a job still running when its next turn comes
 * is not doubled.
 */
export function createMaintenanceLoop(deps: MaintenanceDeps) {
  const { logger, config } = deps
  const now = deps.now ?? (() => new Date())
  const timers = new Set<NodeJS.Timeout>()
  let running = false
  let reconciling = false

  /** The pass at start runs at full speed; the periodic ones are paced (see PERIODIC_PACE). */
  async function reconcileOnce(pace?: ReconcilePace) {
    if (reconciling) return
    reconciling = true
    const end = deps.metrics.reconcileDuration.startTimer()
    try {
      const result = await reconcile({
        db: deps.db,
        redis: deps.redis,
        keys: deps.keys,
        ...(pace && { pace }),
      })
      const { dueFixed, indexRemoved, requeued, prioritiesFixed, capsFixed, capsRemoved } = result
      if (dueFixed + indexRemoved + requeued + prioritiesFixed + capsFixed + capsRemoved > 0)
        logger.info(result, 'reconciled')
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'reconcile failed; will retry')
    } finally {
      reconciling = false
      end()
    }
  }

  /**
   * Runs `job` every `intervalMs` ± 20 %, the next turn counted from the end of the last: workers started
   * together (a deploy, a benchmark) drift apart instead of all running it at the same moment, on top of each
   * other's load.
   */
  function every(intervalMs: number, job: () => Promise<unknown>) {
    const timer = setTimeout(
      async () => {
        timers.delete(timer)
        await job()
        if (running) every(intervalMs, job)
      },
      intervalMs * (0.8 + Math.random() * 0.4),
    )
    timer.unref()
    timers.add(timer)
  }

  return {
    /** One reconcile pass now, unpaced (the worker's start). */
    reconcileNow: () => reconcileOnce(),
    start() {
      if (running) return
      running = true
      every(config.reconcileIntervalMs, () => reconcileOnce(PERIODIC_PACE))
      every(config.receiptPurgeIntervalMs, () => purgeExpiredReceipts(deps.db, logger, now()))
      every(config.patternsIntervalMs, () => patternsTurn({ db: deps.db, logger, now }))
      every(config.retentionIntervalMs, () =>
        retentionTurn({
          db: deps.db,
          logger,
          metrics: deps.metrics,
          config: config.retention,
          now,
          going: () => running,
        }),
      )
    },
    /** Stops the timers; a pass under way finishes on its own. */
    stop() {
      running = false
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}
export type MaintenanceLoop = ReturnType<typeof createMaintenanceLoop>
