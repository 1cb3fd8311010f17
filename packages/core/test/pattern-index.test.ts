import { describe, expect, it } from 'vitest'
import {
  type EventPattern,
  MatchBudgetExceeded,
  matchesPattern,
  memberCheckUnits,
  PatternIndex,
  type PatternIndexStats,
  TriggerMatcher,
  validateEventPattern,
} from '../src/index.ts'
import { matchesPatternReference, type SeededRandom, seededRandom } from '../src/testing.ts'

/**
 * PatternIndex against the reference (the direct evaluator run to the end), on seeded random patterns
 * and payloads that go through every corner of the semantics: all matcher kinds, invalid entries, nested
 * and multi-key sub-patterns over arrays of objects, empty and deeply nested arrays, scalars where objects
 * are expected, -0, surrogate pairs, and big arrays.
 */

const KEYS = ['a', 'b', 'c']
const STRINGS = ['', 'x', 'xy', 'y', 'yx', 'xyx', 'x😀', '😀', '\uDE00', 'yy']
const NUMBERS = [0, -0, 1, 2, 2.5, -1, 3, 1e9]
const SCALARS: unknown[] = [...STRINGS, ...NUMBERS, true, false, null, '1']

function randomEntry(r: SeededRandom): unknown {
  if (r.chance(0.3)) return r.pick(SCALARS)
  switch (r.int(12)) {
    case 0:
      return { prefix: r.pick(STRINGS) }
    case 1:
      return { suffix: r.pick(STRINGS) }
    case 2:
      return { 'anything-but': r.pick(SCALARS) }
    case 3:
      return { 'anything-but': Array.from({ length: 1 + r.int(3) }, () => r.pick(SCALARS)) }
    case 4:
      return { 'anything-but': { prefix: r.pick(STRINGS) } }
    case 5:
      return { 'anything-but': { suffix: r.pick(STRINGS) } }
    case 6: {
      const lo = r.pick(NUMBERS)
      return {
        numeric: r.pick([
          ['=', lo],
          ['>', lo],
          ['>=', lo, '<', lo + r.int(3)],
          ['<=', lo],
          ['>', lo, '<=', lo + 1],
        ]),
      }
    }
    case 7:
      return { exists: true }
    case 8:
      return { exists: false }
    case 9:
      // Not valid: the reference matches nothing with these entries, the index must agree.
      return r.pick([{ prefix: 5 }, { numeric: ['~', 1] }, { prefix: 'x', suffix: 'y' }, { regex: '.' }, [1]])
    default:
      return { exists: r.chance(0.5) }
  }
}

function randomPattern(r: SeededRandom, depth = 0): Record<string, unknown> {
  const pattern: Record<string, unknown> = {}
  const n = depth === 0 ? 1 + r.int(3) : r.int(10) === 0 ? 0 : 1 + r.int(3)
  for (let i = 0; i < n; i++) {
    const key = r.pick(KEYS)
    const roll = r.next()
    if (depth < 3 && roll < 0.35) pattern[key] = randomPattern(r, depth + 1)
    else if (roll < 0.38) pattern[key] = r.pick(['x', 5, null])
    else pattern[key] = Array.from({ length: 1 + r.int(4) }, () => randomEntry(r))
  }
  return pattern
}

function randomValue(r: SeededRandom, depth: number, big: boolean): unknown {
  const roll = r.next()
  if (depth < 4 && roll < 0.3) return randomPayload(r, depth + 1, big)
  if (depth < 4 && roll < 0.5) {
    const long = big && r.chance(0.3)
    const length = long ? 50 + r.int(250) : r.int(4)
    return Array.from({ length }, () => randomValue(r, depth + (long ? 2 : 1), big))
  }
  if (roll < 0.52) return nested(r.int(20), r.pick(SCALARS))
  return r.pick(SCALARS)
}

function randomPayload(r: SeededRandom, depth = 0, big = false): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of KEYS) if (r.chance(0.6)) out[key] = randomValue(r, depth, big)
  return out
}

function nested(levels: number, inner: unknown): unknown {
  let v = inner
  for (let i = 0; i < levels; i++) v = [v]
  return v
}

function randomData(r: SeededRandom, big: boolean): unknown {
  if (r.chance(0.05)) return r.pick([null, 3, 'x', [], undefined, nested(17, {})])
  if (r.chance(0.1)) return Array.from({ length: r.int(4) }, () => randomPayload(r, 1, big))
  return randomPayload(r, 0, big)
}

function compare(seed: number, patterns: (EventPattern | null)[], events: number, big: boolean) {
  const r = seededRandom(seed * 7919)
  const index = new PatternIndex(patterns)
  let matched = 0
  for (let e = 0; e < events; e++) {
    const data = randomData(r, big)
    const want = patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : []))
    const got = index.match(data)
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      const diff = [...new Set([...got, ...want])].filter((i) => got.includes(i) !== want.includes(i))
      throw new Error(
        `seed ${seed} event ${e}: ${JSON.stringify(data)?.slice(0, 2000)}\n` +
          diff.map((i) => `pattern ${i} ${JSON.stringify(patterns[i])}: want ${want.includes(i)}`).join('\n'),
      )
    }
    matched += want.length
  }
  return matched
}

describe('PatternIndex', () => {
  it('selects exactly what the reference selects (random patterns and payloads, seeded)', () => {
    let matched = 0
    let total = 0
    for (let seed = 1; seed <= 60; seed++) {
      const r = seededRandom(seed)
      const patterns = Array.from({ length: 60 }, () => (r.chance(0.05) ? null : randomPattern(r)))
      matched += compare(seed, patterns, 60, false)
      total += 60 * 60
    }
    // The generator is not degenerate: a fair share of pairs match, most do not.
    expect(matched / total).toBeGreaterThan(0.1)
    expect(matched / total).toBeLessThan(0.7)
  })

  it('agrees with the reference on payloads holding big arrays of scalars and of objects', () => {
    for (let seed = 100; seed < 120; seed++) {
      const r = seededRandom(seed)
      const patterns = Array.from({ length: 40 }, () => randomPattern(r))
      compare(seed, patterns, 15, true)
    }
  })

  it('answers one pattern alone as among many (shared paths do not leak between patterns)', () => {
    for (let seed = 200; seed < 210; seed++) {
      const r = seededRandom(seed)
      const patterns = Array.from({ length: 30 }, () => randomPattern(r))
      const index = new PatternIndex(patterns)
      const alone = patterns.map((p) => new PatternIndex([p]))
      for (let e = 0; e < 40; e++) {
        const data = randomData(r, e % 4 === 0)
        const all = index.match(data)
        alone.forEach((single, i) => {
          expect(single.match(data).length === 1, `${seed}/${e} pattern ${i}`).toBe(all.includes(i))
        })
      }
    }
  })

  it('restricted to active patterns, answers them as without restriction', () => {
    const r = seededRandom(300)
    const patterns = Array.from({ length: 50 }, () => randomPattern(r))
    const index = new PatternIndex(patterns)
    for (let e = 0; e < 100; e++) {
      const data = randomData(r, false)
      const all = index.match(data)
      const even = index.match(data, (i) => i % 2 === 0)
      expect(even).toEqual(all.filter((i) => i % 2 === 0))
    }
  })

  it('one element must satisfy a multi-key sub-pattern; a one-key sub-pattern pools the elements', () => {
    const patterns: EventPattern[] = [
      { items: { sku: [{ prefix: 'A' }], qty: [{ numeric: ['>', 4] }] } },
      { items: { sku: [{ prefix: 'A' }] }, total: [{ numeric: ['>', 4] }] },
      { items: { sku: [{ suffix: '-2' }], qty: [{ exists: false }] } },
      { items: { sku: [{ 'anything-but': ['A-1', 'B-2'] }] } },
      { items: { deep: { x: [{ exists: false }] } } },
    ]
    const index = new PatternIndex(patterns)
    const items = [
      { sku: 'A-1', qty: 1 },
      { sku: 'B-2', qty: 5 },
    ]
    expect(index.match({ items, total: 5 })).toEqual([1, 4])
    expect(index.match({ items: [...items, { sku: 'A-3', qty: 9 }] })).toEqual([0, 3, 4])
    expect(index.match({ items: [...items, { sku: 'C-2' }] })).toEqual([2, 3, 4])
    expect(index.match({ items: [[], { sku: 'C-2' }] })).toEqual([2, 3, 4])
    // An empty array holds no keys: the sub-patterns that accept absent keys match it.
    expect(index.match({ items: [] })).toEqual([4])
    expect(index.match({ items: [{ deep: { x: 1 } }] })).toEqual([])
    expect(index.match({ items: [{ deep: { x: 1 } }, { deep: 'scalar' }] })).toEqual([4])
    for (const data of [{ items, total: 5 }, { items: [] }, { items: [{ deep: [{ x: 1 }, {}] }] }]) {
      expect(index.match(data)).toEqual(
        patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : [])),
      )
    }
  })

  it('matches top-level arrays, absent data and hostile nesting as the reference does', () => {
    const patterns: (EventPattern | null)[] = [
      {},
      null,
      { a: [1], b: [2] },
      { a: [1] },
      { a: [{ exists: false }] },
      { a: { b: [{ exists: false }] } },
    ]
    const index = new PatternIndex(patterns)
    const cases: unknown[] = [
      [{ a: 1 }, { b: 2 }],
      [{ a: 1, b: 2 }],
      [],
      undefined,
      null,
      'x',
      nested(16, { a: 1 }),
      nested(17, { a: 1 }),
      nested(100_000, 'x'),
      { a: nested(16, 1) },
      { a: nested(17, 1) },
      { a: nested(16, []) },
      { a: nested(17, []) },
      JSON.parse('{"__proto__": {"b": 1}, "a": 1}'),
    ]
    for (const [i, data] of cases.entries()) {
      expect(index.match(data), `case ${i}`).toEqual(
        patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : [])),
      )
    }
  })

  it('reads keys as own properties only', () => {
    const index = new PatternIndex([
      { constructor: [{ exists: true }] },
      { toString: { length: [0] } },
      JSON.parse('{"__proto__": [{ "exists": true }]}'),
    ])
    expect(index.match({})).toEqual([])
    expect(index.match(JSON.parse('{"constructor": 1, "__proto__": null}'))).toEqual([0, 2])
  })
})

describe('PatternIndex leaf indexes', () => {
  const units = ['a', 'b', '\uD83D', '\uDE00', '😀']
  const word = (r: SeededRandom, max: number) =>
    Array.from({ length: r.int(max + 1) }, () => r.pick(units)).join('')

  it('prefix, suffix and anything-but prefix/suffix over many operands sharing stems (code units)', () => {
    const r = seededRandom(700)
    const patterns: EventPattern[] = Array.from({ length: 400 }, () => {
      const kind = r.pick(['prefix', 'suffix', 'but-prefix', 'but-suffix'])
      const operand = word(r, 6)
      const entry =
        kind === 'prefix'
          ? { prefix: operand }
          : kind === 'suffix'
            ? { suffix: operand }
            : { 'anything-but': kind === 'but-prefix' ? { prefix: operand } : { suffix: operand } }
      return { v: [entry] }
    })
    const index = new PatternIndex(patterns)
    for (let e = 0; e < 300; e++) {
      const v = Array.from({ length: r.int(4) }, () => word(r, 9))
      const data = { v: r.chance(0.3) ? v[0] : v }
      expect(index.match(data)).toEqual(
        patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : [])),
      )
    }
  })

  it('numeric ranges over many shared bounds, numbers on, between and outside them', () => {
    const r = seededRandom(800)
    const points = [-3, -1.5, -0, 0, 0.5, 1, 2, 2.5, 7, 1e9]
    const patterns: EventPattern[] = Array.from({ length: 300 }, () => {
      const a = r.pick(points)
      const b = r.pick(points)
      const numeric = r.pick([
        ['=', a],
        ['>', a],
        ['>=', a],
        ['<', a],
        ['<=', a],
        [r.pick(['>', '>=']), Math.min(a, b), r.pick(['<', '<=']), Math.max(a, b)],
        [],
      ])
      return { v: [{ numeric }, ...(r.chance(0.2) ? [{ 'anything-but': [a, 'x'] }] : [])] }
    })
    const index = new PatternIndex(patterns)
    const values = [...points, -4, -2, 0.25, 1.5, 3, 1e10, 'x', null, true]
    for (let e = 0; e < 300; e++) {
      const v = Array.from({ length: r.int(5) }, () => r.pick(values))
      const data = { v }
      expect(index.match(data)).toEqual(
        patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : [])),
      )
    }
  })
})

describe('PatternIndex per-element state', () => {
  it('anything-but lists short and long, numeric ranges, affixes: reset between array elements', () => {
    const r = seededRandom(850)
    const pool = [...STRINGS, ...NUMBERS, true, null]
    const list = (n: number) => Array.from({ length: n }, () => r.pick(pool))
    const patterns: EventPattern[] = Array.from({ length: 200 }, () => ({
      items: {
        v: [r.chance(0.5) ? { 'anything-but': list(1 + r.int(3)) } : { 'anything-but': list(9 + r.int(12)) }],
        w: [
          r.pick([
            { numeric: ['>', r.pick(NUMBERS)] },
            { prefix: r.pick(STRINGS) },
            { 'anything-but': { suffix: r.pick(STRINGS) } },
            r.pick(SCALARS),
          ]),
        ],
      },
    }))
    const index = new PatternIndex(patterns)
    for (let e = 0; e < 150; e++) {
      const item = () => ({
        v: r.chance(0.5) ? r.pick(pool) : Array.from({ length: r.int(25) }, () => r.pick(pool)),
        w: r.chance(0.5) ? r.pick(SCALARS) : Array.from({ length: r.int(12) }, () => r.pick(SCALARS)),
      })
      const data = { items: Array.from({ length: r.int(40) }, item) }
      expect(index.match(data)).toEqual(
        patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : [])),
      )
    }
  })
})

describe('PatternIndex big leaves in multi-key sub-patterns', () => {
  it('many exact values, prefixes, suffixes, numeric ranges and anything-but entries in one leaf, per element', () => {
    const r = seededRandom(860)
    const pool = [...STRINGS, ...NUMBERS, true, null]
    const entry = (): unknown => {
      switch (r.int(8)) {
        case 0:
          return { prefix: r.pick(STRINGS) }
        case 1:
          return { suffix: r.pick(STRINGS) }
        case 2: {
          const lo = r.pick(NUMBERS)
          return { numeric: r.chance(0.3) ? ['=', lo] : ['>=', lo, '<', lo + 1 + r.int(3)] }
        }
        case 3:
          return { 'anything-but': Array.from({ length: 1 + r.int(4) }, () => r.pick(pool)) }
        case 4:
          return { 'anything-but': { prefix: r.pick(STRINGS) } }
        case 5:
          return { 'anything-but': { suffix: r.pick(STRINGS) } }
        default:
          return r.pick(SCALARS)
      }
    }
    // Leaves of one kind (to reach the per-kind paths: more than 4 exact values, several ranges merged, several
    // anything-but lists or affixes as one test) and of mixed kinds.
    const leaf = (): unknown[] => {
      const n = 2 + r.int(14)
      const kind = r.int(4)
      if (kind === 0) return Array.from({ length: n }, () => r.pick(SCALARS))
      if (kind === 1) return Array.from({ length: n }, () => ({ prefix: r.pick(STRINGS) }))
      if (kind === 2) {
        return Array.from({ length: n }, () => {
          const lo = r.pick(NUMBERS)
          return { numeric: ['>', lo, '<=', lo + 1 + r.int(3)] }
        })
      }
      return Array.from({ length: n }, entry)
    }
    const patterns: EventPattern[] = Array.from({ length: 150 }, () => ({
      items: r.chance(0.5)
        ? { v: leaf(), w: leaf() }
        : { v: leaf(), w: leaf(), x: [{ exists: r.chance(0.7) }] },
    }))
    for (const p of patterns) expect(validateEventPattern(p)).toEqual([])
    const index = new PatternIndex(patterns)
    let matched = 0
    for (let e = 0; e < 150; e++) {
      const value = () =>
        r.chance(0.7) ? r.pick(pool) : Array.from({ length: r.int(12) }, () => r.pick(pool))
      const item = () => {
        const out: Record<string, unknown> = { v: value(), w: value() }
        if (r.chance(0.5)) out['x'] = 1
        return out
      }
      const data = { items: Array.from({ length: r.int(30) }, item) }
      const want = patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : []))
      expect(index.match(data)).toEqual(want)
      matched += want.length
    }
    expect(matched).toBeGreaterThan(500)
  })
})

describe('matchesPattern', () => {
  it('gives the reference answer on payloads big enough to spend the direct evaluator fuel', () => {
    const r = seededRandom(400)
    for (let p = 0; p < 30; p++) {
      const pattern = randomPattern(r)
      for (let e = 0; e < 5; e++) {
        const data = randomPayload(r, 0, true)
        expect(matchesPattern(pattern, data)).toBe(matchesPatternReference(pattern, data))
      }
    }
  })
})

describe('PatternIndex cost', () => {
  /**
   * Work units (payload values visited, index steps, entries answered) instead of time: the bound is about
   * the payload's size plus the entries, where the direct evaluator's cost is their product.
   */
  const prefixes = (n: number, r: SeededRandom) =>
    Array.from({ length: n }, () => ({
      prefix: Array.from({ length: 4 + r.int(8) }, () => r.pick(['a', 'b'])).join(''),
    }))
  const word = (r: SeededRandom) => Array.from({ length: 6 + r.int(6) }, () => r.pick(['a', 'b'])).join('')

  it('a 100,000-element array against 1,000 patterns of 10 prefix/suffix/numeric/anything-but entries', () => {
    const r = seededRandom(500)
    const patterns: EventPattern[] = Array.from({ length: 1_000 }, (_, i) => ({
      s: [
        ...prefixes(3, r),
        { suffix: word(r) },
        { 'anything-but': { prefix: 'a' } },
        { 'anything-but': [word(r), word(r)] },
      ],
      n: [{ numeric: ['>', i * 1000, '<', i * 1000 + 10] }, { 'anything-but': [r.int(10)] }],
      deep: { a: { v: [{ suffix: word(r) }, { exists: false }] } },
    }))
    for (const p of patterns) expect(validateEventPattern(p)).toEqual([])
    const entries = 10 * patterns.length
    const strings = { s: Array.from({ length: 100_000 }, () => word(r)) }
    const numbers = { n: Array.from({ length: 100_000 }, () => r.int(1e6)) }
    const index = new PatternIndex(patterns)
    for (const data of [strings, numbers]) {
      const stats: PatternIndexStats = { work: 0 }
      const got = index.match(data, undefined, stats)
      // Per value: the visit, the feed, and a radix walk along a string of at most 11 characters (or a
      // binary search among 2,000 bounds); then every entry answered once.
      expect(stats.work).toBeLessThan(100_000 * 30 + entries * 4)
      // The product the direct evaluator would face: 10⁸ entry checks and more.
      expect(100_000 * entries).toBeGreaterThan(stats.work * 30)
      // Spot-check answers against the reference on a few patterns (the reference is slow here).
      for (const i of [0, 1, 2, 500, 999])
        expect(got.includes(i)).toBe(matchesPatternReference(patterns[i]!, data))
    }
  })

  it('work grows with the payload and with the entries, not with their product', () => {
    const r = seededRandom(600)
    const work = (patternCount: number, values: number) => {
      const patterns: EventPattern[] = Array.from({ length: patternCount }, () => ({
        items: { sku: [...prefixes(5, r), { suffix: word(r) }, { numeric: ['>', r.int(100)] }] },
      }))
      const data = {
        items: Array.from({ length: values }, () => ({ sku: r.chance(0.5) ? word(r) : r.int(100) })),
      }
      const stats: PatternIndexStats = { work: 0 }
      new PatternIndex(patterns).match(data, undefined, stats)
      return stats.work
    }
    const base = work(100, 1_000)
    // Ten times the values, or ten times the patterns: about ten times the work. Both: about twenty, not 100.
    expect(work(100, 10_000)).toBeLessThan(base * 12)
    expect(work(1_000, 1_000)).toBeLessThan(base * 12)
    expect(work(1_000, 10_000)).toBeLessThan(base * 25)
  })

  it('multi-key sub-patterns over a big array of objects: an element answers only the objects whose anchor it hit', () => {
    // { items: { sku: [one value], qty: [range] } } needs one item with both: answered per item, but
    // filed under its sku value, an item answers only the few patterns naming its sku.
    const r = seededRandom(650)
    const patterns: EventPattern[] = Array.from({ length: 10_000 }, (_, i) => ({
      items: { sku: [`sku${i}`], qty: [{ numeric: ['>', 50] }], tag: [{ 'anything-but': ['x'] }] },
    }))
    const items = Array.from({ length: 30_000 }, () => ({
      sku: `sku${r.int(20_000)}`,
      qty: r.int(100),
      tag: 'y',
    }))
    const stats: PatternIndexStats = { work: 0 }
    const got = new PatternIndex(patterns).match({ items }, undefined, stats)
    // Per item: the visit, three keys fed, the patterns filed under its sku (one at most) answered, a check
    // in a scope of 10,000 members weighing memberCheckUnits (cache misses, match-budget.ts).
    expect(stats.work).toBeLessThan(30_000 * (20 + memberCheckUnits(10_000)) + 10_000 * 5)
    const want = new Set(items.filter((it) => it.qty > 50).map((it) => Number(it.sku.slice(3))))
    expect(got).toEqual([...want].filter((i) => i < 10_000).sort((a, b) => a - b))
  })
})

describe('PatternIndex work budget', () => {
  it("under its budget the answer is the direct evaluator's; over it MatchBudgetExceeded, never a partial answer", () => {
    const r = seededRandom(4242)
    let thrown = 0
    let completed = 0
    for (let round = 0; round < 60; round++) {
      const patterns = Array.from({ length: 40 }, () => randomPattern(r))
      const index = new PatternIndex(patterns)
      const data = randomData(r, true)
      const want = patterns.flatMap((p, i) => (matchesPatternReference(p, data) ? [i] : []))
      const stats: PatternIndexStats = { work: 0 }
      expect(index.match(data, undefined, stats)).toEqual(want)
      for (const budget of [stats.work, Math.floor(stats.work / 2), Math.floor(stats.work / 8), 0]) {
        try {
          expect(index.match(data, undefined, undefined, budget)).toEqual(want)
          completed++
        } catch (err) {
          expect(err).toBeInstanceOf(MatchBudgetExceeded)
          expect((err as MatchBudgetExceeded).work).toBeGreaterThan(budget)
          thrown++
        }
        // A stopped match leaves nothing behind: the next one answers exactly.
        expect(index.match(data)).toEqual(want)
      }
    }
    expect(thrown).toBeGreaterThan(20)
    expect(completed).toBeGreaterThan(60)
  })

  it('elements listing many anchor values: the default budget stops the match at the array, then matching goes on', () => {
    const values = Array.from({ length: 50 }, (_, i) => i)
    const triggers = Array.from({ length: 800 }, (_, i) => ({
      id: String(i).padStart(4, '0'),
      eventType: 't',
      filter: { x: { a: [i % 50], b: [{ numeric: ['>', 1e9 + i] }] } } as EventPattern,
    }))
    const matcher = new TriggerMatcher(triggers)
    const costly = { x: Array.from({ length: 20_000 }, () => ({ a: values, b: 1 })) }
    let caught: unknown
    try {
      matcher.match('t', costly)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(MatchBudgetExceeded)
    expect((caught as MatchBudgetExceeded).path).toEqual(['x'])
    // The same matcher, a big ordinary body right after: exact.
    const ordinary = { x: Array.from({ length: 20_000 }, (_, i) => ({ a: i % 50, b: i === 7 ? 2e9 : 1 })) }
    const want = triggers.filter((t) => matchesPatternReference(t.filter, ordinary)).map((t) => t.id)
    expect(matcher.match('t', ordinary).map((t) => t.id)).toEqual(want)
    expect(want.length).toBeGreaterThan(0)
  })
})
