import type { Logger } from 'pino'
import { errorMessage } from './errors.ts'

const MAX_BACKOFF_MS = 2000

/**
 * Capped exponential backoff with jitter (half fixed, half random) after `failures` consecutive failures:
 * 100 ms doubling up to `maxMs` (default 2 s; the scheduler's rounds use 5 s).
 */
export function backoffMs(failures: number, maxMs = MAX_BACKOFF_MS): number {
  const base = Math.min(maxMs, 100 * 2 ** Math.min(failures - 1, 16))
  return Math.round(base / 2 + Math.random() * (base / 2))
}

/** What a failure reports: the phase that waits, the error, how long it waits, the failures in a row. */
export interface BackoffFailure<P extends string = string> {
  phase: P
  error: string
  delayMs: number
  failures: number
}

/**
 * Consecutive failures of one dependency, and until when the phases that need it wait. A failure is logged
 * the first time and every 20th (a dependency down for minutes does not flood the log), and reported to
 * `onFail` every time; the first success after failures logs the recovery.
 */
export function createBackoff<P extends string>(
  phase: P,
  logger: Logger,
  onFail: (e: BackoffFailure<P>) => void,
  what = 'runner dependency',
) {
  let failures = 0
  let until = 0
  return {
    fail(err: unknown): number {
      failures++
      const delayMs = backoffMs(failures)
      until = performance.now() + delayMs
      if (failures === 1 || failures % 20 === 0) {
        logger.warn({ phase, err: errorMessage(err), failures, retryInMs: delayMs }, `${what} failed`)
      }
      onFail({ phase, error: errorMessage(err), delayMs, failures })
      return delayMs
    },
    ok() {
      if (failures > 0) logger.info({ phase, failures }, `${what} recovered`)
      failures = 0
      until = 0
    },
    /** ms to wait before the next try (0: go). */
    wait(): number {
      return Math.max(0, until - performance.now())
    },
    get failing() {
      return failures > 0
    },
  }
}

export type Backoff = ReturnType<typeof createBackoff>
