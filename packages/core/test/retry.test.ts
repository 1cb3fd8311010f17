import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RETRY_POLICY,
  nextAttemptDecision,
  type RetryPolicy,
  resolveRetryPolicy,
  retryBaseDelayMs,
  retryDelayMs,
} from '../src/index.ts'

const none: RetryPolicy = { ...DEFAULT_RETRY_POLICY, jitter: 'none' }
const never = () => {
  throw new Error('random must not be called')
}

describe('resolveRetryPolicy', () => {
  it('fills the contract defaults', () => {
    expect(resolveRetryPolicy()).toEqual({
      maxAttempts: 3,
      initialDelayMs: 1000,
      backoffMultiplier: 2,
      maxDelayMs: 300_000,
      jitter: 'full',
    })
    expect(resolveRetryPolicy(null)).toEqual(DEFAULT_RETRY_POLICY)
  })
  it('keeps given fields and ignores null ones', () => {
    const p = resolveRetryPolicy({ maxAttempts: 5, jitter: 'none', maxDelayMs: null as unknown as number })
    expect(p).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 5, jitter: 'none' })
  })
  it('does not share the defaults object', () => {
    const p = resolveRetryPolicy({})
    p.maxAttempts = 99
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(3)
  })
})

describe('retryDelayMs without jitter', () => {
  it('is initialDelayMs * multiplier^(n-1)', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(none, n, never))).toEqual([1000, 2000, 4000, 8000, 16000])
  })
  it('is capped at maxDelayMs', () => {
    const p = { ...none, maxDelayMs: 5000 }
    expect([1, 2, 3, 4, 10].map((n) => retryDelayMs(p, n, never))).toEqual([1000, 2000, 4000, 5000, 5000])
  })
  it('rounds fractional multipliers to whole ms', () => {
    const p = { ...none, initialDelayMs: 1000, backoffMultiplier: 1.5 }
    expect([1, 2, 3, 4].map((n) => retryDelayMs(p, n, never))).toEqual([1000, 1500, 2250, 3375])
    expect(retryDelayMs({ ...none, initialDelayMs: 3, backoffMultiplier: 1.5 }, 2, never)).toBe(5)
  })
  it('multiplier 1 is a constant delay', () => {
    expect(retryDelayMs({ ...none, backoffMultiplier: 1 }, 50, never)).toBe(1000)
  })
  it('guards against overflow: huge multipliers and attempts give maxDelayMs', () => {
    const p = { ...none, backoffMultiplier: 100, maxAttempts: 100 }
    expect(retryDelayMs(p, 99, never)).toBe(300_000)
    expect(retryDelayMs({ ...p, backoffMultiplier: 1e300 }, 3, never)).toBe(300_000)
    expect(retryDelayMs({ ...p, backoffMultiplier: Number.NaN }, 2, never)).toBe(300_000)
    expect(retryBaseDelayMs({ ...p, backoffMultiplier: 10 }, 10_000)).toBe(300_000)
  })
  it('zero initial delay stays zero, zero max delay caps to zero', () => {
    expect(retryDelayMs({ ...none, initialDelayMs: 0, backoffMultiplier: 1e300 }, 500, never)).toBe(0)
    expect(retryDelayMs({ ...none, maxDelayMs: 0 }, 1, never)).toBe(0)
  })
  it('rejects attempt numbers that are not whole numbers >= 1', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => retryDelayMs(none, n, never)).toThrow(RangeError)
  })
})

describe('retryDelayMs with full jitter', () => {
  const full: RetryPolicy = { ...DEFAULT_RETRY_POLICY, jitter: 'full' }
  it('maps [0, 1) onto the whole range [0, base]', () => {
    expect(retryDelayMs(full, 1, () => 0)).toBe(0)
    expect(retryDelayMs(full, 1, () => 0.5)).toBe(500)
    expect(retryDelayMs(full, 1, () => 0.999_999_999)).toBe(1000)
    expect(retryDelayMs(full, 3, () => 0.25)).toBe(1000)
  })
  it('clamps a misbehaving random source into [0, base]', () => {
    expect(retryDelayMs(full, 1, () => 1)).toBe(1000)
    expect(retryDelayMs(full, 1, () => 7)).toBe(1000)
    expect(retryDelayMs(full, 1, () => -3)).toBe(0)
    expect(retryDelayMs(full, 1, () => Number.NaN)).toBe(0)
  })
  it('does not draw when the base delay is 0', () => {
    expect(retryDelayMs({ ...full, initialDelayMs: 0 }, 1, never)).toBe(0)
  })
  it('is roughly uniform over [0, base]', () => {
    let seed = 42
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
      return seed / 2 ** 32
    }
    const buckets = new Array(10).fill(0)
    const n = 20_000
    const seen = new Set<number>()
    for (let i = 0; i < n; i++) {
      const d = retryDelayMs(full, 2, random)
      seen.add(d)
      buckets[Math.min(9, Math.floor(d / 200))]++
    }
    expect(Math.min(...seen)).toBe(0)
    expect(Math.max(...seen)).toBe(2000)
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(n / 10 / 5)
  })
})

describe('nextAttemptDecision', () => {
  const now = new Date('2026-03-08T07:00:00.000Z')
  it('retries with the next attempt number and the time it becomes available', () => {
    expect(nextAttemptDecision(none, 1, now, never)).toEqual({
      kind: 'retry',
      attempt: 2,
      delayMs: 1000,
      availableAt: new Date('2026-03-08T07:00:01.000Z'),
    })
    expect(nextAttemptDecision(none, 2, now, never)).toMatchObject({
      kind: 'retry',
      attempt: 3,
      availableAt: new Date('2026-03-08T07:00:02.000Z'),
    })
  })
  it('is dead once maxAttempts (which counts the first try) attempts failed', () => {
    expect(nextAttemptDecision(none, 3, now, never)).toEqual({ kind: 'dead' })
    expect(nextAttemptDecision(none, 4, now, never)).toEqual({ kind: 'dead' })
    expect(nextAttemptDecision({ ...none, maxAttempts: 1 }, 1, now, never)).toEqual({ kind: 'dead' })
  })
  it('uses the jittered delay', () => {
    const d = nextAttemptDecision({ ...none, jitter: 'full' }, 2, now, () => 0.5)
    expect(d).toMatchObject({ kind: 'retry', attempt: 3, delayMs: 1000 })
  })
  it('rejects a bad attempt number', () => {
    expect(() => nextAttemptDecision(none, 0, now, never)).toThrow(RangeError)
  })
})
