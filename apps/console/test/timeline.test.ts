import type { Execution } from '@punctual/client'
import { stableJitterMs } from '@punctual/core'
import { describe, expect, it } from 'vitest'
import { isTransitionDay, offsetMinutes } from '../src/ui/format.ts'
import { dueAtOf, timelineEntry } from '../src/ui/timeline.ts'

// The console's pure helpers (no browser needed): how a run shows on a schedule's timeline, and which fire
// days carry a daylight-saving transition in the schedule's zone.
const scheduleId = '01900000-0000-7000-8000-000000000001'

function execution(over: Partial<Execution>): Execution {
  return {
    id: '01900000-0000-7000-8000-0000000000aa',
    kind: 'fire',
    scheduleId,
    triggerId: null,
    workflowId: '01900000-0000-7000-8000-0000000000bb',
    scheduledFor: '2026-03-08T07:00:00.000Z',
    enqueuedAt: null,
    startedAt: null,
    finishedAt: null,
    status: 'succeeded',
    attempt: 1,
    priority: 5,
    workerId: null,
    error: null,
    retryOf: null,
    input: {},
    steps: [],
    manual: false,
    causedBy: null,
    chainDepth: 0,
    ...over,
  }
}

describe('timeline entries', () => {
  it('marks a run late when it started more than 1 s after its due time, jitter included', () => {
    const on = timelineEntry(execution({ startedAt: '2026-03-08T07:00:01.000Z' }), 0)
    expect(on.lateMs).toBeNull()
    const late = timelineEntry(execution({ startedAt: '2026-03-08T07:00:01.001Z' }), 0)
    expect(late.lateMs).toBe(1001)
    // With jitter the fire is due later: the same start is not late when its jitter covers it.
    const jitter = stableJitterMs(scheduleId, new Date('2026-03-08T07:00:00.000Z'), 60_000)
    expect(jitter).toBeGreaterThan(1001)
    const due = dueAtOf(execution({}), 60_000)
    expect(due.getTime() - Date.parse('2026-03-08T07:00:00.000Z')).toBe(jitter)
    expect(timelineEntry(execution({ startedAt: '2026-03-08T07:00:01.001Z' }), 60_000).lateMs).toBeNull()
    // A manual run is due at its request time, whatever the jitter.
    expect(dueAtOf(execution({ kind: 'manual' }), 60_000).toISOString()).toBe('2026-03-08T07:00:00.000Z')
  })
  it('names each outcome: succeeded, failed (dead), skipped, missed, running', () => {
    const outcome = (status: Execution['status']) => timelineEntry(execution({ status }), 0).outcome
    expect(outcome('succeeded')).toBe('succeeded')
    expect(outcome('dead')).toBe('failed')
    expect(outcome('skipped')).toBe('skipped')
    expect(outcome('missed')).toBe('missed')
    expect(outcome('retrying')).toBe('running')
    expect(outcome('queued')).toBe('queued')
  })
})

describe('DST transition days', () => {
  it('marks the days whose UTC offset changes in the zone, and only those', () => {
    // New York springs forward on 8 March 2026 and falls back on 1 November 2026.
    expect(isTransitionDay(new Date('2026-03-08T14:00:00Z'), 'America/New_York')).toBe(true)
    expect(isTransitionDay(new Date('2026-03-09T14:00:00Z'), 'America/New_York')).toBe(false)
    expect(isTransitionDay(new Date('2026-03-07T14:00:00Z'), 'America/New_York')).toBe(false)
    expect(isTransitionDay(new Date('2026-11-01T16:00:00Z'), 'America/New_York')).toBe(true)
    // Lord Howe shifts by 30 minutes (5 April 2026); Kolkata never shifts.
    expect(isTransitionDay(new Date('2026-04-05T01:00:00Z'), 'Australia/Lord_Howe')).toBe(true)
    expect(isTransitionDay(new Date('2026-03-29T12:00:00Z'), 'Asia/Kolkata')).toBe(false)
    expect(isTransitionDay(new Date('2026-03-08T14:00:00Z'), 'UTC')).toBe(false)
  })
  it('reads offsets in minutes', () => {
    expect(offsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330)
    expect(offsetMinutes(new Date('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-300)
    expect(offsetMinutes(new Date('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-240)
    expect(offsetMinutes(new Date('2026-07-15T12:00:00Z'), 'UTC')).toBe(0)
  })
})
