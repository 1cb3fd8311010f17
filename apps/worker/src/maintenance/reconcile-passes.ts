import type { DbHandle } from '@punctual/db'
import type { QueueKeys, Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import type { WorkerMetrics } from './metrics.ts'
import { PERIODIC_PACE, type ReconcilePace, reconcile } from './reconcile.ts'

export interface ReconcilePassesDeps {
  db: DbHandle
  redis: Redis
  keys: QueueKeys
  logger: Logger
  metrics: Pick<WorkerMetrics, 'reconcileDuration'>
  /** WORKER_RECONCILE_INTERVAL_MS. */
  intervalMs: number
  /** Whether the worker still runs: the next periodic pass is scheduled only then. */
  isRunning: () => boolean
}

/** One worker's reconcile passes (reconcile.ts): one at start, then periodic ones, each timed by the metrics. */
export function createReconcilePasses(deps: ReconcilePassesDeps) {
  const { logger, metrics } = deps
  let reconciling = false
  let timer: NodeJS.Timeout | undefined

  /**
   * The pass at start runs at full speed; the periodic ones are paced (see PERIODIC_PACE). A pass still
   * running when the next is due is not doubled.
   */
  async function once(pace?: ReconcilePace) {
    if (reconciling) return
    reconciling = true
    const end = metrics.reconcileDuration.startTimer()
    try {
      const result = await reconcile({
        db: deps.db,
        redis: deps.redis,
        keys: deps.keys,
        ...(pace && { pace }),
      })
      if (result.dueFixed + result.indexRemoved + result.requeued > 0) logger.info(result, 'reconciled')
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'reconcile failed; will retry')
    } finally {
      reconciling = false
      end()
    }
  }

  /**
   * Every WORKER_RECONCILE_INTERVAL_MS ± 20 %: workers started together (a deploy, a benchmark) drift apart
   * instead of all repairing at the same moment, on top of each other's load.
   */
  function schedulePeriodic() {
    const ms = deps.intervalMs * (0.8 + Math.random() * 0.4)
    timer = setTimeout(async () => {
      await once(PERIODIC_PACE)
      if (deps.isRunning()) schedulePeriodic()
    }, ms)
    timer.unref()
  }

  return {
    /** One pass now, at full speed (at start). */
    once: () => once(),
    schedulePeriodic,
    /** No further periodic pass (one in flight finishes on its own). */
    stop() {
      clearTimeout(timer)
    },
  }
}
