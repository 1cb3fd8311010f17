import {
  advisoryLocks,
  type DbHandle,
  type PatternRefreshResult,
  refreshSchedulePatterns,
} from '@punctual/db'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'

export interface PatternsDeps {
  db: DbHandle
  logger: Logger
  now: () => Date
}

/**
 * One refresh of schedule_patterns (packages/db statements/schedule-patterns.ts) by the one worker that gets
 * the patterns lock (a session advisory lock on a connection reserved for the pass: a worker that dies lets
 * it go with its connection). The others find it held and answer null.
 */
export async function refreshPatterns(deps: PatternsDeps): Promise<PatternRefreshResult | null> {
  const reserved = await deps.db.sql.reserve()
  try {
    const [row] = await reserved<{ locked: boolean }[]>`
      select pg_try_advisory_lock(${advisoryLocks.namespace}, ${advisoryLocks.patterns}) as locked`
    if (!row!.locked) return null
    try {
      return await refreshSchedulePatterns(reserved, deps.now())
    } finally {
      await reserved`select pg_advisory_unlock(${advisoryLocks.namespace}, ${advisoryLocks.patterns})`
    }
  } finally {
    reserved.release()
  }
}

/** refreshPatterns for the maintenance loop: a failure is logged and left to the next turn. */
export async function patternsTurn(deps: PatternsDeps): Promise<void> {
  try {
    const result = await refreshPatterns(deps)
    if (result && result.refreshed > 0) deps.logger.debug(result, 'execution patterns refreshed')
  } catch (err) {
    deps.logger.warn({ err: errorMessage(err) }, 'pattern refresh failed; retried at the next turn')
  }
}
