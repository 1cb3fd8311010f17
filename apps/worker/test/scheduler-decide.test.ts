// Pure decision logic of one claim (no I/O): a fixed clock is fine here.
import type { FireScheduleRow, UnfinishedExecutionRow } from '@punctual/db'
import { describe, expect, it } from 'vitest'
import { type DecideInput, decideClaim, type FireDecision } from '../src/scheduler/decide.ts'

const NOW = Date.parse('2026-03-07T12:00:00.300Z')
const S = (n: number) => Date.parse('2026-03-07T12:00:00.000Z') + n * 1000

function row(overrides: Partial<FireScheduleRow> = {}): FireScheduleRow {
  return {
    id: '00000000-0000-7000-8000-000000000001',
    tenant: 'acme',
    workflowId: '00000000-0000-7000-8000-0000000000ff',
    version: 3,
    state: 'active',
    cronExpression: '* * * * * *',
    timezone: 'UTC',
    startDateMs: null,
    endDateMs: null,
    maxExecutions: null,
    priority: 5,
    overlapPolicy: 'skip',
    misfirePolicy: 'fire_once',
    catchupWindowMs: 60_000,
    jitterMs: 0,
    executionCount: 0,
    nextRunAtMs: S(1),
    ...overrides,
  }
}

function decide(
  r: FireScheduleRow | undefined,
  opts: { fireAtMs?: number; version?: number; unfinished?: Partial<UnfinishedExecutionRow>[] } = {},
) {
  let n = 0
  const input: DecideInput = {
    claim: {
      scheduleId: r?.id ?? 'x',
      fireAtMs: opts.fireAtMs ?? r?.nextRunAtMs ?? S(1),
      version: opts.version ?? 3,
    },
    row: r,
    unfinished: (opts.unfinished ?? []).map((e, i) => ({
      scheduleId: r?.id ?? 'x',
      id: `earlier-${i}`,
      kind: 'manual',
      status: 'running',
      held: false,
      started: true,
      ...e,
    })),
    now: NOW,
    lookaheadMs: 2000,
    newId: () => `new-${++n}`,
  }
  return decideClaim(input)
}

const fire = (d: ReturnType<typeof decideClaim>) => {
  expect(d.kind).toBe('fire')
  return d as FireDecision
}
const summary = (d: FireDecision) => d.rows.map((r) => [(r.scheduledForMs - S(0)) / 1000, r.status, r.held])

describe('decideClaim', () => {
  it('checks the row against the claim: missing or behind → retry, newer → release, not active → finish', () => {
    expect(decide(undefined)).toEqual({ kind: 'retry', reason: 'row-missing' })
    expect(decide(row({ version: 2 }))).toEqual({ kind: 'retry', reason: 'row-behind' })
    expect(decide(row({ version: 4 }))).toEqual({ kind: 'release' })
    expect(decide(row({ state: 'completed' }))).toEqual({ kind: 'finish' })
  })

  it('records fires ahead while nothing is unfinished; under buffer_one the next one waits for its own time', () => {
    const d = fire(decide(row({ overlapPolicy: 'buffer_one' })))
    // 12:00:01 is ahead and nothing runs: recorded now. 12:00:02 would see 12:00:01 unfinished: wait for it.
    expect(summary(d)).toEqual([[1, 'queued', false]])
    expect(d).toMatchObject({ waitUntilMs: S(2), nextRunAtMs: S(2), state: 'active' })
  })

  it('skip records every fire ahead, leaving the overlap decision to the fire start when one is unfinished', () => {
    const d = fire(decide(row()))
    // 12:00:02 sees 12:00:01 unfinished: recorded with the check, decided when it starts (runner).
    expect(summary(d)).toEqual([
      [1, 'queued', false],
      [2, 'queued', false],
    ])
    expect(d.rows.map((r) => r.overlapCheck ?? false)).toEqual([false, true])
    expect(d).toMatchObject({ waitUntilMs: null, nextRunAtMs: S(3), state: 'active' })
    const behind = fire(decide(row(), { unfinished: [{}] }))
    expect(behind.rows.map((r) => r.overlapCheck ?? false)).toEqual([true, true])
  })

  it('skip with a maxExecutions budget still waits (a skipped start would have to give its count back)', () => {
    const d = fire(decide(row({ maxExecutions: 100 })))
    expect(summary(d)).toEqual([[1, 'queued', false]])
    expect(d).toMatchObject({ waitUntilMs: S(2), nextRunAtMs: S(2) })
  })

  it('allow never waits: every fire inside the look-ahead is recorded', () => {
    const d = fire(decide(row({ overlapPolicy: 'allow' }), { unfinished: [{}] }))
    expect(summary(d)).toEqual([
      [1, 'queued', false],
      [2, 'queued', false],
    ])
    expect(d).toMatchObject({ waitUntilMs: null, nextRunAtMs: S(3) })
  })

  it('an unfinished execution defers the decision of a fire ahead of its time (buffer_one)', () => {
    const d = fire(decide(row({ overlapPolicy: 'buffer_one' }), { unfinished: [{}] }))
    expect(d.rows).toEqual([])
    expect(d).toMatchObject({ waitUntilMs: S(1), nextRunAtMs: S(1), changed: false })
  })

  it('decides a due fire at once: skip, buffer_one, cancel_previous', () => {
    const due = { fireAtMs: S(0) }
    const at = (r: FireScheduleRow) => ({ ...r, nextRunAtMs: S(0) })
    // The due fire is decided now; the ones after it inside the look-ahead carry the check to their start.
    const skipped = fire(decide(at(row()), { ...due, unfinished: [{}] }))
    expect(summary(skipped)[0]).toEqual([0, 'skipped', false])
    expect(skipped.rows.slice(1).every((r) => r.status === 'queued' && r.overlapCheck)).toBe(true)
    expect(
      summary(fire(decide(at(row({ overlapPolicy: 'buffer_one' })), { ...due, unfinished: [{}] }))),
    ).toEqual([[0, 'queued', true]])
    const withWaiting = fire(
      decide(at(row({ overlapPolicy: 'buffer_one' })), {
        ...due,
        unfinished: [{}, { status: 'queued', held: true, kind: 'fire', started: false }],
      }),
    )
    expect(summary(withWaiting)).toEqual([[0, 'skipped', false]])
    const cancel = fire(
      decide(at(row({ overlapPolicy: 'cancel_previous' })), {
        ...due,
        unfinished: [{}, { status: 'queued', held: true, kind: 'fire', started: false }],
      }),
    )
    expect(cancel.cancelIds.sort()).toEqual(['earlier-0', 'earlier-1'])
    expect(summary(cancel)[0]).toEqual([0, 'queued', false])
  })

  it('fire_all catch-up is one decision against what ran before it', () => {
    const resumed = row({ misfirePolicy: 'fire_all', nextRunAtMs: S(-5), overlapPolicy: 'buffer_one' })
    const d = fire(decide(resumed, { fireAtMs: S(-5), unfinished: [{}] }))
    // -5..-1 are misfires: one buffered, the rest skipped; 0 (on time) skipped too (one is waiting).
    expect(summary(d).slice(0, 6)).toEqual([
      [-5, 'queued', true],
      [-4, 'skipped', false],
      [-3, 'skipped', false],
      [-2, 'skipped', false],
      [-1, 'skipped', false],
      [0, 'skipped', false],
    ])
    const free = fire(decide({ ...resumed, overlapPolicy: 'skip' }, { fireAtMs: S(-5) }))
    expect(summary(free).filter(([t]) => (t as number) < 0)).toEqual(
      [-5, -4, -3, -2, -1].map((t) => [t, 'queued', false]),
    )
  })

  it('maxExecutions counts fires recorded but not started; skipped fires do not spend the budget', () => {
    const unstarted = { kind: 'fire' as const, status: 'queued' as const, started: false }
    // 2 started + 1 recorded ahead = 3 of 3: nothing more, completed.
    const full = fire(
      decide(row({ overlapPolicy: 'allow', maxExecutions: 3, executionCount: 2 }), {
        unfinished: [unstarted],
      }),
    )
    expect(full).toMatchObject({ rows: [], state: 'completed', nextRunAtMs: null })
    // A due fire skipped by overlap leaves the budget untouched: the schedule goes on.
    const skipped = fire(
      decide(row({ maxExecutions: 1, nextRunAtMs: S(0) }), { fireAtMs: S(0), unfinished: [{}] }),
    )
    expect(summary(skipped)).toEqual([[0, 'skipped', false]])
    expect(skipped).toMatchObject({ state: 'active' })
  })

  it('starts from the row when an earlier claim already recorded past the entry (crash before completeClaim)', () => {
    const d = fire(decide(row({ overlapPolicy: 'allow', nextRunAtMs: S(2) }), { fireAtMs: S(1) }))
    expect(summary(d)).toEqual([[2, 'queued', false]])
  })

  it('jitter delays availableAt only', () => {
    const d = fire(decide(row({ overlapPolicy: 'allow', jitterMs: 500 })))
    for (const r of d.rows) {
      expect(r.availableAtMs! - r.scheduledForMs).toBeGreaterThanOrEqual(0)
      expect(r.availableAtMs! - r.scheduledForMs).toBeLessThanOrEqual(500)
    }
  })
})
