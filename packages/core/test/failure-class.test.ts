import { describe, expect, it } from 'vitest'
import {
  attemptOutcome,
  classifyHttpStatus,
  DEFAULT_RETRYABLE_STATUSES,
  isRetryableStatus,
  parseRetryAfter,
} from '../src/index.ts'

const NOW = Date.parse('2026-03-08T07:00:00.000Z')

describe('failure classes', () => {
  it('by default: 408, 425, 429 and every 5xx are retryable; every other status is permanent', () => {
    expect(DEFAULT_RETRYABLE_STATUSES).toEqual([408, 425, 429, '5xx'])
    for (const s of [408, 425, 429, 500, 502, 503, 504, 599]) expect(classifyHttpStatus(s)).toBe('retryable')
    for (const s of [100, 204, 301, 302, 304, 400, 401, 403, 404, 409, 410, 422, 499]) {
      expect(classifyHttpStatus(s)).toBe('permanent')
    }
  })

  it('a step its own list: numbers and whole classes', () => {
    expect(isRetryableStatus(404, ['4xx'])).toBe(true)
    expect(isRetryableStatus(500, ['4xx'])).toBe(false)
    expect(isRetryableStatus(500, [])).toBe(false)
    expect(isRetryableStatus(409, [409, '5xx'])).toBe(true)
    expect(isRetryableStatus(302, ['3xx'])).toBe(true)
  })
})

describe('Retry-After', () => {
  it('delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter(' 5 ', NOW)).toBe(5000)
    expect(parseRetryAfter(['7', '9'], NOW)).toBe(7000)
  })

  it('an HTTP date (IMF-fixdate, RFC 850, asctime), relative to now', () => {
    expect(parseRetryAfter('Sun, 08 Mar 2026 07:00:30 GMT', NOW)).toBe(30_000)
    expect(parseRetryAfter('Sunday, 08-Mar-26 07:01:00 GMT', NOW)).toBe(60_000)
    expect(parseRetryAfter('Sun Mar  8 07:00:10 2026', NOW)).toBe(10_000)
  })

  it('garbage, zero, negative, fractional, past dates and missing values are ignored (null)', () => {
    for (const v of [
      undefined,
      '',
      'soon',
      '-5',
      '1.5',
      '0',
      '12abc',
      'Sun, 08 Mar 2026 06:59:59 GMT', // past
      'Sun, 08 Mar 2026 07:00:00 GMT', // now
      '2026-03-08T08:00:00Z', // not an HTTP date
      'Sun, 32 Mar 2026 07:00:00 GMT',
      'x'.repeat(100),
    ]) {
      expect(parseRetryAfter(v, NOW), String(v)).toBeNull()
    }
  })
})

describe('attemptOutcome with failure classes', () => {
  const policy = {
    maxAttempts: 5,
    initialDelayMs: 1000,
    backoffMultiplier: 2,
    maxDelayMs: 60_000,
    jitter: 'none' as const,
  }
  const base = { attempt: 1, retryPolicy: policy, nowMs: NOW, random: () => 0.5 }

  it('a permanent failure is dead at once, attempts left or not', () => {
    const error = { message: 'step a: HTTP 404', class: 'permanent' as const, step: 'a', status: 404 }
    expect(attemptOutcome({ ...base, error })).toEqual({ status: 'dead', error })
  })

  it('a retryable failure retries with the backoff, or after Retry-After capped at maxDelayMs', () => {
    const error = { message: 'step a: HTTP 503', class: 'retryable' as const, step: 'a', status: 503 }
    expect(attemptOutcome({ ...base, error })).toMatchObject({ status: 'retrying', delayMs: 1000 })
    expect(attemptOutcome({ ...base, error, retryAfterMs: 5000 })).toMatchObject({
      status: 'retrying',
      delayMs: 5000,
      availableAtMs: NOW + 5000,
    })
    expect(attemptOutcome({ ...base, error, retryAfterMs: 3_600_000 })).toMatchObject({ delayMs: 60_000 })
    expect(attemptOutcome({ ...base, error, retryAfterMs: null })).toMatchObject({ delayMs: 1000 })
    // The last attempt stays the last, whatever Retry-After says.
    expect(attemptOutcome({ ...base, attempt: 5, error, retryAfterMs: 5000 })).toEqual({
      status: 'dead',
      error,
    })
  })
})
