import {
  classifyHttpStatus,
  type ErrorClass,
  parseRetryAfter,
  RETRY_AFTER_STATUSES,
  type RetryableStatus,
} from '@punctual/core'
import { PermanentStepError } from './step-secrets.ts'

/**
 * How a failed step is classified (the rules are core's failure-class.ts; http-api.md, Workflows): what the
 * step engine records on the attempt's error, and the `Retry-After` delay the retry decision honours.
 */
export interface StepFailure {
  class: ErrorClass
  /** From a 429 / 503 answer's valid, future `Retry-After` (ms); absent: the policy's backoff. */
  retryAfterMs?: number
}

/** A non-2xx answer: its status decides the class; 429 and 503 may carry `Retry-After`. */
export function httpStatusFailure(
  statusCode: number,
  retryableStatuses: readonly RetryableStatus[] | undefined,
  retryAfter: string | string[] | undefined,
  nowMs: number,
): StepFailure {
  const failure: StepFailure = { class: classifyHttpStatus(statusCode, retryableStatuses) }
  if (failure.class === 'retryable' && RETRY_AFTER_STATUSES.has(statusCode)) {
    const ms = parseRetryAfter(retryAfter, nowMs)
    if (ms !== null) failure.retryAfterMs = ms
  }
  return failure
}

/** A timeout (the step's or the workflow's) or a connection error: always worth another attempt. */
export const TRANSIENT_FAILURE: StepFailure = Object.freeze({ class: 'retryable' })

/**
 * The request could not even be built (a URL that is not http(s) after its placeholders resolved, an
 * unknown step type): every attempt would fail the same way.
 */
export const DEFINITION_FAILURE: StepFailure = Object.freeze({ class: 'permanent' })

/** An error thrown anywhere in `err`'s cause chain (or an AggregateError's members) carries this code. */
function hasCode(err: unknown, code: string, depth = 0): boolean {
  if (depth > 8 || !(err instanceof Error)) return false
  if ((err as { code?: unknown }).code === code) return true
  if (err instanceof AggregateError && err.errors.some((e) => hasCode(e, code, depth + 1))) return true
  return hasCode((err as { cause?: unknown }).cause, code, depth + 1)
}

/**
 * A request that threw once sent: a connection error (retryable), unless the outbound policy refused the
 * destination's address (permanent: the step's URL points where this system may not go).
 */
export function sentRequestFailure(err: unknown): StepFailure {
  return hasCode(err, 'OUTBOUND_BLOCKED') ? DEFINITION_FAILURE : TRANSIENT_FAILURE
}

/**
 * A request that threw before it was sent: permanent when the definition cannot be run (a URL that is not
 * http(s) or not a URL at all once resolved, a missing secret, a host a secret may not go to: the secrets'
 * PermanentStepError), retryable otherwise (reading the tenant's secrets or signing keys failed).
 */
export function unsentRequestFailure(err: unknown): StepFailure {
  if (err instanceof PermanentStepError || err instanceof TypeError) return DEFINITION_FAILURE
  if (err instanceof Error && err.message.startsWith('unsupported URL scheme')) return DEFINITION_FAILURE
  return TRANSIENT_FAILURE
}
