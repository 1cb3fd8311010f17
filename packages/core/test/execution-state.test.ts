import { describe, expect, it } from 'vitest'
import {
  createdExecutionStatuses,
  ExecutionStatus,
  executionStatuses,
  finishedExecutionStatuses,
  isUnfinished,
  STATUS_GUARDS,
  TRANSITIONS,
  unfinishedExecutionStatuses,
} from '../src/index.ts'
import { canTransition, transitionSources } from '../src/testing.ts'

describe('execution statuses', () => {
  it('are the contract statuses, the same as the schema', () => {
    expect([...executionStatuses].sort()).toEqual(
      ['cancelled', 'dead', 'missed', 'queued', 'retrying', 'running', 'skipped', 'succeeded'].sort(),
    )
    expect([...ExecutionStatus.enum].sort()).toEqual([...executionStatuses].sort())
  })
  it('split into unfinished (queued, running, retrying) and finished', () => {
    expect([...unfinishedExecutionStatuses]).toEqual(['queued', 'running', 'retrying'])
    expect([...unfinishedExecutionStatuses, ...finishedExecutionStatuses].sort()).toEqual(
      [...executionStatuses].sort(),
    )
    for (const s of executionStatuses) {
      expect(isUnfinished(s)).toBe(!(finishedExecutionStatuses as readonly string[]).includes(s))
    }
    expect(isUnfinished('retrying')).toBe(true)
    expect(isUnfinished('missed')).toBe(false)
  })
})

describe('transitions', () => {
  const edges: [string, string][] = [
    ['queued', 'running'],
    ['queued', 'cancelled'],
    ['queued', 'skipped'],
    ['running', 'succeeded'],
    ['running', 'retrying'],
    ['running', 'dead'],
    ['running', 'cancelled'],
    ['running', 'queued'],
    ['retrying', 'queued'],
    ['retrying', 'running'],
    ['retrying', 'cancelled'],
  ]
  it('allow exactly the documented edges', () => {
    const allowed: string[] = []
    for (const from of executionStatuses)
      for (const to of executionStatuses) if (canTransition(from, to)) allowed.push(`${from}->${to}`)
    expect(allowed.sort()).toEqual(edges.map(([a, b]) => `${a}->${b}`).sort())
  })
  it('nothing leaves a finished status; no status goes to itself', () => {
    for (const from of finishedExecutionStatuses) expect(TRANSITIONS[from]).toEqual([])
    for (const s of executionStatuses) expect(canTransition(s, s)).toBe(false)
  })
  it('an unfinished execution can always be cancelled; a finished one cannot', () => {
    for (const s of executionStatuses) expect(canTransition(s, 'cancelled')).toBe(isUnfinished(s))
  })
  it('skipped and missed are creation statuses; succeeded is reached only by running', () => {
    expect([...createdExecutionStatuses]).toEqual(['queued', 'skipped', 'missed'])
    expect(transitionSources('missed')).toEqual([])
    expect(transitionSources('succeeded')).toEqual(['running'])
    expect(transitionSources('running')).toEqual(['queued', 'retrying'])
    expect(transitionSources('cancelled')).toEqual(['queued', 'running', 'retrying'])
  })
  it('rejects unknown statuses', () => {
    expect(canTransition('bogus' as never, 'running')).toBe(false)
    expect(canTransition('__proto__' as never, 'running')).toBe(false)
    expect(canTransition('toString' as never, 'running')).toBe(false)
  })
})

describe('STATUS_GUARDS', () => {
  it('every guarded write moves along an edge of the state machine', () => {
    for (const [name, guard] of Object.entries(STATUS_GUARDS)) {
      for (const from of guard.from) {
        for (const to of guard.to) {
          // The start of a reclaimed lease: running → queued (lease lost) → running, in one statement.
          const edge =
            canTransition(from, to) ||
            (name === 'start' &&
              from === 'running' &&
              canTransition('running', 'queued') &&
              canTransition('queued', 'running'))
          expect(edge, `${name}: ${from} → ${to}`).toBe(true)
        }
      }
    }
  })

  it('names the sources of the writes that reach a status, as the state machine has them', () => {
    expect([...STATUS_GUARDS.cancel.from].sort()).toEqual(transitionSources('cancelled').sort())
    expect([...STATUS_GUARDS.skipUnstarted.from]).toEqual(transitionSources('skipped'))
    expect([...STATUS_GUARDS.finish.from]).toEqual(['running'])
    expect([...STATUS_GUARDS.unfinished.from]).toEqual([...unfinishedExecutionStatuses])
  })
})
