import { describe, expect, it } from 'vitest'
import { zoneRules } from '../src/cron/zone.ts'

const HOUR = 3_600_000

function intlOffset(timezone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(t)
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value)
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return wall - Math.floor(t / 1000) * 1000
}

describe('zone transition table', () => {
  it('finds the 2024 transitions to the second', () => {
    const ny = zoneRules('America/New_York')
    expect(ny.nextTransition(Date.parse('2024-01-01T00:00:00Z'), Date.parse('2025-01-01T00:00:00Z'))).toEqual(
      {
        at: Date.parse('2024-03-10T07:00:00Z'),
        before: -5 * HOUR,
        after: -4 * HOUR,
      },
    )
    expect(ny.lastTransition(Date.parse('2025-01-01T00:00:00Z'), Date.parse('2024-01-01T00:00:00Z'))).toEqual(
      {
        at: Date.parse('2024-11-03T06:00:00Z'),
        before: -4 * HOUR,
        after: -5 * HOUR,
      },
    )
    const lhi = zoneRules('Australia/Lord_Howe')
    expect(
      lhi.nextTransition(Date.parse('2024-06-01T00:00:00Z'), Date.parse('2025-01-01T00:00:00Z')),
    ).toEqual({
      at: Date.parse('2024-10-05T15:30:00Z'),
      before: 10.5 * HOUR,
      after: 11 * HOUR,
    })
  })

  it('bounds are exclusive after, inclusive until', () => {
    const ny = zoneRules('America/New_York')
    const at = Date.parse('2024-03-10T07:00:00Z')
    expect(ny.nextTransition(at, at + HOUR)).toBeUndefined()
    expect(ny.nextTransition(at - 1, at)?.at).toBe(at)
    expect(ny.nextTransition(at - HOUR, at - 1)).toBeUndefined()
    expect(ny.lastTransition(at, at - 1)?.at).toBe(at)
    expect(ny.lastTransition(at - 1, at - HOUR)).toBeUndefined()
    expect(ny.lastTransition(at + HOUR, at)).toBeUndefined()
    expect(ny.offsetAt(at - 1)).toBe(-5 * HOUR)
    expect(ny.offsetAt(at)).toBe(-4 * HOUR)
  })

  it('matches Intl at many instants in many zones', () => {
    const zones = [
      'America/New_York',
      'Europe/London',
      'Australia/Sydney',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Asia/Kolkata',
      'Asia/Gaza',
      'Africa/Casablanca',
      'Pacific/Apia',
      'America/Noronha',
    ]
    let seed = 7
    for (const zone of zones) {
      const rules = zoneRules(zone)
      for (let i = 0; i < 300; i++) {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
        const t =
          Date.UTC(1995, 0, 1) + Math.floor((seed / 2 ** 31) * 50 * 365.25 * 24) * HOUR + (i % 7) * 60_000
        expect(rules.offsetAt(t), `${zone} ${new Date(t).toISOString()}`).toBe(intlOffset(zone, t))
      }
    }
  })

  it('fixed zones have no transitions', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'Etc/GMT+5', 'GMT']) {
      const rules = zoneRules(zone)
      expect(rules.nextTransition(0, Date.parse('2100-01-01T00:00:00Z'))).toBeUndefined()
      expect(rules.lastTransition(Date.parse('2100-01-01T00:00:00Z'), 0)).toBeUndefined()
    }
    expect(zoneRules('Etc/GMT+5').offsetAt(0)).toBe(-5 * HOUR)
    expect(zoneRules(undefined).name).toBe('UTC')
  })

  it('aliases share one table', () => {
    expect(zoneRules('US/Eastern')).toBe(zoneRules('America/New_York'))
  })
})
