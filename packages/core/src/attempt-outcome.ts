import { nextAttemptDecision, resolveRetryPolicy } from './retry.ts'
import type { ExecutionError } from './schemas/execution.ts'
import type { RetryPolicy } from './schemas/schedule.ts'

/**
 * Where retries are decided: what becomes of an execution when one of its attempts has run (http-api.md,
 * `retryPolicy`). Pure: the clock and randomness are inputs; the runner writes what this returns.
 * - the attempt succeeded → `succeeded`;
 * - it failed and attempts are left → `retrying`: attempt n+1 may start at `availableAtMs` (backoff in
 *   retry.ts);
 * - it failed on its last attempt, or with a *permanent* failure (`error.class`, failure-class.ts) → `dead`
 *   at once: the dead-letter queue is the executions in that status (redrive makes a new execution of one);
 * - a `Retry-After` the target sent (429 / 503) replaces the backoff delay, capped at `maxDelayMs`.
 * A cancel or a hand-back on shutdown is not an outcome of the attempt's work: the runner decides those from
 * why the attempt was aborted.
 */
export type AttemptOutcome =
  | { status: 'succeeded' }
  | {
      status: 'retrying'
      error: ExecutionError
      /** The attempt that runs next. */
      nextAttempt: number
      delayMs: number
      availableAtMs: number
    }
  | { status: 'dead'; error: ExecutionError }

export interface AttemptOutcomeInput {
  /** Null when every step succeeded. */
  error: ExecutionError | null
  /** The attempt that ran (1 for the first). */
  attempt: number
  /** As stored on the execution (any subset; the contract's defaults fill the rest). */
  retryPolicy: Partial<RetryPolicy> | null
  nowMs: number
  random: () => number
  /** The failed step's `Retry-After`, as a delay in ms (null or absent: the policy's backoff). */
  retryAfterMs?: number | null
}

export function attemptOutcome(input: AttemptOutcomeInput): AttemptOutcome {
  if (input.error === null) return { status: 'succeeded' }
  if (input.error.class === 'permanent') return { status: 'dead', error: input.error }
  const policy = resolveRetryPolicy(input.retryPolicy)
  const decision = nextAttemptDecision(policy, input.attempt, new Date(input.nowMs), input.random)
  if (decision.kind === 'dead') return { status: 'dead', error: input.error }
  const retryAfter = input.retryAfterMs
  const delayMs =
    retryAfter != null && Number.isFinite(retryAfter) && retryAfter > 0
      ? Math.min(Math.max(0, policy.maxDelayMs), Math.ceil(retryAfter))
      : decision.delayMs
  return {
    status: 'retrying',
    error: input.error,
    nextAttempt: decision.attempt,
    delayMs,
    availableAtMs: input.nowMs + delayMs,
  }
}
