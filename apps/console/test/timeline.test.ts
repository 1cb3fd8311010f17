import type { Execution } from '@punctual/client'
import { describe, expect, it } from 'vitest'
import { isTransitionDay, offsetMinutes } from '../src/ui/format.ts'
import { timelineEntry } from '../src/ui/timeline.ts'

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
    dueAt: '2026-03-08T07:00:00.000Z',
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
  it("marks a run late when it started more than 1 s after its dueAt (a fire's jitter included)", () => {
    const on = timelineEntry(execution({ startedAt: '2026-03-08T07:00:01.000Z' }))
    expect(on.lateMs).toBeNull()
    const late = timelineEntry(execution({ startedAt: '2026-03-08T07:00:01.001Z' }))
    expect(late.lateMs).toBe(1001)
    // A jittered fire is due later (the API's dueAt): the same start is not late, a start 1.5 s after it is.
    const jittered = { dueAt: '2026-03-08T07:00:30.000Z' }
    expect(timelineEntry(execution({ ...jittered, startedAt: '2026-03-08T07:00:01.001Z' })).lateMs).toBeNull()
    expect(timelineEntry(execution({ ...jittered, startedAt: '2026-03-08T07:00:31.500Z' })).lateMs).toBe(1500)
  })
  it('names each outcome: succeeded, failed (dead), skipped, missed, running', () => {
    const outcome = (status: Execution['status']) => timelineEntry(execution({ status })).outcome
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
