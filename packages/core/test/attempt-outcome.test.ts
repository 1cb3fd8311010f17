import { describe, expect, it } from 'vitest'
import { attemptOutcome } from '../src/index.ts'

const error = { message: 'step call: HTTP 503', step: 'call', status: 503 }
const policy = {
  maxAttempts: 3,
  initialDelayMs: 1000,
  backoffMultiplier: 2,
  maxDelayMs: 300_000,
  jitter: 'none' as const,
}
const at = (attempt: number, err: typeof error | null = error) =>
  attemptOutcome({ error: err, attempt, retryPolicy: policy, nowMs: 10_000, random: () => 0.5 })

describe('attemptOutcome', () => {
  it('an attempt whose steps all succeeded: succeeded, whatever the attempt', () => {
    expect(at(1, null)).toEqual({ status: 'succeeded' })
    expect(at(3, null)).toEqual({ status: 'succeeded' })
  })

  it('a failed attempt with attempts left: retrying, with the backoff of the contract', () => {
    expect(at(1)).toEqual({ status: 'retrying', error, nextAttempt: 2, delayMs: 1000, availableAtMs: 11_000 })
    expect(at(2)).toEqual({ status: 'retrying', error, nextAttempt: 3, delayMs: 2000, availableAtMs: 12_000 })
  })

  it('a failed last attempt: dead (the dead-letter queue), with its error', () => {
    expect(at(3)).toEqual({ status: 'dead', error })
  })

  it('no stored policy: the contract defaults (3 attempts, full jitter within 1 s, then 2 s)', () => {
    const first = attemptOutcome({ error, attempt: 1, retryPolicy: null, nowMs: 0, random: () => 0.999 })
    expect(first).toMatchObject({ status: 'retrying', nextAttempt: 2 })
    expect(first.status === 'retrying' && first.delayMs).toBeLessThanOrEqual(1000)
    expect(attemptOutcome({ error, attempt: 3, retryPolicy: null, nowMs: 0, random: Math.random })).toEqual({
      status: 'dead',
      error,
    })
  })
})
