// The fire claimer's parts that hold logic of their own, each alone (pure: no Redis or Postgres involved).
import { EventEmitter } from 'node:events'
import type { FireScheduleRow, NewFireExecution } from '@punctual/db'
import type { DueClaim } from '@punctual/queue'
import { describe, expect, it } from 'vitest'
import { schedulerConfig } from '../src/scheduler/config.ts'
import type { FireDecision } from '../src/scheduler/decide.ts'
import type { SchedulerEvents } from '../src/scheduler/events.ts'
import { createHeldClaims, type Work } from '../src/scheduler/held-claims.ts'
import { type Committed, countMissed } from '../src/scheduler/record-fires.ts'
import { createPendingSteps } from '../src/scheduler/redis-steps.ts'
import { emitRoundEvents } from '../src/scheduler/round-events.ts'
import { collect } from './helpers.ts'

const claim = (scheduleId: string, fireAtMs = 1000): DueClaim => ({ scheduleId, fireAtMs, version: 1 })
const work = (scheduleId: string, claimedAt = 0, attempts = 0): Work => ({
  claim: claim(scheduleId),
  claimedAt,
  attempts,
})

describe('held claims', () => {
  it('keeps a claim at most half its lease', () => {
    const held = createHeldClaims(10_000)
    expect(held.canHoldUntil(work('a', 1000), 5999)).toBe(true)
    expect(held.canHoldUntil(work('a', 1000), 6000)).toBe(false)
  })

  it('a round takes the new claims, then the held ones whose time came, each once', () => {
    const held = createHeldClaims(10_000)
    held.hold(work('due'), 100)
    held.hold(work('later'), 500)
    held.hold(work('again'), 100)
    // 'again' was claimed anew (the held claim lapsed): the new claim replaces the held one.
    const taken = held.takeDue([claim('new'), claim('again')], 200)
    expect(taken.map((w) => [w.claim.scheduleId, w.claimedAt, w.attempts])).toEqual([
      ['new', 200, 0],
      ['again', 200, 0],
      ['due', 0, 1],
    ])
    expect(held.size).toBe(1)
    expect(held.nextWakeIn(200, 1000)).toBe(300)
    expect(held.nextWakeIn(200, 50)).toBe(50)
    expect(held.nextWakeIn(900, 1000)).toBe(0)
  })

  it('lets a held claim past its lease go quietly (the entry is back in the due-index)', () => {
    const held = createHeldClaims(10_000)
    held.hold(work('old', 0), 100)
    expect(held.takeDue([], 10_000)).toEqual([])
    expect(held.size).toBe(0)
  })

  it('counts attempts across holds and hands every claim over at stop', () => {
    const held = createHeldClaims(10_000)
    held.hold(work('a', 0, 2), 100)
    held.hold(work('b'), 100)
    const all = held.takeAll()
    expect(all.map((w) => [w.claim.scheduleId, w.attempts])).toEqual([
      ['a', 3],
      ['b', 1],
    ])
    expect(held.size).toBe(0)
  })
})

describe('pending Redis steps', () => {
  it('runs steps in order; a failed one stays first and runs again at the next flush', async () => {
    const pending = createPendingSteps()
    const ran: string[] = []
    let failOnce = true
    pending.add({ what: 'one', run: async () => void ran.push('one') })
    pending.add({
      what: 'two',
      run: async () => {
        if (failOnce) {
          failOnce = false
          throw new Error('redis away')
        }
        ran.push('two')
      },
    })
    pending.add({ what: 'three', run: async () => void ran.push('three') })
    await expect(pending.flush()).rejects.toThrow('redis away')
    expect(ran).toEqual(['one'])
    await pending.flush()
    expect(ran).toEqual(['one', 'two', 'three'])
    await pending.flush()
    expect(ran).toEqual(['one', 'two', 'three'])
  })

  it('drop forgets what is left and names it', async () => {
    const pending = createPendingSteps()
    pending.add({ what: 'after-commit', run: () => Promise.reject(new Error('no')) })
    pending.add({ what: 'release-claim', run: async () => {} })
    await expect(pending.flush()).rejects.toThrow('no')
    expect(pending.drop()).toEqual(['after-commit', 'release-claim'])
    await pending.flush()
  })
})

const scheduleRow = { id: 's1', tenant: 'acme', priority: 0, version: 1 } as FireScheduleRow
const fireRow = (
  id: string,
  status: NewFireExecution['status'],
  at: number,
  held = false,
): NewFireExecution => ({
  id,
  scheduleId: 's1',
  scheduledForMs: at,
  status,
  held,
  availableAtMs: status === 'queued' ? at + 7 : null,
  dueAtMs: at + 7,
})
const fireDecision = (rows: NewFireExecution[], over: Partial<FireDecision> = {}): FireDecision => ({
  kind: 'fire',
  rows,
  cancelIds: [],
  missedBeyondRows: 0,
  nextRunAtMs: 9000,
  state: 'active',
  waitUntilMs: null,
  changed: true,
  ...over,
})

describe('countMissed', () => {
  it('adds the inserted missed rows and the ones beyond; nothing when every missed row existed already', () => {
    const rows = [fireRow('m1', 'missed', 1), fireRow('m2', 'missed', 2), fireRow('q', 'queued', 3)]
    const d = fireDecision(rows, { missedBeyondRows: 5 })
    const of = (inserted: string[]) =>
      countMissed([{ row: scheduleRow, decision: d }], new Set(inserted)).get('s1')
    expect(of(['m1', 'm2', 'q'])).toBe(7)
    expect(of(['m2'])).toBe(6)
    // An earlier claim recorded (and counted) this resumption.
    expect(of(['q'])).toBe(0)
    // No rows for missed fires at all: only those beyond.
    const beyond = fireDecision([], { missedBeyondRows: 5 })
    expect(countMissed([{ row: scheduleRow, decision: beyond }], new Set()).get('s1')).toBe(5)
  })
})

describe('emitRoundEvents', () => {
  function committed(decision: FireDecision, over: Partial<Committed> = {}): Committed {
    return {
      now: 0,
      decisions: [
        { work: work('s1'), row: scheduleRow, decision },
        { work: work('gone'), row: undefined, decision: { kind: 'release' } },
      ],
      inserted: new Set(decision.rows.map((r) => r.id)),
      cancelled: [],
      cancelRequested: [],
      written: new Set(['s1']),
      missedIncrements: new Map([['s1', 0]]),
      events: [],
      ...over,
    }
  }

  it('emits what the transaction inserted and counts it in the round', () => {
    const events = new EventEmitter<SchedulerEvents>()
    const recorded = collect(events, 'fire.recorded')
    const skipped = collect(events, 'fire.skipped')
    const missed = collect(events, 'fire.missed')
    const rows = [
      fireRow('m', 'missed', 1000),
      fireRow('q', 'queued', 2000),
      fireRow('h', 'queued', 3000, true),
      fireRow('s', 'skipped', 4000),
      fireRow('dup', 'queued', 5000),
    ]
    const c = committed(fireDecision(rows, { missedBeyondRows: 2 }), {
      inserted: new Set(['m', 'q', 'h', 's']),
      missedIncrements: new Map([['s1', 3]]),
    })
    const result = { recorded: 0, skipped: 0, missed: 0 }
    emitRoundEvents(c, result, events)
    expect(result).toEqual({ recorded: 2, skipped: 1, missed: 3 })
    expect(recorded.items).toEqual([
      {
        scheduleId: 's1',
        executionId: 'q',
        scheduledFor: new Date(2000),
        availableAt: new Date(2007),
        held: false,
      },
      {
        scheduleId: 's1',
        executionId: 'h',
        scheduledFor: new Date(3000),
        availableAt: new Date(3007),
        held: true,
      },
    ])
    expect(skipped.items).toEqual([{ scheduleId: 's1', executionId: 's', scheduledFor: new Date(4000) }])
    expect(missed.items).toEqual([{ scheduleId: 's1', scheduledFor: [new Date(1000)], count: 3 }])
  })

  it('splits overlap cancels into cancelled and requested, and reports a completion the write made', () => {
    const events = new EventEmitter<SchedulerEvents>()
    const cancels = collect(events, 'overlap.cancelled')
    const completed = collect(events, 'schedule.completed')
    const d = fireDecision([], { cancelIds: ['a', 'b', 'c'], state: 'completed', nextRunAtMs: null })
    emitRoundEvents(
      committed(d, { cancelled: ['a'], cancelRequested: ['b'] }),
      { recorded: 0, skipped: 0, missed: 0 },
      events,
    )
    expect(cancels.items).toEqual([{ scheduleId: 's1', cancelled: ['a'], cancelRequested: ['b'] }])
    expect(completed.items).toEqual([{ scheduleId: 's1', tenant: 'acme', state: 'completed' }])
    // The row was not written (another writer moved it): no completion to report.
    emitRoundEvents(committed(d, { written: new Set() }), { recorded: 0, skipped: 0, missed: 0 }, events)
    expect(completed.items).toHaveLength(1)
  })
})

describe('schedulerConfig', () => {
  it('fills the defaults and names a setting out of range', () => {
    expect(schedulerConfig(undefined)).toEqual({
      lookaheadMs: 2500,
      claimBatch: 500,
      claimLeaseMs: 30_000,
      pollMs: 50,
    })
    expect(schedulerConfig({ pollMs: 10 }).pollMs).toBe(10)
    expect(() => schedulerConfig({ claimBatch: 0 })).toThrow(/claimBatch must be an integer/)
    expect(() => schedulerConfig({ pollMs: 1.5 })).toThrow(/pollMs must be an integer/)
    expect(() => schedulerConfig({ lookaheadMs: 20_000, claimLeaseMs: 30_000 })).toThrow(
      'scheduler config lookaheadMs must be below half of claimLeaseMs',
    )
  })
})
