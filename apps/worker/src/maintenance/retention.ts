import {
  advisoryLocks,
  type DbHandle,
  deleteRetentionBatch,
  RETENTION_BATCH_MAX,
  RETENTION_FIRST_ID,
  type RetentionTarget,
} from '@punctual/db'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'
import type { WorkerMetrics } from './metrics.ts'

export interface RetentionConfig {
  /** EXECUTION_RETENTION_DAYS: succeeded, skipped, missed and cancelled executions. */
  executionDays: number
  /** DEAD_RETENTION_DAYS: dead executions (kept while a redrive of them is unfinished). */
  deadDays: number
  /** AUDIT_RETENTION_DAYS */
  auditDays: number
  /** WORKER_RETENTION_ROWS_PER_SECOND: the pace of a pass (rows deleted per second, at most). */
  rowsPerSecond: number
  /** Rows per batch (tests make it small); at most RETENTION_BATCH_MAX. Default RETENTION_BATCH_ROWS. */
  batchSize?: number
  /** At least this pause after each batch; the pause is never shorter than the batch took. Default 50 ms. */
  minPauseMs?: number
  /** How long a batch waits at most for a burst of claims to pass (tests make it short). */
  burstWaitMs?: number
}

/**
 * Rows one batch looks at by default: a statement of ~15 ms on the bench machine, so a batch that meets a burst
 * of starts holds a Postgres backend only briefly (5,000-row batches of ~70 ms put the firing-lag p99 at 1.6× the
 * same run without retention).
 */
export const RETENTION_BATCH_ROWS = 1000

/**
 * The pause after a batch that took `tookMs` and deleted `deleted` rows: long enough to keep the pass at
 * `rowsPerSecond`, never shorter than the batch took (so retention holds at most half of one connection's time
 * when Postgres is slow), and at least `minPauseMs`.
 */
export function retentionPauseMs(
  deleted: number,
  tookMs: number,
  rowsPerSecond: number,
  minPauseMs: number,
): number {
  const paced = (1000 * deleted) / rowsPerSecond - tookMs
  return Math.max(minPauseMs, tookMs, paced)
}

export interface RetentionDeps {
  db: DbHandle
  logger: Logger
  metrics: Pick<WorkerMetrics, 'retentionDeleted' | 'retentionLastRun'>
  config: RetentionConfig
  now: () => Date
  /** The pass goes on while this is true (a stopping worker ends it between batches). */
  going: () => boolean
  /**
   * A burst of this worker's claims is under way (the runner's inBurst): each batch first waits for it to
   * pass, at most RETENTION_BURST_WAIT_MS, so deletes fall between bursts of starts instead of into them and a
   * pass still moves on under sustained load.
   */
  inBurst?: () => boolean
}

/** How long one batch waits at most for a burst of claims to pass. */
export const RETENTION_BURST_WAIT_MS = 1000
/** How often a waiting batch looks again. */
const BURST_POLL_MS = 10

export type RetentionResult = Record<RetentionTarget, number> & { ms: number }

const DAY_MS = 86_400_000

/**
 * One retention pass, by the one worker that holds the retention lock (a session advisory lock on a connection
 * reserved for the pass: a worker that dies lets it go with its connection). Every worker tries on its turn;
 * the others find it held and answer null. Batches of RETENTION_BATCH_ROWS (at most 5,000, packages/db
 * statements/retention.ts), each its own statement, paced to `rowsPerSecond` and separated by a pause at least
 * as long as the batch took, so retention uses at most half of one Postgres connection's time, and on a
 * healthy one only what the pace needs: the firing-lag bench puts the pass beside bursts of a thousand starts.
 */
export async function runRetention(deps: RetentionDeps): Promise<RetentionResult | null> {
  const { config, logger, metrics } = deps
  const t0 = performance.now()
  const reserved = await deps.db.sql.reserve()
  try {
    const [row] = await reserved<{ locked: boolean }[]>`
      select pg_try_advisory_lock(${advisoryLocks.namespace}, ${advisoryLocks.retention}) as locked`
    if (!row!.locked) return null
    try {
      const now = deps.now().getTime()
      const horizons: [RetentionTarget, number][] = [
        ['executions', config.executionDays],
        ['dead', config.deadDays],
        ['audit', config.auditDays],
      ]
      const result: RetentionResult = { executions: 0, dead: 0, audit: 0, ms: 0 }
      for (const [target, days] of horizons) {
        const before = new Date(now - days * DAY_MS)
        let afterId = RETENTION_FIRST_ID
        while (deps.going()) {
          await afterBurst(deps, config.burstWaitMs ?? RETENTION_BURST_WAIT_MS)
          const started = performance.now()
          const batch = await deleteRetentionBatch(reserved, {
            target,
            before,
            afterId,
            limit: Math.min(config.batchSize ?? RETENTION_BATCH_ROWS, RETENTION_BATCH_MAX),
          })
          result[target] += batch.deleted
          if (batch.deleted > 0) metrics.retentionDeleted.inc({ target }, batch.deleted)
          if (batch.reachedId === null) break
          afterId = batch.reachedId
          const took = performance.now() - started
          const pause = retentionPauseMs(batch.deleted, took, config.rowsPerSecond, config.minPauseMs ?? 50)
          await new Promise((r) => setTimeout(r, pause))
        }
      }
      result.ms = Math.round(performance.now() - t0)
      metrics.retentionLastRun.set(Date.now() / 1000)
      if (result.executions + result.dead + result.audit > 0) logger.info(result, 'retention pass')
      else logger.debug(result, 'retention pass: nothing to delete')
      return result
    } finally {
      await reserved`select pg_advisory_unlock(${advisoryLocks.namespace}, ${advisoryLocks.retention})`
    }
  } finally {
    reserved.release()
  }
}

/** Waits while `inBurst` says a burst of claims is under way, at most `maxMs`. */
async function afterBurst(deps: Pick<RetentionDeps, 'inBurst' | 'going'>, maxMs: number): Promise<void> {
  if (!deps.inBurst) return
  const until = performance.now() + maxMs
  while (deps.inBurst() && deps.going() && performance.now() < until) {
    await new Promise((r) => setTimeout(r, BURST_POLL_MS))
  }
}

/** runRetention for the maintenance loop: a failure is logged and left to the next turn. */
export async function retentionTurn(deps: RetentionDeps): Promise<void> {
  try {
    await runRetention(deps)
  } catch (err) {
    deps.logger.warn({ err: errorMessage(err) }, 'retention pass failed; retried at the next turn')
  }
}
