import { parseEventTypeGlob } from './event-type.ts'
import {
  type EventPattern,
  exactLeaves,
  isPlainObject,
  MAX_ARRAY_NESTING,
  type PatternScalar,
} from './pattern.ts'
import { compilePattern } from './pattern-match.ts'

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
 * 3. The full pattern is evaluated only on these candidates.
 *
 * The cost of an event is the number of its type's dot-prefixes, plus the payload keys that the
 * indexed paths reach, plus the candidates — not the number of triggers. Results come back in id order.
 */

interface Entry<T> {
  trigger: T
  /** Position in id order: results are sorted by it. */
  order: number
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

  add(entry: Entry<T>, filter: EventPattern | null): void {
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
  /** Triggers whose full pattern was evaluated. */
  evaluated: number
  /** Type groups looked at (exact, each matching prefix glob, `*`). */
  groups: number
}

/** Above this many indexed keys at one level, walk the payload's keys instead of the trie's. */
const SCAN_PAYLOAD_KEYS_ABOVE = 8

export class TriggerMatcher<T extends { id: string; eventType: string; filter: EventPattern | null }> {
  private readonly exact = new Map<string, TypeGroup<T>>()
  private readonly prefix = new Map<string, TypeGroup<T>>()
  private all: TypeGroup<T> | undefined
  private readonly count: number
  /** Per-match de-duplication without allocating a Set: an entry is taken when its stamp is the epoch. */
  private readonly stamps: Uint32Array
  private epoch = 0

  constructor(triggers: Iterable<T>) {
    const sorted = [...triggers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    this.count = sorted.length
    this.stamps = new Uint32Array(sorted.length)
    sorted.forEach((trigger, order) => {
      const entry: Entry<T> = { trigger, order, test: compilePattern(trigger.filter) }
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
      group.add(entry, trigger.filter)
    })
  }

  get size(): number {
    return this.count
  }

  /** The triggers selected by an event of `type` with payload `data`, in id order. */
  match(type: string, data: unknown, stats?: MatchStats): T[] {
    if (this.count === 0) return []
    if (++this.epoch === 0xffffffff) {
      this.stamps.fill(0)
      this.epoch = 1
    }
    const found: Entry<T>[] = []
    const visit = (group: TypeGroup<T> | undefined) => {
      if (!group) return
      if (stats) stats.groups++
      this.walk(data, group.root, found, stats, data, 0)
      for (const entry of group.residual) this.consider(entry, data, found, stats)
    }
    visit(this.exact.get(type))
    if (this.prefix.size > 0) {
      // "order.*" (prefix "order") selects types with something after "order.".
      for (let i = type.indexOf('.'); i !== -1 && i < type.length - 1; i = type.indexOf('.', i + 1)) {
        visit(this.prefix.get(type.slice(0, i)))
      }
    }
    visit(this.all)
    if (found.length > 1) found.sort((a, b) => a.order - b.order)
    return found.map((e) => e.trigger)
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
      for (const element of v) this.walk(element, node, found, stats, data, nesting + 1)
      return
    }
    if (isPlainObject(v)) {
      const children = node.children
      if (children.size === 0) return
      if (children.size <= SCAN_PAYLOAD_KEYS_ABOVE) {
        for (const [key, child] of children) {
          if (Object.hasOwn(v, key)) this.walk(v[key], child, found, stats, data, 0)
        }
      } else {
        for (const key of Object.keys(v)) {
          const child = children.get(key)
          if (child) this.walk(v[key], child, found, stats, data, 0)
        }
      }
      return
    }
    const bucket = node.byValue?.get(v as PatternScalar)
    if (bucket) for (const entry of bucket) this.consider(entry, data, found, stats)
  }
}
