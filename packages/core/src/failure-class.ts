import type { ErrorClass } from './schemas/execution.ts'

/**
 * Failure classes of an http step (http-api.md, Workflows, "Step kinds"): a failure is *retryable*
 * (timeouts, connection errors, and statuses in the step's `retryableStatuses`, default
 * `[408, 425, 429, "5xx"]`) or *permanent* (every other status). A permanent failure makes the execution
 * `dead` at once. On 429 and 503 a `Retry-After` header (seconds or an HTTP date) sets the delay before the
 * next attempt, capped at the policy's `maxDelayMs`; a garbage or past value is ignored (the policy's own
 * delay is used). Pure: the clock is an input.
 */

/** A status (100-599) or a whole class written `"4xx"` / `"5xx"` (any of 1xx-5xx). */
export type RetryableStatus = number | `${1 | 2 | 3 | 4 | 5}xx`

export const DEFAULT_RETRYABLE_STATUSES: readonly RetryableStatus[] = Object.freeze([408, 425, 429, '5xx'])

/** Whether an HTTP status is in `retryableStatuses` (the default list when absent). */
export function isRetryableStatus(status: number, retryableStatuses?: readonly RetryableStatus[]): boolean {
  const list = retryableStatuses ?? DEFAULT_RETRYABLE_STATUSES
  for (const entry of list) {
    if (typeof entry === 'number') {
      if (entry === status) return true
    } else if (Math.floor(status / 100) === Number(entry[0])) {
      return true
    }
  }
  return false
}

/** The class of a step that got a non-2xx answer. */
export function classifyHttpStatus(
  status: number,
  retryableStatuses?: readonly RetryableStatus[],
): ErrorClass {
  return isRetryableStatus(status, retryableStatuses) ? 'retryable' : 'permanent'
}

/** The statuses whose `Retry-After` header is honoured. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503])

const DELAY_SECONDS = /^\s*(\d{1,10})\s*$/
// IMF-fixdate (RFC 9110 §5.6.7), and the two obsolete forms Date.parse also reads (RFC 850, asctime).
const HTTP_DATE =
  /^\s*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4})\s*$/

/**
 * A `Retry-After` value as a delay in ms from `nowMs`: delay-seconds or an HTTP date. Null for a missing,
 * malformed or past value (and for `0`): the caller then uses the retry policy's delay.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, nowMs: number): number | null {
  const raw = Array.isArray(value) ? value[0] : (value as string | undefined)
  if (typeof raw !== 'string' || raw.length > 64) return null
  const seconds = DELAY_SECONDS.exec(raw)
  if (seconds) {
    const ms = Number(seconds[1]) * 1000
    return ms > 0 ? ms : null
  }
  if (!HTTP_DATE.test(raw)) return null
  const at = Date.parse(raw.trim())
  if (!Number.isFinite(at) || at <= nowMs) return null
  return at - nowMs
}
