import {
  advisoryLocks,
  type DbHandle,
  type PatternRefreshResult,
  refreshSchedulePatternsIn,
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
 * the patterns lock (a transaction advisory lock: it goes with the pass's commit, or with the connection of a
 * worker that dies). The others find it held and answer null.
 */
export async function refreshPatterns(deps: PatternsDeps): Promise<PatternRefreshResult | null> {
  return deps.db.sql.begin(async (tx) => {
    const [row] = await tx<{ locked: boolean }[]>`
      select pg_try_advisory_xact_lock(${advisoryLocks.namespace}, ${advisoryLocks.patterns}) as locked`
    if (!row!.locked) return null
    return refreshSchedulePatternsIn(tx, deps.now())
  })
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
