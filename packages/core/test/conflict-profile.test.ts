import { describe, expect, it } from 'vitest'
import {
  CONFLICT_FREQUENT_MINUTES,
  conflictProfile,
  fireMinutesOfDay,
  isConflictProfile,
} from '../src/cron/index.ts'

/** The UTC minutes of day a profile stands for (the inverse of conflictProfile; dense gives every minute). */
function profileMinutes(profile: string): number[] {
  if (profile === '') return []
  const kind = profile[0]
  if (kind === 'D') return Array.from({ length: 1440 }, (_, i) => i)
  const values = profile.length > 1 ? profile.slice(1).split(',').map(Number) : []
  if (kind === 'M' || kind === 'F') return values
  if (kind === 'H') {
    const out: number[] = []
    for (let h = 0; h < 24; h++) for (const q of values) out.push(h * 60 + q)
    return out
  }
  throw new RangeError(`unknown conflict profile ${JSON.stringify(profile.slice(0, 20))}`)
}

const from = new Date('2026-03-08T05:00:00Z')
const profileOf = (cron: string, timezone = 'UTC') =>
  conflictProfile(fireMinutesOfDay(cron, { timezone, from }))

describe('conflictProfile', () => {
  it('calls a schedule dense when every minute of the day is within one minute of a fire', () => {
    expect(profileOf('* * * * * *')).toBe('D')
    expect(profileOf('0/10 * * * * *')).toBe('D')
    expect(profileOf('* * * * *', 'Europe/London')).toBe('D')
    expect(profileOf('*/3 * * * *')).toBe('D')
    // Every 4 minutes leaves minute 2 of each 4 more than one minute from a fire.
    expect(profileOf('*/4 * * * *')).toBe(`H${Array.from({ length: 15 }, (_, i) => i * 4).join(',')}`)
  })

  it('keeps one value per minute of the hour for schedules that fire the same minutes every hour', () => {
    expect(profileOf('17 * * * *')).toBe('H17')
    expect(profileOf('0,30 * * * *', 'America/New_York')).toBe('H0,30')
    // Kolkata is 5:30 ahead of UTC: minute 17 there is minute 47 in UTC.
    expect(profileOf('17 * * * *', 'Asia/Kolkata')).toBe('H47')
  })

  it('lists the minutes of the day for everything else', () => {
    expect(profileOf('0 9 * * *')).toBe('M540')
    expect(profileOf('0 9-17 * * *')).toBe(`M${Array.from({ length: 9 }, (_, i) => (9 + i) * 60).join(',')}`)
    expect(profileOf('0 9 31 2 *')).toBe('')
  })

  it('calls a minutes profile frequent past CONFLICT_FREQUENT_MINUTES minutes', () => {
    // Every 2 minutes from 9 to 17: 270 minutes, each with a free minute beside it (not dense).
    const busy = profileOf('*/2 9-17 * * *')
    expect(busy[0]).toBe('F')
    expect(busy.slice(1).split(',')).toHaveLength(270)
    const minutes = (n: number) => Array.from({ length: n }, (_, i) => i * 2)
    expect(conflictProfile(minutes(CONFLICT_FREQUENT_MINUTES))[0]).toBe('M')
    expect(conflictProfile(minutes(CONFLICT_FREQUENT_MINUTES + 1))[0]).toBe('F')
    // The size decides the letter: a profile that says otherwise is malformed.
    expect(isConflictProfile(`F${minutes(CONFLICT_FREQUENT_MINUTES).join(',')}`)).toBe(false)
    expect(isConflictProfile(`M${minutes(CONFLICT_FREQUENT_MINUTES + 1).join(',')}`)).toBe(false)
    expect(isConflictProfile(`F${minutes(CONFLICT_FREQUENT_MINUTES + 1).join(',')}`)).toBe(true)
  })

  it('round-trips through profileMinutes', () => {
    for (const cron of ['* * * * *', '17 * * * *', '0 9-17 * * *', '30 2 * * *', '*/2 9-17 * * *']) {
      const minutes = fireMinutesOfDay(cron, { timezone: 'America/New_York', from })
      const profile = conflictProfile(minutes)
      expect(isConflictProfile(profile)).toBe(true)
      if (profile !== 'D') expect(profileMinutes(profile)).toEqual(minutes)
    }
    expect(profileMinutes('D')).toHaveLength(1440)
    expect(profileMinutes('')).toEqual([])
  })

  it('rejects minutes out of range and malformed profiles', () => {
    expect(() => conflictProfile([1440])).toThrow(RangeError)
    expect(() => conflictProfile([-1])).toThrow(RangeError)
    for (const bad of ['X', 'M', 'F', 'F1', 'H60', 'M1440', 'M5,3', 'M5,5', 'M1.5', 'D1', 'H1,,2']) {
      expect(isConflictProfile(bad)).toBe(false)
    }
    for (const good of ['', 'D', 'H0', 'H0,59', 'M0', 'M0,1439']) expect(isConflictProfile(good)).toBe(true)
    expect(() => profileMinutes('X1')).toThrow(RangeError)
  })
})
