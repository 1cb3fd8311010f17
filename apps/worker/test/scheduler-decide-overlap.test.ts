// The overlap part of a claim's decision, alone (pure): each fire the plan runs against what is unfinished.
import type { FireScheduleRow, NewFireExecution, UnfinishedExecutionRow } from '@punctual/db'
import { describe, expect, it } from 'vitest'
import { countedStarts } from '../src/scheduler/decide.ts'
import { decideOverlaps } from '../src/scheduler/decide-overlap.ts'

const S = (n: number) => Date.parse('2026-03-07T12:00:00.000Z') + n * 1000
const NOW = S(0) + 300

/** The columns the overlap part reads; the rest of the row is the plan's business. */
function row(overrides: Partial<FireScheduleRow> = {}): FireScheduleRow {
  const columns = { overlapPolicy: 'skip', maxExecutions: null, jitterMs: 0, ...overrides }
  return { id: '00000000-0000-7000-8000-000000000001', ...columns } as FireScheduleRow
}

const running = (id: string): UnfinishedExecutionRow => ({
  scheduleId: row().id,
  id,
  kind: 'manual',
  status: 'running',
  held: false,
  started: true,
})
const heldFire = (id: string): UnfinishedExecutionRow => ({
  scheduleId: row().id,
  id,
  kind: 'fire',
  status: 'queued',
  held: true,
  started: false,
})

function overlaps(
  r: FireScheduleRow,
  runs: number[],
  live: UnfinishedExecutionRow[] = [],
  rows: NewFireExecution[] = [],
) {
  let n = 0
  return decideOverlaps({ row: r, live, runs, now: NOW, newId: () => `new-${++n}`, rows })
}
const summary = (rows: NewFireExecution[]) =>
  rows.map((r) => [(r.scheduledForMs - S(0)) / 1000, r.status, r.held, r.overlapCheck ?? false])

describe('decideOverlaps', () => {
  it('allow runs every fire, ahead or due, whatever is unfinished', () => {
    const o = overlaps(row({ overlapPolicy: 'allow' }), [S(0), S(1), S(2)], [running('e')])
    expect(summary(o.rows)).toEqual([
      [0, 'queued', false, false],
      [1, 'queued', false, false],
      [2, 'queued', false, false],
    ])
    expect(o).toMatchObject({ waitUntilMs: null, lastDecided: S(2) })
    expect([...o.cancelIds]).toEqual([])
  })

  it('skip: a due fire behind an unfinished one is skipped; later ones carry the check to their start', () => {
    const o = overlaps(row(), [S(0), S(1)], [running('e')])
    expect(summary(o.rows)).toEqual([
      [0, 'skipped', false, false],
      [1, 'queued', false, true],
    ])
    expect(o).toMatchObject({ waitUntilMs: null, lastDecided: S(1) })
  })

  it('skip with a maxExecutions budget waits for a fire ahead instead of checking at its start', () => {
    const o = overlaps(row({ maxExecutions: 10 }), [S(0), S(1)])
    // 12:00:00 runs (nothing unfinished); 12:00:01 is ahead and would see it unfinished: the claim waits.
    expect(summary(o.rows)).toEqual([[0, 'queued', false, false]])
    expect(o).toMatchObject({ waitUntilMs: S(1), lastDecided: S(0) })
  })

  it('buffer_one holds one fire; with one already waiting the next is skipped', () => {
    const held = overlaps(row({ overlapPolicy: 'buffer_one' }), [S(0)], [running('e')])
    expect(summary(held.rows)).toEqual([[0, 'queued', true, false]])
    expect(held.buffered).toBe(1)
    const full = overlaps(row({ overlapPolicy: 'buffer_one' }), [S(0)], [running('e'), heldFire('w')])
    expect(summary(full.rows)).toEqual([[0, 'skipped', false, false]])
  })

  it('a catch-up is one decision: buffer_one holds the first misfire and skips the rest', () => {
    const o = overlaps(row({ overlapPolicy: 'buffer_one' }), [S(-3), S(-2), S(0)], [running('e')])
    expect(summary(o.rows)).toEqual([
      [-3, 'queued', true, false],
      [-2, 'skipped', false, false],
      // On time, decided on its own: one fire is waiting already.
      [0, 'skipped', false, false],
    ])
  })

  it('cancel_previous cancels the unfinished and the waiting ones, then runs', () => {
    const o = overlaps(row({ overlapPolicy: 'cancel_previous' }), [S(0)], [running('e'), heldFire('w')])
    expect([...o.cancelIds].sort()).toEqual(['e', 'w'])
    expect(summary(o.rows)).toEqual([[0, 'queued', false, false]])
    expect(o).toMatchObject({ unfinished: [{ id: 'new-1', status: 'queued' }], buffered: 0, waiting: [] })
  })

  it('cancel_previous supersedes runs of this same claim: they become skipped rows, not cancels', () => {
    const r = row({ overlapPolicy: 'cancel_previous', misfirePolicy: 'fire_all' })
    const o = overlaps(r, [S(-3), S(-2), S(0)])
    // The catch-up runs both misfires (nothing was unfinished before it); the on-time fire cancels them.
    expect(summary(o.rows)).toEqual([
      [-3, 'skipped', false, false],
      [-2, 'skipped', false, false],
      [0, 'queued', false, false],
    ])
    expect([...o.cancelIds]).toEqual([])
  })

  it('a fire ahead of its time waits while anything is unfinished (buffer_one, cancel_previous)', () => {
    for (const overlapPolicy of ['buffer_one', 'cancel_previous'] as const) {
      const o = overlaps(row({ overlapPolicy }), [S(1), S(2)], [running('e')])
      expect(o.rows).toEqual([])
      expect(o).toMatchObject({ waitUntilMs: S(1), lastDecided: null })
    }
  })

  it('appends to the rows it is given (the missed ones) and never decides them', () => {
    const missed: NewFireExecution = {
      id: 'm',
      scheduleId: row().id,
      scheduledForMs: S(-10),
      status: 'missed',
      held: false,
      availableAtMs: null,
      dueAtMs: S(-10),
    }
    const o = overlaps(row({ overlapPolicy: 'cancel_previous' }), [S(0)], [running('e')], [missed])
    expect(summary(o.rows)).toEqual([
      [-10, 'missed', false, false],
      [0, 'queued', false, false],
    ])
  })
})

describe('countedStarts', () => {
  const r = (id: string, status: NewFireExecution['status']): NewFireExecution => ({
    id,
    scheduleId: 's',
    scheduledForMs: 0,
    status,
    held: false,
    availableAtMs: null,
    dueAtMs: 0,
  })

  it('counts queued rows, not skipped or missed, and gives back cancelled fires that never started', () => {
    const rows = [r('a', 'queued'), r('b', 'skipped'), r('c', 'missed'), r('d', 'queued')]
    expect(countedStarts(2, rows, new Set(), new Set())).toBe(4)
    expect(countedStarts(2, rows, new Set(['x', 'y']), new Set(['x']))).toBe(3)
  })
})
