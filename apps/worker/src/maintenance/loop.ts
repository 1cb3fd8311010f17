import type { DbHandle } from '@punctual/db'
import type { QueueKeys, Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'
import { DEFAULT_SCHEDULER_CONFIG } from '../scheduler/config.ts'
import { createFailoverRepair, watchFailover } from './failover.ts'
import type { WorkerMetrics } from './metrics.ts'
import { patternsTurn } from './patterns.ts'
import { purgeExpiredReceipts } from './receipt-purge.ts'
import { PERIODIC_PACE, type ReconcilePace, reconcile } from './reconcile.ts'
import { type RetentionConfig, retentionTurn } from './retention.ts'

export interface MaintenanceConfig {
  /** The schedulers' fire-claim lease (claims taken before a failover are ended: failover.ts); default theirs. */
  claimLeaseMs?: number
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
  /** A burst of this worker's claims is under way: retention batches wait for it to pass (retention.ts). */
  inBurst?: () => boolean
}

/**
 * One reconcile pass at a time: the pass at start runs at full speed; the periodic ones are paced (see
 * PERIODIC_PACE). Answers whether a pass ran to the end (false: it failed, or one was already under way).
 */
function createReconcilePass(deps: MaintenanceDeps): (pace?: ReconcilePace) => Promise<boolean> {
  const { logger } = deps
  let reconciling = false
  return async (pace) => {
    if (reconciling) return false
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
      return true
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'reconcile failed; will retry')
      return false
    } finally {
      reconciling = false
      end()
    }
  }
}

/**
 * The worker's periodic maintenance: reconcile Redis from Postgres (reconcile.ts; once at start, unpaced, by
 * the lifecycle, then paced), purge expired receipts (receipt-purge.ts), delete rows past their retention
 * (retention.ts; one worker at a time) and refresh the optimizer's execution patterns (patterns.ts; one worker
 * at a time). Every worker runs each; each job is idempotent, and a job still running when its next turn comes
 * is not doubled.
 * After a Redis failover it repairs Redis at once (failover.ts).
 */
export function createMaintenanceLoop(deps: MaintenanceDeps) {
  const { logger, config } = deps
  const now = deps.now ?? (() => new Date())
  const timers = new Set<NodeJS.Timeout>()
  const claimLeaseMs = config.claimLeaseMs ?? DEFAULT_SCHEDULER_CONFIG.claimLeaseMs
  let running = false
  const reconcileOnce = createReconcilePass(deps)

  const afterFailover = createFailoverRepair({
    redis: deps.redis,
    keys: deps.keys,
    logger,
    claimLeaseMs,
    now: () => now().getTime(),
    reconcile: () => reconcileOnce(PERIODIC_PACE),
    going: () => running,
  })
  let unwatch: (() => void) | undefined

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
    reconcileNow: () => reconcileOnce().then(() => {}),
    /** What the failover signals call (tests may call it too). */
    reconcileAfterFailover: afterFailover,
    start() {
      if (running) return
      running = true
      unwatch = watchFailover(deps.redis, deps.keys, afterFailover)
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
          ...(deps.inBurst && { inBurst: deps.inBurst }),
        }),
      )
    },
    /** Stops the timers; a pass under way finishes on its own. */
    stop() {
      running = false
      unwatch?.()
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}
export type MaintenanceLoop = ReturnType<typeof createMaintenanceLoop>
