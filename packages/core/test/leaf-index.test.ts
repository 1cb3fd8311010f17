import { describe, expect, it } from 'vitest'
import { runSteps } from '../src/events/build-steps.ts'
import { EXACT, PREFIX } from '../src/events/leaf-hits.ts'
import { LeafIndex } from '../src/events/leaf-index.ts'

/**
 * One path's LeafIndex and the LeafHits of its scopes, alone (PatternIndex, its only user, is tested against
 * the reference evaluator in pattern-index.test.ts).
 */
describe('LeafIndex and LeafHits', () => {
  function setup() {
    const scope = { inst: 0 }
    const index = new LeafIndex<typeof scope>()
    const hits = index.hitsFor(scope)
    const ids = {
      red: index.addExact('red'),
      two: index.addExact(2),
      pre: index.addPrefix('ord-'),
      suf: index.addSuffix('.com'),
      small: index.addRange(Number.NEGATIVE_INFINITY, false, 10, false),
      band: index.addRange(10, true, 20, true),
    }
    runSteps(index.seal())
    return { scope, index, hits, ids }
  }

  it('stamps what a scope instance was fed and answers each entry from the stamps', () => {
    const { scope, index, hits, ids } = setup()
    expect(index.hitsFor(scope)).toBe(hits)
    scope.inst = 1
    index.feed('red')
    index.feed('ord-7.com')
    index.feed(15)
    expect(hits.fed()).toBe(true)
    expect(hits.exactHits[ids.red]).toBe(1)
    expect(hits.exactHits[ids.two]).toBe(-1)
    expect(hits.prefixHits[ids.pre]).toBe(1)
    expect(hits.suffixHits[ids.suf]).toBe(1)
    expect(hits.rangeHit(ids.band)).toBe(true)
    expect(hits.rangeHit(ids.small)).toBe(false)
  })

  it('starts each instance from nothing, without clearing', () => {
    const { scope, index, hits, ids } = setup()
    scope.inst = 1
    index.feed('red')
    index.feed(5)
    scope.inst = 2
    expect(hits.fed()).toBe(false)
    index.feed(10)
    expect(hits.exactHits[ids.red]).not.toBe(2)
    expect(hits.rangeHit(ids.small)).toBe(false)
    expect(hits.rangeHit(ids.band)).toBe(true)
  })

  it('with `record`, lists each hit once per instance by kind', () => {
    const { scope, index, hits, ids } = setup()
    hits.record = true
    scope.inst = 1
    index.feed('red')
    index.feed('red')
    index.feed('ord-1')
    index.feed('ord-2')
    expect(hits.hitLists[EXACT].slice(0, hits.hitLengths[EXACT])).toEqual([ids.red])
    expect(hits.hitLists[PREFIX].slice(0, hits.hitLengths[PREFIX])).toEqual([ids.pre])
  })

  it('merges ranges into disjoint slot intervals', () => {
    const { index, ids } = setup()
    const union = index.union([ids.small, ids.band])
    expect(union.from.length).toBe(1)
    expect([union.from[0], union.to[0]]).toEqual([index.rangeFrom[ids.small], index.rangeTo[ids.band]])
  })

  it('anything-but: a value outside the list, a string not starting with the operand', () => {
    const scope = { inst: 0 }
    const index = new LeafIndex<typeof scope>()
    const hits = index.hitsFor(scope)
    hits.noteButList(2)
    hits.noteButPrefix('tmp-')
    runSteps(index.seal())
    scope.inst = 1
    index.feed('a')
    index.feed('b')
    expect(hits.butListHit(new Set(['a', 'b']))).toBe(false)
    expect(hits.butListHit(new Set(['a']))).toBe(true)
    expect(hits.butPrefixHit('tmp-')).toBe(true)
    scope.inst = 2
    index.feed('tmp-1')
    expect(hits.butPrefixHit('tmp-')).toBe(false)
    expect(hits.stringSeen()).toBe(true)
  })
})
