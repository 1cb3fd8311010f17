import { countFilterMatchers } from '../quotas.ts'
import { type BuildSteps, runSliced, runSteps, type SliceOptions } from './build-steps.ts'
import { compileDirect, OUT_OF_FUEL, runWithFuel, spendFuel } from './direct-match.ts'
import { parseEventTypeGlob } from './event-type.ts'
import { DEFAULT_MATCH_BUDGET } from './match-budget.ts'
import {
  type EventPattern,
  exactLeaves,
  isPlainObject,
  MAX_ARRAY_NESTING,
  type PatternScalar,
} from './pattern.ts'
import { PatternIndex } from './pattern-index.ts'
import { DIRECT_MATCH_FUEL } from './pattern-match.ts'

/**
 * Which of a tenant's event triggers an event selects, without looking at every trigger.
 *
 * 1. By type: exact eventTypes in a Map; prefix globs (`order.*`) in a Map keyed by the prefix, found by
 *    walking the event type's dot-prefixes (`order.item.added` → `order`, `order.item`); `*` in one group.
 * 2. Inside each type group, by one exact-value leaf of the filter: a trigger is filed under the values of
 *    one leaf that holds only exact scalars (`{ customer: ["c1", "c2"] }` → path customer, values c1, c2),
 *    in a trie of key paths. An event walks the trie along its payload (only keys that some trigger
 *    indexes, arrays fanned out) and collects the triggers filed under the values it finds. A trigger
 *    without such a leaf (no filter, or only prefix/numeric/anything-but/exists leaves) sits in the
 *    group's residual list and is evaluated on every event of its type.
 * 3. The full pattern is evaluated only on these candidates, by the direct evaluator.
 *
 * The cost of an event is then the number of its type's dot-prefixes, plus the payload keys that the
 * indexed paths reach, plus the candidates' evaluation — not the number of triggers. That last term is a
 * product (a candidate's prefix leaf tries each prefix on each element of a payload array), so steps 2-3
 * run on a work budget (DIRECT_MATCH_FUEL, see direct-match.ts). An event that spends it — a big array, a
 * wide object, many residual triggers — is matched instead in one walk by a PatternIndex over all the
 * triggers' filters, restricted to those whose eventType selects the event: a cost of about the payload's
 * size plus the filters' entries, whatever their kinds (prefix, suffix, numeric, anything-but, exists).
 * Results come back in id order either way.
 *
 * The whole match runs on a work budget (`workBudget`, match-budget.ts): the direct attempt's fuel counts
 * against it, the PatternIndex spends the rest, and an event that would need more throws
 * MatchBudgetExceeded — no partial answer.
 */

interface Entry<T> {
  trigger: T
  /** Position in id order: results are sorted by it. */
  order: number
  /** The direct evaluator (burns fuel). */
  test: (data: unknown) => boolean
}

interface TrieNode<T> {
  children: Map<string, TrieNode<T>>
  /** Triggers whose chosen leaf ends at this node, by allowed value. */
  byValue: Map<PatternScalar, Entry<T>[]> | undefined
}

const newNode = <T>(): TrieNode<T> => ({ children: new Map(), byValue: undefined })

class TypeGroup<T> {
  readonly root: TrieNode<T> = newNode()
  readonly residual: Entry<T>[] = []
  /** Every trigger of the group, by position in id order. */
  readonly orders: number[] = []

  add(entry: Entry<T>, filter: EventPattern | null): void {
    this.orders.push(entry.order)
    // File the trigger under the leaf whose buckets are currently smallest (most selective so far).
    let best: { node: TrieNode<T>; values: PatternScalar[]; cost: number } | undefined
    for (const leaf of exactLeaves(filter)) {
      const node = this.nodeAt(leaf.path, false)
      let cost = leaf.values.length
      for (const v of leaf.values) cost += node?.byValue?.get(v)?.length ?? 0
      if (!best || cost < best.cost)
        best = { node: node ?? this.nodeAt(leaf.path, true)!, values: leaf.values, cost }
    }
    if (!best) {
      this.residual.push(entry)
      return
    }
    best.node.byValue ??= new Map()
    for (const v of best.values) {
      const bucket = best.node.byValue.get(v)
      if (bucket) bucket.push(entry)
      else best.node.byValue.set(v, [entry])
    }
  }

  private nodeAt(path: string[], create: boolean): TrieNode<T> | undefined {
    let node = this.root
    for (const key of path) {
      let next = node.children.get(key)
      if (!next) {
        if (!create) return undefined
        next = newNode()
        node.children.set(key, next)
      }
      node = next
    }
    return node
  }
}

/** Filled by `match` when passed: how much work one event took. */
export interface MatchStats {
  /** Triggers whose full pattern was evaluated directly (also by an attempt that ran out of fuel). */
  evaluated: number
  /** Type groups looked at (exact, each matching prefix glob, `*`). */
  groups: number
  /** Events answered by the PatternIndex, after the direct attempt ran out of fuel. */
  indexed?: number
  /** The PatternIndex's work units (see PatternIndexStats), when it answered. */
  work?: number
}

export interface TriggerMatcherOptions {
  /** Fuel of the direct attempt (default DIRECT_MATCH_FUEL); 0 sends every event to the PatternIndex. */
  directFuel?: number
  /**
   * Work units one match may spend, the direct attempt's fuel included (default DEFAULT_MATCH_BUDGET;
   * Infinity: unbounded); past it `match` throws MatchBudgetExceeded.
   */
  workBudget?: number
}

const always = () => true
const never = () => false

/** Above this many indexed keys at one level, walk the payload's keys instead of the trie's. */
const SCAN_PAYLOAD_KEYS_ABOVE = 8

/**
 * A `build` makes the PatternIndex at once (in slices) when the filters hold more entries than this; a smaller
 * index is made inside the first match that needs it, as the synchronous constructor does (about 1 ms of CPU
 * per 1,000 entries).
 */
export const EAGER_INDEX_ENTRIES = 5_000

export class TriggerMatcher<T extends { id: string; eventType: string; filter: EventPattern | null }> {
  private readonly exact = new Map<string, TypeGroup<T>>()
  private readonly prefix = new Map<string, TypeGroup<T>>()
  private all: TypeGroup<T> | undefined
  private count = 0
  /** Triggers in id order. */
  private sorted: T[] = []
  /** Per-match de-duplication without allocating a Set: an entry is taken when its stamp is the epoch. */
  private stamps = new Uint32Array(0)
  private epoch = 0
  /** All filters, by position in id order; built by `build` or on the first event that needs it. */
  private index: PatternIndex | undefined
  /** Triggers selected by type in the current indexed match: stamp equal to `activeEpoch`. */
  private active = new Uint32Array(0)
  private activeEpoch = 0
  private readonly directFuel: number
  private readonly workBudget: number

  /** Builds at once, on the caller's stack: for small sets of triggers (see `build`). */
  constructor(triggers: Iterable<T>, options: TriggerMatcherOptions = {}) {
    this.workBudget = options.workBudget ?? DEFAULT_MATCH_BUDGET
    this.directFuel = Math.min(options.directFuel ?? DIRECT_MATCH_FUEL, this.workBudget)
    runSteps(this.load([...triggers]))
  }

  /**
   * The same matcher, built in slices of about `sliceMs` that give the event loop back in between (about 1 s
   * of CPU in all at 100,000 filter matchers), with its PatternIndex made now when the filters hold more than
   * EAGER_INDEX_ENTRIES entries: a match never builds a big index on the event loop.
   */
  static async build<T extends { id: string; eventType: string; filter: EventPattern | null }>(
    triggers: Iterable<T>,
    options: TriggerMatcherOptions & SliceOptions = {},
  ): Promise<TriggerMatcher<T>> {
    const matcher = new TriggerMatcher<T>([], options)
    const rows = [...triggers]
    return runSliced(
      (function* () {
        const entries = yield* matcher.load(rows)
        if (entries > EAGER_INDEX_ENTRIES) {
          matcher.index = yield* PatternIndex.steps(matcher.sorted.map((t) => t.filter))
        }
        return matcher
      })(),
      options,
    )
  }

  /** Files every trigger (one step each); returns the filters' entries (leaf values and matchers). */
  private *load(triggers: T[]): BuildSteps<number> {
    const sorted = triggers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    yield
    let entries = 0
    for (let order = 0; order < sorted.length; order++) {
      const trigger = sorted[order]!
      const filter = trigger.filter
      entries += countFilterMatchers(filter)
      const test =
        filter === null || filter === undefined
          ? always
          : isPlainObject(filter)
            ? compileDirect(filter)
            : never
      const entry: Entry<T> = { trigger, order, test }
      const glob = parseEventTypeGlob(trigger.eventType)
      let group: TypeGroup<T> | undefined
      if (glob.kind === 'all') group = this.all ??= new TypeGroup()
      else {
        const map = glob.kind === 'exact' ? this.exact : this.prefix
        const key = glob.kind === 'exact' ? glob.type : glob.prefix
        group = map.get(key)
        if (!group) {
          group = new TypeGroup()
          map.set(key, group)
        }
      }
      group.add(entry, filter)
      yield
    }
    this.sorted = sorted
    this.count = sorted.length
    this.stamps = new Uint32Array(sorted.length)
    this.active = new Uint32Array(sorted.length)
    return entries
  }

  get size(): number {
    return this.count
  }

  /** The triggers selected by an event of `type` with payload `data`, in id order; MatchBudgetExceeded past the budget. */
  match(type: string, data: unknown, stats?: MatchStats): T[] {
    if (this.count === 0) return []
    const groups: TypeGroup<T>[] = []
    const exact = this.exact.get(type)
    if (exact) groups.push(exact)
    if (this.prefix.size > 0) {
      // "order.*" (prefix "order") selects types with something after "order.".
      for (let i = type.indexOf('.'); i !== -1 && i < type.length - 1; i = type.indexOf('.', i + 1)) {
        const group = this.prefix.get(type.slice(0, i))
        if (group) groups.push(group)
      }
    }
    if (this.all) groups.push(this.all)
    if (stats) stats.groups += groups.length
    if (groups.length === 0) return []
    const direct = runWithFuel(this.directFuel, () => this.matchDirect(groups, data, stats))
    if (direct !== OUT_OF_FUEL) return direct
    return this.matchIndexed(groups, data, stats)
  }

  private matchDirect(groups: TypeGroup<T>[], data: unknown, stats: MatchStats | undefined): T[] {
    if (++this.epoch === 0xffffffff) {
      this.stamps.fill(0)
      this.epoch = 1
    }
    const found: Entry<T>[] = []
    for (const group of groups) {
      this.walk(data, group.root, found, stats, data, 0)
      spendFuel(group.residual.length)
      for (const entry of group.residual) this.consider(entry, data, found, stats)
    }
    if (found.length > 1) found.sort((a, b) => a.order - b.order)
    return found.map((e) => e.trigger)
  }

  private matchIndexed(groups: TypeGroup<T>[], data: unknown, stats: MatchStats | undefined): T[] {
    if (++this.activeEpoch === 0xffffffff) {
      this.active.fill(0)
      this.activeEpoch = 1
    }
    const epoch = this.activeEpoch
    for (const group of groups) for (const order of group.orders) this.active[order] = epoch
    this.index ??= new PatternIndex(this.sorted.map((t) => t.filter))
    const work = { work: 0 }
    // The direct attempt spent all its fuel: the index has the rest of the budget.
    const budget = this.workBudget - this.directFuel
    const hits = this.index.match(data, (order) => this.active[order] === epoch, work, budget)
    if (stats) {
      stats.indexed = (stats.indexed ?? 0) + 1
      stats.work = (stats.work ?? 0) + work.work
    }
    return hits.map((order) => this.sorted[order]!)
  }

  private consider(entry: Entry<T>, data: unknown, found: Entry<T>[], stats: MatchStats | undefined): void {
    if (this.stamps[entry.order] === this.epoch) return
    this.stamps[entry.order] = this.epoch
    if (stats) stats.evaluated++
    if (entry.test(data)) found.push(entry)
  }

  /**
   * Follows the payload along the indexed key paths, collecting the triggers filed under its values.
   * Arrays are fanned out by the same rule as matching (at most MAX_ARRAY_NESTING levels of arrays in
   * arrays), so every trigger that can match is reached.
   */
  private walk(
    v: unknown,
    node: TrieNode<T>,
    found: Entry<T>[],
    stats: MatchStats | undefined,
    data: unknown,
    nesting: number,
  ): void {
    if (Array.isArray(v)) {
      if (nesting >= MAX_ARRAY_NESTING) return
      spendFuel(v.length)
      for (const element of v) this.walk(element, node, found, stats, data, nesting + 1)
      return
    }
    if (isPlainObject(v)) {
      const children = node.children
      if (children.size === 0) return
      if (children.size <= SCAN_PAYLOAD_KEYS_ABOVE) {
        spendFuel(children.size)
        for (const [key, child] of children) {
          if (Object.hasOwn(v, key)) this.walk(v[key], child, found, stats, data, 0)
        }
      } else {
        const keys = Object.keys(v)
        spendFuel(keys.length)
        for (const key of keys) {
          const child = children.get(key)
          if (child) this.walk(v[key], child, found, stats, data, 0)
        }
      }
      return
    }
    const bucket = node.byValue?.get(v as PatternScalar)
    if (bucket) {
      spendFuel(bucket.length)
      for (const entry of bucket) this.consider(entry, data, found, stats)
    }
  }
}
