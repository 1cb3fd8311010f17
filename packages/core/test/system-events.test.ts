import { describe, expect, it } from 'vitest'
import {
  type ChainLink,
  chainVerdict,
  eventTypeSelectors,
  isSystemEventType,
  MAX_CHAIN_LOOPS,
  systemEventId,
  systemEventTypes,
} from '../src/index.ts'
import { eventTypeMatches } from '../src/testing.ts'

const link = (workflowId: string, n: number): ChainLink => ({
  executionId: `e${n}`,
  workflowId,
  triggerId: n === 0 ? null : `t-${workflowId}`,
})

/** The chain of executions `workflows` ran, root first. */
const chainOf = (...workflows: string[]) => workflows.map((w, i) => link(w, i))

describe('system event types', () => {
  it('are the three the contract names', () => {
    expect(systemEventTypes).toEqual(['execution.succeeded', 'execution.dead', 'schedule.completed'])
    expect(isSystemEventType('execution.dead')).toBe(true)
    expect(isSystemEventType('execution.cancelled')).toBe(false)
    expect(isSystemEventType('order.created')).toBe(false)
  })

  it('selectors list exactly the eventTypes that select a type (the database probe)', () => {
    expect(eventTypeSelectors('execution.succeeded')).toEqual(['*', 'execution.*', 'execution.succeeded'])
    expect(eventTypeSelectors('a.b.c')).toEqual(['*', 'a.*', 'a.b.*', 'a.b.c'])
    expect(eventTypeSelectors('single')).toEqual(['*', 'single'])
    const candidates = ['*', 'a.*', 'a.b.*', 'a.b.c.*', 'a.b', 'a.b.c', 'a.bc', 'b.*', 'a', 'a.b.c.d']
    for (const type of ['a.b.c', 'a.b', 'a', 'a.bc.d']) {
      const selectors = new Set(eventTypeSelectors(type))
      for (const glob of candidates) {
        expect(selectors.has(glob), `${glob} vs ${type}`).toBe(eventTypeMatches(glob, type))
      }
    }
  })

  it('ids: one per execution end, one per schedule completion', () => {
    expect(systemEventId('execution.succeeded', 'x', '17')).toBe('execution.succeeded:x')
    expect(systemEventId('execution.dead', 'x', '18')).toBe('execution.dead:x')
    // A schedule completes again after its maxExecutions is raised: each completion is its own event.
    expect(systemEventId('schedule.completed', 's', '19')).toBe('schedule.completed:s:19')
    expect(systemEventId('schedule.completed', 's', '20')).not.toBe(
      systemEventId('schedule.completed', 's', '19'),
    )
  })
})

describe('chainVerdict: a chain that loops back onto itself', () => {
  it('A whose success starts A: the 10 next starts are made, the 11th is stopped', () => {
    const chain = chainOf('A')
    const made: number[] = []
    for (;;) {
      const v = chainVerdict(chain, { workflowId: 'A' })
      if (v.stop) {
        expect(v.loops).toBe(MAX_CHAIN_LOOPS + 1)
        break
      }
      expect(v.loopsBack).toBe(true)
      made.push(v.loops)
      chain.push(link('A', chain.length))
    }
    expect(made).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(MAX_CHAIN_LOOPS).toBe(10)
  })

  it('a ping-pong A → B → A → … is a loop too: stopped after 10 loop-backs in a row', () => {
    const chain = chainOf('A')
    let starts = 0
    for (let next = 'B'; ; next = next === 'A' ? 'B' : 'A') {
      const v = chainVerdict(chain, { workflowId: next })
      if (v.stop) break
      starts++
      chain.push(link(next, chain.length))
    }
    // B is new to the chain (no loop), then every start revisits: 10 of them.
    expect(starts).toBe(1 + MAX_CHAIN_LOOPS)
  })

  it('a chain of distinct workflows is never stopped, however long', () => {
    const chain = chainOf('w0')
    for (let i = 1; i < 200; i++) {
      const v = chainVerdict(chain, { workflowId: `w${i}` })
      expect(v).toEqual({ loopsBack: false, loops: 0, stop: false })
      chain.push(link(`w${i}`, i))
    }
  })

  it('counts loop-backs in a row: a workflow new to the chain ends the run', () => {
    // A A A (2 loop-backs) then C (new: run ends) then A again: 1 loop-back, not 3.
    expect(chainVerdict(chainOf('A', 'A', 'A', 'C'), { workflowId: 'A' })).toEqual({
      loopsBack: true,
      loops: 1,
      stop: false,
    })
    expect(chainVerdict(chainOf('A', 'A', 'A'), { workflowId: 'A' }).loops).toBe(3)
    expect(chainVerdict(chainOf('A', 'A', 'A'), { workflowId: 'D' }).loops).toBe(0)
  })

  it('stops exactly past MAX_CHAIN_LOOPS, whatever the cycle length', () => {
    for (const cycle of [['A'], ['A', 'B'], ['A', 'B', 'C']]) {
      // The root, then the cycle repeated: every link after the first pass is a loop-back.
      const workflows = [...cycle]
      while (workflows.length < cycle.length + MAX_CHAIN_LOOPS)
        workflows.push(cycle[workflows.length % cycle.length]!)
      const chain = chainOf(...workflows)
      const next = cycle[workflows.length % cycle.length]!
      expect(chainVerdict(chain.slice(0, -1), { workflowId: workflows.at(-1)! }).stop).toBe(false)
      expect(chainVerdict(chain, { workflowId: next })).toEqual({
        loopsBack: true,
        loops: MAX_CHAIN_LOOPS + 1,
        stop: true,
      })
    }
  })
})
