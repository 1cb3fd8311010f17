import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './schemas/schedule.ts'

/**
 * Retry backoff, exactly as the contract words it: when attempt n fails (n = 1, 2, …) and n < maxAttempts,
 * attempt n+1 starts min(maxDelayMs, initialDelayMs * backoffMultiplier^(n-1)) later with jitter "none";
 * with jitter "full" a uniform random delay in [0, that] (AWS "full jitter"). `maxAttempts` counts the
 * first try. Delays are whole milliseconds. Randomness and the clock are inputs.
 */

/** The stored policy (any subset of fields, or none) with the contract's defaults filled in. */
export function resolveRetryPolicy(policy?: Partial<RetryPolicy> | null): RetryPolicy {
  const out = { ...DEFAULT_RETRY_POLICY }
  if (policy) {
    for (const key of Object.keys(out) as (keyof RetryPolicy)[]) {
      const v = policy[key]
      if (v !== undefined && v !== null) (out as Record<string, unknown>)[key] = v
    }
  }
  return out
}

function checkFailedAttempt(failedAttempt: number): void {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1)
    throw new RangeError(`failedAttempt must be a whole number >= 1, got ${failedAttempt}`)
}

/** The delay before attempt n+1 without jitter: min(maxDelayMs, initialDelayMs * backoffMultiplier^(n-1)). */
export function retryBaseDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  checkFailedAttempt(failedAttempt)
  const max = Math.max(0, policy.maxDelayMs)
  const initial = Math.max(0, policy.initialDelayMs)
  if (initial === 0) return 0
  // Huge multipliers or attempt numbers overflow to Infinity (or NaN for 1^Infinity-like edge cases):
  // anything not a finite number under the cap is the cap.
  const raw = initial * policy.backoffMultiplier ** (failedAttempt - 1)
  if (!Number.isFinite(raw) || raw >= max) return max
  return Math.max(0, Math.round(raw))
}

/**
 * How long after attempt `failedAttempt` failed the next attempt starts. `random` returns a number in
 * [0, 1) like Math.random; with full jitter the result is a whole number of ms uniform in [0, base].
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const base = retryBaseDelayMs(policy, failedAttempt)
  if (policy.jitter === 'none' || base === 0) return base
  const r = random()
  // A misbehaving source (NaN, < 0, >= 1) must not push the delay out of [0, base].
  const u = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0
  return Math.floor(u * (base + 1))
}

export type AttemptDecision =
  | { kind: 'retry'; attempt: number; delayMs: number; availableAt: Date }
  | { kind: 'dead' }

/** After attempt `failedAttempt` failed at `now`: retry (which attempt, when) or dead-letter. */
export function nextAttemptDecision(
  policy: RetryPolicy,
  failedAttempt: number,
  now: Date,
  random: () => number,
): AttemptDecision {
  checkFailedAttempt(failedAttempt)
  if (failedAttempt >= policy.maxAttempts) return { kind: 'dead' }
  const delayMs = retryDelayMs(policy, failedAttempt, random)
  return {
    kind: 'retry',
    attempt: failedAttempt + 1,
    delayMs,
    availableAt: new Date(now.getTime() + delayMs),
  }
}
