import { describe, expect, it } from 'vitest'
import { stableJitterMs } from '../src/index.ts'

const id = '0195a3c4-7b1e-7c3a-9f00-000000000001'
const at = new Date('2026-03-08T07:00:00.000Z')

describe('stableJitterMs', () => {
  it('is 0 without jitter', () => {
    expect(stableJitterMs(id, at, 0)).toBe(0)
    expect(stableJitterMs(id, at, -5)).toBe(0)
    expect(stableJitterMs(id, at, Number.NaN)).toBe(0)
  })
  it('is stable for the same inputs', () => {
    const a = stableJitterMs(id, at, 60_000)
    expect(stableJitterMs(id, new Date(at.getTime()), 60_000)).toBe(a)
    // Pinned: the same value in every process and release (changing the hash moves every fire).
    expect(a).toBe(2858)
    expect(stableJitterMs('a', new Date(0), 1000)).toBe(751)
  })
  it('stays in [0, jitterMs] and reaches both ends for a tiny range', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 200; i++) {
      const j = stableJitterMs(`s-${i}`, at, 1)
      expect(j === 0 || j === 1).toBe(true)
      seen.add(j)
    }
    expect(seen).toEqual(new Set([0, 1]))
  })
  it('differs between schedules and between fires of one schedule', () => {
    const bySchedule = new Set(Array.from({ length: 100 }, (_, i) => stableJitterMs(`${id}-${i}`, at, 1e6)))
    const byFire = new Set(
      Array.from({ length: 100 }, (_, i) => stableJitterMs(id, new Date(at.getTime() + i * 1000), 1e6)),
    )
    expect(bySchedule.size).toBeGreaterThan(95)
    expect(byFire.size).toBeGreaterThan(95)
  })
  it('is roughly uniform (chi-square over 20 buckets)', () => {
    const jitter = 86_400_000
    const n = 40_000
    const k = 20
    const buckets = new Array(k).fill(0)
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (let i = 0; i < n; i++) {
      // Sequential fires of sequential ids: the structured input a hash must spread out.
      const j = stableJitterMs(
        `schedule-${i % 400}`,
        new Date(at.getTime() + Math.floor(i / 400) * 1000),
        jitter,
      )
      min = Math.min(min, j)
      max = Math.max(max, j)
      buckets[Math.floor((j / (jitter + 1)) * k)]++
    }
    expect(min).toBeGreaterThanOrEqual(0)
    expect(max).toBeLessThanOrEqual(jitter)
    expect(Number.isInteger(min) && Number.isInteger(max)).toBe(true)
    const expected = n / k
    const chi2 = buckets.reduce((s, b) => s + (b - expected) ** 2 / expected, 0)
    // 19 degrees of freedom: p = 0.001 at 43.8.
    expect(chi2).toBeLessThan(43.8)
  })
  it('rejects an invalid date', () => {
    expect(() => stableJitterMs(id, new Date(Number.NaN), 10)).toThrow(RangeError)
  })
})
