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
  /** Rows per batch (tests make it small); at most RETENTION_BATCH_MAX. */
  batchSize?: number
  /** At least this pause after each batch; the pause is never shorter than the batch took. Default 50 ms. */
  minPauseMs?: number
}

export interface RetentionDeps {
  db: DbHandle
  logger: Logger
  metrics: Pick<WorkerMetrics, 'retentionDeleted' | 'retentionLastRun'>
  config: RetentionConfig
  now: () => Date
  /** The pass goes on while this is true (a stopping worker ends it between batches). */
  going: () => boolean
}

export type RetentionResult = Record<RetentionTarget, number> & { ms: number }

const DAY_MS = 86_400_000

/**
 * One retention pass, by the one worker that holds the retention lock (a session advisory lock on a connection
 * reserved for the pass: a worker that dies lets it go with its connection). Every worker tries on its turn;
 * the others find it held and answer null. Batches of at most 5,000 rows (packages/db statements/retention.ts),
 * each its own statement, separated by a pause at least as long as the batch took, so retention uses at most
 * half of one Postgres connection's time and writes never wait long behind it.
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
          const started = performance.now()
          const batch = await deleteRetentionBatch(reserved, {
            target,
            before,
            afterId,
            limit: config.batchSize ?? RETENTION_BATCH_MAX,
          })
          result[target] += batch.deleted
          if (batch.deleted > 0) metrics.retentionDeleted.inc({ target }, batch.deleted)
          if (batch.reachedId === null) break
          afterId = batch.reachedId
          const took = performance.now() - started
          await new Promise((r) => setTimeout(r, Math.max(config.minPauseMs ?? 50, took)))
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

/** runRetention for the maintenance loop: a failure is logged and left to the next turn. */
export async function retentionTurn(deps: RetentionDeps): Promise<void> {
  try {
    await runRetention(deps)
  } catch (err) {
    deps.logger.warn({ err: errorMessage(err) }, 'retention pass failed; retried at the next turn')
  }
}
