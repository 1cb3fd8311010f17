import { nextAttemptDecision, resolveRetryPolicy } from './retry.ts'
import type { ExecutionError } from './schemas/execution.ts'
import type { RetryPolicy } from './schemas/schedule.ts'

/**
 * Where retries are decided: what becomes of an execution when one of its attempts has run (http-api.md,
 * `retryPolicy`). Pure: the clock and randomness are inputs; the runner writes what this returns.
 * - the attempt succeeded → `succeeded`;
 * - it failed and attempts are left → `retrying`: attempt n+1 may start at `availableAtMs` (backoff in
 *   retry.ts);
 * - it failed permanently (`error.class`), or on its last attempt → `dead`: the dead-letter queue is the executions in that status (redrive
 *   makes a new execution of a dead one).
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
}

export function attemptOutcome(input: AttemptOutcomeInput): AttemptOutcome {
  if (input.error === null) return { status: 'succeeded' }
  // A permanent failure (e.g. a step's secret does not exist) is not retried: dead at once.
  if (input.error.class === 'permanent') return { status: 'dead', error: input.error }
  const policy = resolveRetryPolicy(input.retryPolicy)
  const decision = nextAttemptDecision(policy, input.attempt, new Date(input.nowMs), input.random)
  if (decision.kind === 'dead') return { status: 'dead', error: input.error }
  return {
    status: 'retrying',
    error: input.error,
    nextAttempt: decision.attempt,
    delayMs: decision.delayMs,
    availableAtMs: decision.availableAt.getTime(),
  }
}
