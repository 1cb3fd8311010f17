import { describe, expect, it } from 'vitest'
import {
  DIRECT_MATCH_FUEL,
  type EventPattern,
  type MatchStats,
  matchesPattern,
  TriggerMatcher,
  validateEventPattern,
} from '../src/index.ts'
import { eventTypeMatches, matchesPatternReference, type SeededRandom, seededRandom } from '../src/testing.ts'

interface Trigger {
  id: string
  eventType: string
  filter: EventPattern | null
}

const rng = seededRandom
type Rng = SeededRandom

const KEYS = ['a', 'b', 'c', 'd']
const STRINGS = ['x', 'xy', 'y', 'yx', '']
const SCALARS: unknown[] = [...STRINGS, 0, 1, 2, 2.5, -1, true, false, null, '1']
const TYPES = ['order', 'order.created', 'order.item.added', 'order.item', 'user.created', 'user', 'x.y.z']
const GLOBS = [...TYPES, 'order.*', 'order.item.*', 'user.*', 'x.*', 'x.y.*', '*']

function randomLeaf(r: Rng): unknown[] {
  const n = 1 + r.int(3)
  const leaf: unknown[] = []
  const exactOnly = r.chance(0.5)
  for (let i = 0; i < n; i++) {
    if (exactOnly || r.chance(0.4)) {
      leaf.push(r.pick(SCALARS))
      continue
    }
    switch (r.int(7)) {
      case 0:
        leaf.push({ prefix: r.pick(STRINGS) })
        break
      case 1:
        leaf.push({ suffix: r.pick(STRINGS) })
        break
      case 2:
        leaf.push({ 'anything-but': r.chance(0.5) ? r.pick(SCALARS) : [r.pick(SCALARS), r.pick(SCALARS)] })
        break
      case 3:
        leaf.push({
          'anything-but': r.chance(0.5) ? { prefix: r.pick(STRINGS) } : { suffix: r.pick(STRINGS) },
        })
        break
      case 4: {
        const lo = r.int(3) - 1
        leaf.push({ numeric: r.chance(0.3) ? ['=', lo] : ['>=', lo, '<', lo + 1 + r.int(3)] })
        break
      }
      default:
        leaf.push({ exists: r.chance(0.5) })
    }
  }
  return leaf
}

function randomPattern(r: Rng, depth = 0): EventPattern {
  const pattern: EventPattern = {}
  const n = 1 + r.int(depth === 0 ? 3 : 2)
  for (let i = 0; i < n; i++) {
    const key = r.pick(KEYS)
    pattern[key] = depth < 2 && r.chance(0.3) ? randomPattern(r, depth + 1) : randomLeaf(r)
  }
  return pattern
}

/** With `big`, some arrays hold 100-600 elements (enough to spend the direct attempt's fuel). */
function randomValue(r: Rng, depth: number, big = false): unknown {
  const roll = r.next()
  if (depth < 3 && roll < 0.25) return randomPayload(r, depth + 1, big)
  if (depth < 3 && roll < 0.4) {
    const length = big && r.chance(0.25) ? 100 + r.int(500) : r.int(4)
    return Array.from({ length }, () => randomValue(r, depth + 1, big))
  }
  return r.pick(SCALARS)
}

function randomPayload(r: Rng, depth = 0, big = false): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of KEYS) if (r.chance(0.6)) out[key] = randomValue(r, depth, big)
  return out
}

/** Every trigger's eventType and filter checked one by one with the reference evaluator. */
function bruteForce(triggers: Trigger[], type: string, data: unknown): string[] {
  return triggers
    .filter((t) => eventTypeMatches(t.eventType, type) && matchesPatternReference(t.filter, data))
    .map((t) => t.id)
    .sort()
}

function randomTriggers(r: Rng, n: number): Trigger[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${String(r.int(1e6)).padStart(7, '0')}-${i}`,
    eventType: r.pick(GLOBS),
    filter: r.chance(0.15) ? null : r.chance(0.05) ? {} : randomPattern(r),
  }))
}

describe('TriggerMatcher', () => {
  // directFuel 0: every event goes to the PatternIndex; the default: direct first, index when it runs out.
  it.each([
    ['direct, then indexed past the fuel', undefined],
    ['always indexed', 0],
  ])(
    'selects exactly what brute-force matching selects (%s; random patterns and payloads, seeded)',
    (_, fuel) => {
      let compared = 0
      let nonEmpty = 0
      for (let seed = 1; seed <= 40; seed++) {
        const r = rng(seed)
        const triggers = randomTriggers(r, 150)
        for (const t of triggers)
          expect(validateEventPattern(t.filter ?? {}), JSON.stringify(t.filter)).toEqual([])
        const matcher = new TriggerMatcher(triggers, { directFuel: fuel })
        expect(matcher.size).toBe(150)
        for (let e = 0; e < 60; e++) {
          const type = r.pick(TYPES)
          const data = r.chance(0.05) ? r.pick([null, 3, 'x', [randomPayload(r)]]) : randomPayload(r)
          const expected = bruteForce(triggers, type, data)
          const got = matcher.match(type, data).map((t) => t.id)
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            throw new Error(
              `seed ${seed} event ${e}: ${type} ${JSON.stringify(data)}\n got ${got}\n want ${expected}`,
            )
          }
          compared++
          if (expected.length > 0) nonEmpty++
        }
      }
      expect(compared).toBe(2400)
      // The generator is not degenerate: most events select something, not everything.
      expect(nonEmpty).toBeGreaterThan(1500)
    },
  )

  it('selects exactly what brute-force matching selects on payloads with big arrays (both paths)', () => {
    let indexed = 0
    for (let seed = 50; seed < 70; seed++) {
      const r = rng(seed)
      const triggers = randomTriggers(r, 100)
      const matcher = new TriggerMatcher(triggers)
      const indexOnly = new TriggerMatcher(triggers, { directFuel: 0 })
      for (let e = 0; e < 10; e++) {
        const type = r.pick(TYPES)
        const data = randomPayload(r, 0, true)
        const expected = bruteForce(triggers, type, data)
        const stats: MatchStats = { evaluated: 0, groups: 0 }
        expect(matcher.match(type, data, stats).map((t) => t.id)).toEqual(expected)
        expect(indexOnly.match(type, data).map((t) => t.id)).toEqual(expected)
        indexed += stats.indexed ?? 0
      }
    }
    // Big arrays did send events to the index.
    expect(indexed).toBeGreaterThan(10)
  })

  it('returns triggers in id order, each once, whatever the insertion order', () => {
    const triggers: Trigger[] = [
      { id: 'c', eventType: 'order.*', filter: { tags: ['a', 'b'] } },
      { id: 'a', eventType: 'order.created', filter: null },
      { id: 'b', eventType: '*', filter: { tags: ['b'] } },
      { id: 'd', eventType: 'order.created', filter: { tags: [{ prefix: 'a' }] } },
    ]
    const matcher = new TriggerMatcher(triggers)
    // tags holds both a and b: trigger c is found through two values but listed once.
    expect(matcher.match('order.created', { tags: ['a', 'b', 'a'] }).map((t) => t.id)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ])
    expect(matcher.match('order.created', { tags: 'x' }).map((t) => t.id)).toEqual(['a'])
    expect(matcher.match('order', { tags: ['b'] }).map((t) => t.id)).toEqual(['b'])
    expect(matcher.match('user.created', {}).map((t) => t.id)).toEqual([])
    // The same trigger objects come back.
    expect(matcher.match('order.created', { tags: 'a' })[0]).toBe(triggers[1])
  })

  it('an empty matcher selects nothing', () => {
    const matcher = new TriggerMatcher<Trigger>([])
    expect(matcher.size).toBe(0)
    expect(matcher.match('order.created', {})).toEqual([])
  })

  it('an event touches few candidates among thousands of triggers', () => {
    const r = rng(7)
    const triggers: Trigger[] = []
    for (let i = 0; i < 10_000; i++) {
      const customer = `c${Math.floor(i / 5)}` // each customer once per kind of trigger
      const id = `t${String(i).padStart(5, '0')}`
      switch (i % 5) {
        case 0:
          triggers.push({ id, eventType: 'order.created', filter: { customer: [customer] } })
          break
        case 1:
          triggers.push({
            id,
            eventType: 'order.*',
            filter: { customer: [customer], total: [{ numeric: ['>', r.int(100)] }] },
          })
          break
        case 2:
          triggers.push({
            id,
            eventType: `type${i % 100}.updated`,
            filter: { account: { region: [{ prefix: 'eu-' }] }, account2: { id: [customer] } },
          })
          break
        case 3:
          triggers.push({
            id,
            eventType: 'order.item.added',
            filter: { item: { sku: [`sku${i}`, `sku${i + 1}`] } },
          })
          break
        default:
          triggers.push({
            id,
            eventType: 'order.created',
            filter: { customer: [{ 'anything-but': customer }], tags: [customer] },
          })
      }
    }
    const matcher = new TriggerMatcher(triggers)
    const stats: MatchStats = { evaluated: 0, groups: 0 }
    const data = { customer: 'c42', total: 50, tags: ['c7', 'c9'] }
    const found = matcher.match('order.created', data, stats)
    expect(found.map((t) => t.id)).toEqual(bruteForce(triggers, 'order.created', data))
    expect(found.length).toBeGreaterThan(0)
    // Exact group + "order.*": c42's two triggers (order.created, order.*) and the two filed under
    // tags c7 and c9 — 4 of 10,000.
    expect(stats.groups).toBe(2)
    expect(stats.evaluated).toBe(4)

    const items: MatchStats = { evaluated: 0, groups: 0 }
    const itemData = { item: [{ sku: 'sku3' }, { sku: 'sku8' }], customer: 'c3' }
    const itemFound = matcher.match('order.item.added', itemData, items)
    expect(itemFound.map((t) => t.id)).toEqual(bruteForce(triggers, 'order.item.added', itemData))
    // sku3 and sku8 (one trigger each) and, through "order.*", customer c3's trigger (no total: no match).
    expect(itemFound).toHaveLength(2)
    expect(items.evaluated).toBe(3)
  })

  it('files each trigger under its most selective exact leaf', () => {
    // Every trigger shares region "eu"; each has its own customer. The index should use the customer.
    const triggers: Trigger[] = Array.from({ length: 500 }, (_, i) => ({
      id: `t${String(i).padStart(4, '0')}`,
      eventType: 'order.created',
      filter: { region: ['eu'], customer: [`c${i}`] },
    }))
    const matcher = new TriggerMatcher(triggers)
    const stats: MatchStats = { evaluated: 0, groups: 0 }
    expect(matcher.match('order.created', { region: 'eu', customer: 'c7' }, stats).map((t) => t.id)).toEqual([
      't0007',
    ])
    expect(stats.evaluated).toBeLessThanOrEqual(2)
  })

  it('walks wide payloads and wide indexes alike', () => {
    // More than 8 indexed keys at one level: the payload's keys are walked instead.
    const triggers: Trigger[] = Array.from({ length: 20 }, (_, i) => ({
      id: `t${String(i).padStart(2, '0')}`,
      eventType: 'e',
      filter: { [`k${i}`]: [i] },
    }))
    const matcher = new TriggerMatcher(triggers)
    const data = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i % 2 === 0 ? i : -1]))
    const stats: MatchStats = { evaluated: 0, groups: 0 }
    expect(matcher.match('e', data, stats).map((t) => t.id)).toEqual(bruteForce(triggers, 'e', data))
    expect(stats.evaluated).toBe(10)
    expect(matcher.match('e', { k3: 3, other: 1 }).map((t) => t.id)).toEqual(['t03'])
  })

  it('prefix globs are found through every dot-prefix of the type', () => {
    const triggers: Trigger[] = [
      { id: '1', eventType: 'a.*', filter: null },
      { id: '2', eventType: 'a.b.*', filter: null },
      { id: '3', eventType: 'a.b.c.*', filter: null },
      { id: '4', eventType: 'a.b', filter: null },
      { id: '5', eventType: 'b.*', filter: null },
    ]
    const matcher = new TriggerMatcher(triggers)
    const ids = (type: string) => matcher.match(type, {}).map((t) => t.id)
    expect(ids('a.b.c.d')).toEqual(['1', '2', '3'])
    expect(ids('a.b')).toEqual(['1', '4'])
    expect(ids('a')).toEqual([])
    expect(ids('a.')).toEqual([])
    expect(ids('a.b.')).toEqual(['1'])
  })

  it('hostile nesting neither throws nor disagrees with matchesPattern', () => {
    const nest = (levels: number, inner: unknown): unknown => {
      let v = inner
      for (let i = 0; i < levels; i++) v = [v]
      return v
    }
    const triggers: Trigger[] = [
      { id: 'leaf', eventType: 'e', filter: { v: ['x'] } },
      { id: 'object', eventType: 'e', filter: { v: { k: ['x'] } } },
      { id: 'absent', eventType: 'e', filter: { v: { k: [{ exists: false }] } } },
    ]
    const matcher = new TriggerMatcher(triggers)
    // 16 levels of arrays are fanned out, 17 are not; 100,000 levels do not overflow the stack.
    expect(matcher.match('e', { v: nest(16, 'x') }).map((t) => t.id)).toEqual(['absent', 'leaf'])
    expect(matcher.match('e', { v: nest(16, { k: 'x' }) }).map((t) => t.id)).toEqual(['object'])
    expect(matcher.match('e', { v: nest(17, 'x') }).map((t) => t.id)).toEqual([])
    const deep = { v: nest(100_000, 'x') }
    expect(matcher.match('e', deep)).toEqual([])
    for (const t of triggers) expect(matchesPatternReference(t.filter, deep)).toBe(false)
    expect(new TriggerMatcher(triggers, { directFuel: 0 }).match('e', deep)).toEqual([])
    // A pattern deeper than the limit (never valid) matches nothing instead of recursing.
    let pattern: Record<string, unknown> = { k: ['x'] }
    let data: Record<string, unknown> = { k: 'x' }
    for (let i = 0; i < 50; i++) {
      pattern = { k: pattern }
      data = { k: data }
    }
    expect(matchesPattern(pattern, data)).toBe(false)
    for (const directFuel of [undefined, 0]) {
      const matcher = new TriggerMatcher([{ id: 'deep', eventType: 'e', filter: pattern }], { directFuel })
      expect(matcher.match('e', data)).toEqual([])
    }
  })

  it('survives many matches (de-duplication stamps)', () => {
    const matcher = new TriggerMatcher<Trigger>([{ id: 'x', eventType: 'e', filter: { v: [1, 2] } }])
    for (let i = 0; i < 10_000; i++) expect(matcher.match('e', { v: [1, 2] })).toHaveLength(1)
  })

  it('bounds the work of one big event against triggers without exact values (no product)', () => {
    // 10,000 triggers of 10 prefix/suffix/numeric/anything-but/exists entries each (100,000, the tenant
    // quota), none filed under a value, against a 100,000-element array of strings and one of numbers.
    const r = rng(900)
    const word = () => Array.from({ length: 4 + r.int(8) }, () => r.pick(['a', 'b'])).join('')
    const triggers: Trigger[] = Array.from({ length: 10_000 }, (_, i) => ({
      id: `t${String(i).padStart(5, '0')}`,
      eventType: i % 2 === 0 ? 'big.event' : 'big.*',
      filter: {
        s: [{ prefix: word() }, { prefix: word() }, { suffix: word() }, { 'anything-but': { suffix: 'ab' } }],
        n: [{ numeric: ['>=', i * 10, '<', i * 10 + 5] }, { 'anything-but': [i] }, { exists: false }],
        deep: { a: { v: [{ prefix: word() }, { exists: false }] } },
        [`k${i}`]: [{ exists: false }],
      },
    }))
    const entries = 100_000
    const matcher = new TriggerMatcher(triggers)
    for (const data of [
      { s: Array.from({ length: 100_000 }, word) },
      { n: Array.from({ length: 100_000 }, () => r.int(100_000)) },
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i * 3}`, word()])),
    ]) {
      const stats: MatchStats = { evaluated: 0, groups: 0 }
      const found = matcher.match('big.event', data, stats)
      expect(stats.indexed).toBe(1)
      // The direct attempt stopped within its fuel (each trigger tried burns at least one unit).
      expect(stats.evaluated).toBeLessThanOrEqual(DIRECT_MATCH_FUEL)
      // Each value visited and fed (a radix walk of at most 11 steps, or a binary search among 20,000
      // bounds), each entry answered once: well under 40 units per value and 5 per entry, where the
      // direct evaluator would check entries × values (10¹⁰).
      expect(stats.work).toBeLessThan(100_000 * 40 + entries * 5)
      for (const t of found.slice(0, 20)) expect(matchesPatternReference(t.filter, data)).toBe(true)
    }
  })
})

describe('TriggerMatcher.build (in slices)', () => {
  /** Pauses after every step when `sliceMs` is 0: counts them, and lets other tasks run in between. */
  const counting = () => {
    const state = {
      pauses: 0,
      pause: async () => {
        state.pauses++
        await new Promise<void>((resolve) => setImmediate(resolve))
      },
    }
    return state
  }

  it('answers exactly as the synchronous constructor (random patterns and payloads, seeded, both paths)', async () => {
    let compared = 0
    let indexed = 0
    for (let seed = 200; seed < 206; seed++) {
      const r = rng(seed)
      // ~3,000 triggers hold more than EAGER_INDEX_ENTRIES entries: the PatternIndex is built in the slices.
      const triggers = randomTriggers(r, seed % 2 === 0 ? 3_000 : 150)
      const sync = new TriggerMatcher(triggers, { directFuel: 0 })
      const sliced = await TriggerMatcher.build(triggers, {
        directFuel: 0,
        sliceMs: 0,
        pause: counting().pause,
      })
      const slicedDirect = await TriggerMatcher.build(triggers, { sliceMs: 0, pause: counting().pause })
      expect(sliced.size).toBe(triggers.length)
      for (let e = 0; e < 40; e++) {
        const type = r.pick(TYPES)
        const data = e % 4 === 0 ? randomPayload(r, 0, true) : randomPayload(r)
        const want = sync.match(type, data).map((t) => t.id)
        const stats: MatchStats = { evaluated: 0, groups: 0 }
        expect(sliced.match(type, data, stats).map((t) => t.id)).toEqual(want)
        expect(slicedDirect.match(type, data).map((t) => t.id)).toEqual(want)
        if (e % 8 === 0) expect(want).toEqual(bruteForce(triggers, type, data))
        indexed += stats.indexed ?? 0
        compared++
      }
    }
    expect(compared).toBe(240)
    expect(indexed).toBe(240)
  })

  it('gives the event loop back between steps: every trigger, and every pattern of a big index, is a step', async () => {
    const r = rng(300)
    const big = randomTriggers(r, 3_000)
    const bigState = counting()
    await TriggerMatcher.build(big, { sliceMs: 0, pause: bigState.pause })
    // One step per trigger filed, then (more than EAGER_INDEX_ENTRIES entries) one per pattern compiled and
    // more to seal the leaf indexes and file the scopes' members.
    expect(bigState.pauses).toBeGreaterThan(2 * big.length)

    const small = randomTriggers(r, 100)
    const smallState = counting()
    await TriggerMatcher.build(small, { sliceMs: 0, pause: smallState.pause })
    // A small index is left to the first match that needs it (about 1 ms of CPU per 1,000 entries).
    expect(smallState.pauses).toBeLessThanOrEqual(small.length + 2)
  })

  it('other work runs while a big matcher is built', async () => {
    const r = rng(301)
    const triggers = randomTriggers(r, 3_000)
    let done = false
    let ticks = 0
    const build = TriggerMatcher.build(triggers, { sliceMs: 1 }).then((m) => {
      done = true
      return m
    })
    // A timer chain: each tick runs only when the build gives the loop back.
    await new Promise<void>((resolve) => {
      const tick = () => {
        if (done) return resolve()
        ticks++
        setImmediate(tick)
      }
      setImmediate(tick)
    })
    expect((await build).size).toBe(3_000)
    expect(ticks).toBeGreaterThan(5)
  })
})
