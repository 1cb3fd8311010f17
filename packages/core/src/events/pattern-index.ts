import { type BuildSteps, runSliced, runSteps, type SliceOptions } from './build-steps.ts'
import { anyHit, touch } from './instance-stamps.ts'
import { butAffixTest, butListIntersection, readLeaf } from './leaf-entries.ts'
import { EXACT, type LeafHits, LeafIndex, PREFIX, SUFFIX } from './leaf-index.ts'
import { keyPath, LISTED_KEY_UNITS, MatchBudgetExceeded, memberCheckUnits } from './match-budget.ts'
import {
  EVENT_PATTERN_LIMITS,
  type EventPattern,
  isPatternScalar,
  isPlainObject,
  MAX_ARRAY_NESTING,
} from './pattern.ts'
import { exactAnchorKey } from './subpattern-anchor.ts'

/**
 * Many patterns matched against one payload in a single walk, at a cost of about the payload's size plus
 * the patterns' entries — not their product (the direct evaluator, direct-match.ts, tries every entry on
 * every value). Same answers as the direct evaluator, which stays the definition.
 *
 * Compiling merges the patterns into one tree of key paths. At each path, the leaf entries of all patterns
 * sit in a LeafIndex (exact values in a map, prefixes and suffixes in radix trees, numeric bounds sorted,
 * anything-but as "some value outside the list"). Matching walks the payload once along that tree (arrays
 * fanned out as matching does), feeds every scalar it finds to the indexes of its path, counts which keys
 * were present or absent, then answers each pattern from those records.
 *
 * Arrays need care. `{ items: { sku: [...] } }` only asks that some item's sku matches: the values of all
 * items can be pooled. But `{ items: { sku: [...], qty: [...] } }` needs one item with both, so a pattern
 * object with other than one key is answered per object instance of its path: the objects found at such a
 * path open a *scope* while they are walked; entries below them record into that scope, which is closed
 * when the object is done (the pattern objects it satisfies are marked in the enclosing scope). Everything
 * else records into the one scope of the event. Each scope keeps, per path, how many object instances its
 * parent had, how many held the key and whether a non-object stood where an object was expected: this
 * answers `exists: false` (absent, also below a missing parent) without walking absent subtrees.
 *
 * Cost: the walk visits each payload value on an indexed path once and feeds it to that path's index
 * once, whatever the number of scopes recording there; a string costs its length at most (radix walks
 * stop where the operands do), a number a binary search. Answering costs O(entries) for the event scope.
 * A scope opened per object answers, when it closes, only the pattern objects whose *anchor* it hit (a
 * child leaf of only exact values, chosen by exactAnchorKey, under whose values the object is filed), plus
 * those without one. So `{ items: { sku: ["A-1"], qty: [...] } }` costs about the items plus the patterns
 * naming each item's sku; but a multi-key sub-pattern with no anchor (prefix, suffix, numeric, anything-but
 * or exists keys only) is answered on every element: O(elements × such objects), which is inherent in
 * asking for one element satisfying several conditions (already satisfied objects are skipped). Prefixes
 * and suffixes do not anchor: a long value hits every prefix of itself, so filed under them one element
 * would reach a member through up to its length in ids. The quotas bound both products:
 * TENANT_MAX_UNANCHORED_SUBPATTERNS the unanchored objects, TENANT_MAX_SUBPATTERNS_PER_ANCHOR the objects
 * filed under one value at one path (quotas.ts). What no quota bounds, the match's work budget does
 * (match-budget.ts): the walk counts its work and throws MatchBudgetExceeded past the budget.
 */

/** Where entries record: the event, or the object instances of one path holding pattern objects with ≠ 1 key. */
interface Scope {
  node: PathNode
  /** Stamp of the instance being walked (unique over the index's life). */
  inst: number
  /** Pattern objects with other than one key located at `node` (none for the event scope). */
  members: Item[]
  /** Members answered on every instance (no child leaf that only values can satisfy), by a key they need. */
  unanchored: Guarded[]
  /** The other members, by the values (prefixes, suffixes) of their anchor leaf, per leaf index. */
  watches: Watch[]
  /** The match for which `live` and `liveUnanchored` were worked out (on the scope's first instance). */
  liveFor: number
  /** In that match: some member's pattern takes part; the unanchored ones that do. */
  live: boolean
  liveUnanchored: Guarded[]
  /** Work units of one member check (memberCheckUnits), set once the members are filed. */
  checkUnits: number
}

/**
 * Unanchored members of one scope that all need the same child key present (`guard`: that key's slot in the
 * scope; undefined when a member needs none): an instance lacking the key skips them at once.
 */
interface Guarded {
  guard: Slot | undefined
  members: Item[]
}

/** Anchored members of one scope whose anchor leaf sits in `hits`, by exact value id. */
interface Watch {
  hits: LeafHits<Scope>
  byId: Map<number, Item[]>
}

/** Per scope and path: what the scope's current instance held there. */
interface Slot {
  scope: Scope
  /** Same scope, parent path; undefined at the scope's own path. */
  parent: Slot | undefined
  stamp: number
  /** Object instances at this path (array elements fanned out). */
  objects: number
  /** A non-object (scalar, null, empty array) stood at this path where objects are looked into. */
  undef: boolean
  /** Parent object instances holding this key. */
  present: number
  absentStamp: number
  absent: boolean
}

interface PathNode {
  parent: PathNode | undefined
  children: Map<string, PathNode>
  childList: [string, PathNode][]
  slots: Slot[]
  /** The leaf entries at this path, of every scope. */
  leaf: LeafIndex<Scope> | undefined
  /** The scope of the pattern objects with ≠ 1 key located here. */
  scope: Scope | undefined
}

const LEAF = 0
const OBJECT = 1
const NEVER = 2

/** A leaf, a pattern object, or a node that matches nothing: one shape for all (monomorphic access). */
class Item {
  /** Matches an absent or non-object payload value (a leaf with `exists: false`; an object all of whose children do). */
  whenAbsent = false
  // Leaves.
  existsTrue = false
  hits: LeafHits<Scope> | undefined = undefined
  exact: number[] = NONE
  prefix: number[] = NONE
  suffix: number[] = NONE
  numeric: number[] = NONE
  butList: Set<unknown>[] = NO_SETS
  butPrefix: string[] = NO_STRINGS
  butSuffix: string[] = NO_STRINGS
  /** Anything-but prefixes (suffixes) that are not a chain: any string seen satisfies the leaf. */
  butPrefixAny = false
  butSuffixAny = false
  /** With many exact values (prefixes, suffixes): their ids, to look up the few that an instance hit. */
  exactIds: Set<number> | undefined = undefined
  prefixIds: Set<number> | undefined = undefined
  suffixIds: Set<number> | undefined = undefined
  /** With several numeric entries: the union of their ranges, as sorted disjoint slot intervals (LeafIndex.union). */
  unionFrom: Int32Array | undefined = undefined
  unionTo: Int32Array | undefined = undefined
  /** Values and matchers as written (the leaf's size). */
  entries = 0
  // Objects with other than one key (one-key objects are compiled as their child), answered per instance.
  pattern = -1
  /** The scope this object's result counts in. */
  owner: Scope | undefined = undefined
  children: Item[] = NO_ITEMS
  /** The child leaf the object is filed under (exactAnchorKey); undefined: answered on every instance. */
  anchor: Item | undefined = undefined
  /** `owner.inst` when one instance satisfied every child. */
  mark = -1
  /** The instance in which the object was last answered. */
  triedIn = -1

  constructor(
    readonly kind: number,
    /** The slot of the scope the item is answered in, at the item's path. */
    readonly slot: Slot | undefined,
  ) {}
}

/** Order in which a pattern object asks its children (see compileObject). */
function childRank(c: Item): number {
  if (c.kind === NEVER) return 0
  if (c.kind === OBJECT) return 1
  return c.entries > 0 ? 2 : 3
}

/** Above this many exact values (prefixes, suffixes) in a leaf, it is answered from what was hit (see compileLeaf). */
const MANY = 4

const NONE: number[] = []
const NO_SETS: Set<unknown>[] = []
const NO_STRINGS: string[] = []
const NO_ITEMS: Item[] = []
const NEVER_ITEM = new Item(NEVER, undefined)

/**
 * An object's keys are found by probing the indexed keys of its path (Object.hasOwn each) when they are
 * few, else by listing the object's own keys. Listing costs O(the object's keys) — about 20 ms for a 1 MiB
 * object of 65,000 keys — while a few thousand probes cost well under a millisecond; but probing every
 * element of a big array against thousands of indexed keys would be a product. So up to 8 indexed keys are
 * always probed, and more while the match has probes left.
 */
const ALWAYS_PROBE = 8
const PROBES_PER_MATCH = 50_000

export interface PatternIndexStats {
  /** Units of work: payload values visited, index steps, entries and pattern objects answered. */
  work: number
}

const newScope = (node: PathNode): Scope => ({
  node,
  inst: -1,
  members: [],
  unanchored: [],
  watches: [],
  liveFor: -1,
  live: false,
  liveUnanchored: [],
  checkUnits: 1,
})

const newNode = (parent: PathNode | undefined): PathNode => ({
  parent,
  children: new Map(),
  childList: [],
  slots: [],
  leaf: undefined,
  scope: undefined,
})

export class PatternIndex {
  private readonly root = newNode(undefined)
  private readonly event: Scope = newScope(this.root)
  private readonly scopes: Scope[] = []
  /** Per pattern: its root object, or true (no pattern: matches everything) / false (not an object). */
  private roots: (Item | boolean)[] = []
  private seq = 0
  private matches = 0
  private active: ((pattern: number) => boolean) | undefined
  private dataAbsent = false
  private work = 0
  private budget = Number.POSITIVE_INFINITY
  private probesLeft = 0
  /** Leaves with several numeric entries, whose union is worked out once the leaf indexes are sealed. */
  private unionsPending: Item[] = []

  /** `null`/`undefined` patterns match everything, other non-objects nothing (as compilePattern). */
  constructor(patterns: readonly (EventPattern | null | undefined)[]) {
    runSteps(this.load(patterns))
  }

  /** The same index, built in slices (see build-steps.ts): about 0.6 s of CPU at 100,000 entries. */
  static build(
    patterns: readonly (EventPattern | null | undefined)[],
    options?: SliceOptions,
  ): Promise<PatternIndex> {
    return runSliced(PatternIndex.steps(patterns), options)
  }

  /** The steps of `build`, to run inside a bigger build. */
  static *steps(patterns: readonly (EventPattern | null | undefined)[]): BuildSteps<PatternIndex> {
    const index = new PatternIndex([])
    yield* index.load(patterns)
    return index
  }

  /** Compiles the patterns (one step each), seals the leaf indexes, then files the scopes' members. */
  private *load(patterns: readonly (EventPattern | null | undefined)[]): BuildSteps {
    const indexes: LeafIndex<Scope>[] = []
    const roots: (Item | boolean)[] = []
    for (let i = 0; i < patterns.length; i++) {
      const p = patterns[i]
      if (p === null || p === undefined) roots.push(true)
      else if (!isPlainObject(p)) roots.push(false)
      else roots.push(this.compileObject(p, 1, this.root, this.event, i, indexes))
      yield
    }
    for (const index of indexes) yield* index.seal()
    for (let i = 0; i < this.unionsPending.length; i++) {
      const leaf = this.unionsPending[i]!
      const u = leaf.hits!.unionOf(leaf.numeric)
      leaf.unionFrom = u.from
      leaf.unionTo = u.to
      if ((i & 255) === 255) yield
    }
    this.unionsPending = []
    for (const scope of this.scopes) {
      scope.checkUnits = memberCheckUnits(scope.members.length)
      for (let i = 0; i < scope.members.length; i++) {
        this.anchor(scope, scope.members[i]!)
        if ((i & 255) === 255) yield
      }
      yield
    }
    this.roots = roots
  }

  get patterns(): number {
    return this.roots.length
  }

  /**
   * The positions of the patterns that `data` matches, ascending; with `active`, only among the patterns
   * it accepts (the others cost nothing to answer). Throws MatchBudgetExceeded once its work passes `budget`
   * (its state is kept per instance stamp: the next match is not affected).
   */
  match(
    data: unknown,
    active?: (pattern: number) => boolean,
    stats?: PatternIndexStats,
    budget = Infinity,
  ): number[] {
    this.work = 0
    this.budget = budget
    this.probesLeft = PROBES_PER_MATCH
    this.matches++
    this.active = active
    this.event.inst = ++this.seq
    this.dataAbsent = data === undefined
    if (!this.dataAbsent) this.fanOut(this.root, data, 0)
    const out: number[] = []
    for (let i = 0; i < this.roots.length; i++) {
      if (active && !active(i)) continue
      const root = this.roots[i]!
      if (root === true || (root !== false && this.answer(root))) out.push(i)
    }
    if (stats) stats.work += this.work
    return out
  }

  // --- compiling ------------------------------------------------------------------------------------

  private compileObject(
    obj: Record<string, unknown>,
    depth: number,
    node: PathNode,
    owner: Scope,
    pattern: number,
    indexes: LeafIndex<Scope>[],
  ): Item {
    // Deeper than any valid pattern: matches nothing (as the direct evaluator).
    if (depth > EVENT_PATTERN_LIMITS.maxDepth) return NEVER_ITEM
    const keys = Object.keys(obj)
    // One key: some instance satisfies it iff its child holds over the instances pooled, so the object
    // is answered by its child, which records into the same scope.
    if (keys.length === 1) return this.compileChild(obj, keys[0]!, depth, node, owner, pattern, indexes)
    const inner = this.scopeAt(node)
    const item = new Item(OBJECT, this.slot(owner, node))
    item.pattern = pattern
    item.owner = owner
    item.whenAbsent = true
    item.children = []
    const anchorKey = exactAnchorKey(obj)
    for (const key of keys) {
      const c = this.compileChild(obj, key, depth, node, inner, pattern, indexes)
      item.children.push(c)
      if (key === anchorKey) item.anchor = c
      if (!c.whenAbsent) item.whenAbsent = false
    }
    // All children must hold: the ones that fail most cheaply are asked first (a leaf holding only
    // `exists: true` is satisfied by any value, so it comes last).
    item.children.sort((a, b) => childRank(a) - childRank(b))
    inner.members.push(item)
    return item
  }

  private compileChild(
    obj: Record<string, unknown>,
    key: string,
    depth: number,
    node: PathNode,
    scope: Scope,
    pattern: number,
    indexes: LeafIndex<Scope>[],
  ): Item {
    const child = this.child(node, key)
    const v = obj[key]
    if (Array.isArray(v)) return this.compileLeaf(v, child, scope, indexes)
    if (isPlainObject(v)) return this.compileObject(v, depth + 1, child, scope, pattern, indexes)
    return NEVER_ITEM
  }

  private compileLeaf(leaf: unknown[], node: PathNode, scope: Scope, indexes: LeafIndex<Scope>[]): Item {
    if (!node.leaf) {
      node.leaf = new LeafIndex()
      indexes.push(node.leaf)
    }
    const ix = node.leaf
    const hits = ix.hitsFor(scope)
    const e = readLeaf(leaf)
    for (const set of e.butList) hits.noteButList(set.size)
    for (const p of e.butPrefix) hits.noteButPrefix(p)
    for (const s of e.butSuffix) hits.noteButSuffix(s)
    const item = new Item(LEAF, this.slot(scope, node))
    item.hits = hits
    item.whenAbsent = e.existsFalse
    item.existsTrue = e.existsTrue
    if (e.exact.length > 0) item.exact = e.exact.map((v) => ix.addExact(v))
    if (e.prefix.length > 0) item.prefix = e.prefix.map((p) => ix.addPrefix(p))
    if (e.suffix.length > 0) item.suffix = e.suffix.map((s) => ix.addSuffix(s))
    if (e.numeric.length > 0)
      item.numeric = e.numeric.map((r) => ix.addRange(r.lo, r.loInclusive, r.hi, r.hiInclusive))
    item.entries =
      item.exact.length +
      item.prefix.length +
      item.suffix.length +
      item.numeric.length +
      e.butList.length +
      e.butPrefix.length +
      e.butSuffix.length
    // A leaf is answered once per instance of its scope (every element of an array, for the children of a
    // multi-key sub-pattern): in O(what the instance hit), not O(the leaf's entries), so that one big leaf
    // does not make the product elements × entries.
    if (item.exact.length > MANY) item.exactIds = new Set(item.exact)
    if (item.prefix.length > MANY) item.prefixIds = new Set(item.prefix)
    if (item.suffix.length > MANY) item.suffixIds = new Set(item.suffix)
    if (item.exactIds || item.prefixIds || item.suffixIds) hits.record = true
    if (item.numeric.length > 1) this.unionsPending.push(item)
    item.butList = e.butList.length > 1 ? [butListIntersection(e.butList)] : e.butList
    const butPrefix = butAffixTest(e.butPrefix, false)
    item.butPrefix = butPrefix.operand === undefined ? NO_STRINGS : [butPrefix.operand]
    item.butPrefixAny = butPrefix.anyString
    const butSuffix = butAffixTest(e.butSuffix, true)
    item.butSuffix = butSuffix.operand === undefined ? NO_STRINGS : [butSuffix.operand]
    item.butSuffixAny = butSuffix.anyString
    return item
  }

  private child(node: PathNode, key: string): PathNode {
    let child = node.children.get(key)
    if (!child) {
      child = newNode(node)
      node.children.set(key, child)
      node.childList.push([key, child])
    }
    return child
  }

  private scopeAt(node: PathNode): Scope {
    if (!node.scope) {
      node.scope = newScope(node)
      this.scopes.push(node.scope)
    }
    return node.scope
  }

  private slot(scope: Scope, node: PathNode): Slot {
    for (const s of node.slots) if (s.scope === scope) return s
    const slot: Slot = {
      scope,
      parent: node === scope.node ? undefined : this.slot(scope, node.parent!),
      stamp: -1,
      objects: 0,
      undef: false,
      present: 0,
      absentStamp: -1,
      absent: false,
    }
    node.slots.push(slot)
    return slot
  }

  // --- walking --------------------------------------------------------------------------------------

  /** `v` stands where pattern objects look into it: each object in it (arrays fanned out) is an instance. */
  private fanOut(node: PathNode, v: unknown, nesting: number): void {
    if (Array.isArray(v)) {
      // An empty array holds no keys at all; arrays nested too deep match nothing (as the direct evaluator).
      if (v.length === 0) this.nonObject(node)
      else if (nesting < MAX_ARRAY_NESTING) {
        this.work += v.length
        for (let i = 0; i < v.length; i++) this.fanOut(node, v[i], nesting + 1)
      }
    } else if (isPlainObject(v)) this.object(node, v)
    else this.nonObject(node)
  }

  private nonObject(node: PathNode): void {
    this.work++
    for (const s of node.slots) {
      touch(s)
      s.undef = true
    }
  }

  private object(node: PathNode, obj: Record<string, unknown>): void {
    const scope = node.scope
    const opens = scope !== undefined && this.isLive(scope)
    if (opens) scope.inst = ++this.seq
    for (const s of node.slots) {
      touch(s)
      s.objects++
    }
    const kids = node.childList
    if (kids.length <= ALWAYS_PROBE || kids.length <= this.probesLeft) {
      if (kids.length > ALWAYS_PROBE) this.probesLeft -= kids.length
      this.work += kids.length
      for (let i = 0; i < kids.length; i++) {
        const [key, child] = kids[i]!
        if (Object.hasOwn(obj, key)) this.present(child, obj[key])
      }
    } else {
      const keys = Object.keys(obj)
      this.work += keys.length * LISTED_KEY_UNITS
      for (const key of keys) {
        const child = node.children.get(key)
        if (child) this.present(child, obj[key])
      }
    }
    if (opens) this.close(scope)
  }

  private present(node: PathNode, v: unknown): void {
    for (const s of node.slots) {
      touch(s)
      s.present++
    }
    if (node.leaf !== undefined) this.feed(node.leaf, v, 0)
    if (node.childList.length > 0 || node.scope !== undefined) this.fanOut(node, v, 0)
  }

  /** `v` stands where a leaf is: its scalars (arrays fanned out) go to the path's index. */
  private feed(leaf: LeafIndex<Scope>, v: unknown, nesting: number): void {
    if (!Array.isArray(v)) {
      if (isPatternScalar(v)) this.work += leaf.feed(v)
      return
    }
    if (nesting >= MAX_ARRAY_NESTING) return
    let work = v.length
    for (let i = 0; i < v.length; i++) {
      const x = v[i]
      // Strings and numbers, nearly all of a big array, straight to their kind.
      if (typeof x === 'string') work += leaf.feedString(x)
      else if (typeof x === 'number' && Number.isFinite(x)) work += leaf.feedNumber(x)
      else if (Array.isArray(x)) this.feed(leaf, x, nesting + 1)
      else if (isPatternScalar(x)) work += leaf.feed(x)
    }
    this.work += work
    if (this.work > this.budget) this.exceeded(undefined)
  }

  /**
   * An instance of `scope` is done: mark the pattern objects it satisfies in their owner scopes. Only the
   * members whose anchor leaf this instance hit are answered, and those without an anchor.
   */
  private close(scope: Scope): void {
    const inst = scope.inst
    const units = scope.checkUnits
    for (const watch of scope.watches) {
      const hits = watch.hits
      if (hits.stamp !== inst) continue
      const byId = watch.byId
      const ids = hits.hitLists[EXACT]!
      const length = hits.hitLengths[EXACT]!
      this.work += length
      for (let i = 0; i < length; i++) {
        const members = byId.get(ids[i]!)
        if (!members) continue
        this.work += members.length * units
        for (const m of members) this.tryMember(m, inst)
        if (this.work > this.budget) this.exceeded(scope.node)
      }
    }
    // The product of elements and unanchored members (see the header): kept to a tight loop. An unanchored
    // member is listed once, and only if its pattern takes part, so neither `triedIn` nor `active` is needed.
    for (const group of scope.liveUnanchored) {
      const guard = group.guard
      if (guard !== undefined && (guard.stamp !== inst || guard.present === 0)) continue
      const members = group.members
      this.work += members.length * units
      for (let i = 0; i < members.length; i++) {
        const m = members[i]!
        const ownerInst = m.owner!.inst
        if (m.mark !== ownerInst && this.every(m)) m.mark = ownerInst
      }
    }
    // The instance's opening and closing: one unit.
    if (++this.work > this.budget) this.exceeded(scope.node)
  }

  /** Past the budget: stop where the walk is (`node`, when known), deciding nothing. */
  private exceeded(node: PathNode | undefined): never {
    throw new MatchBudgetExceeded(this.work, this.budget, node && keyPath(node))
  }

  /** Whether some member of `scope` takes part in this match; lists the unanchored ones that do. */
  private isLive(scope: Scope): boolean {
    if (scope.liveFor === this.matches) return scope.live
    const active = this.active
    scope.liveFor = this.matches
    scope.live =
      active === undefined ? scope.members.length > 0 : scope.members.some((m) => active(m.pattern))
    scope.liveUnanchored = active
      ? scope.unanchored
          .map((g) => ({ guard: g.guard, members: g.members.filter((m) => active(m.pattern)) }))
          .filter((g) => g.members.length > 0)
      : scope.unanchored
    return scope.live
  }

  private tryMember(m: Item, inst: number): void {
    if (m.triedIn === inst || (this.active !== undefined && !this.active(m.pattern))) return
    m.triedIn = inst
    const owner = m.owner!
    if (m.mark !== owner.inst && this.every(m)) m.mark = owner.inst
  }

  /**
   * Files a member under the exact values of its anchor leaf (exactAnchorKey): no instance that hit none of
   * them can satisfy the member. A member without one is answered on every instance.
   */
  private anchor(scope: Scope, member: Item): void {
    const best = member.anchor
    if (!best || best.kind !== LEAF || best.exact.length === 0) {
      const guard = member.children.find((c) => !c.whenAbsent && c.slot !== undefined)?.slot
      const group = scope.unanchored.find((g) => g.guard === guard)
      if (group) group.members.push(member)
      else scope.unanchored.push({ guard, members: [member] })
      return
    }
    const hits = best.hits!
    let watch = scope.watches.find((w) => w.hits === hits)
    if (!watch) {
      watch = { hits, byId: new Map() }
      scope.watches.push(watch)
      hits.record = true
    }
    for (const id of best.exact) {
      const list = watch.byId.get(id)
      if (list) {
        if (list[list.length - 1] !== member) list.push(member)
      } else watch.byId.set(id, [member])
    }
  }

  // --- answering ------------------------------------------------------------------------------------

  private every(item: Item): boolean {
    const children = item.children
    this.work += children.length
    for (let i = 0; i < children.length; i++) if (!this.answer(children[i]!)) return false
    return true
  }

  /** Whether `item` holds in the current instance of its scope (pooled over the instances below it). */
  private answer(item: Item): boolean {
    if (item.kind === LEAF) return this.answerLeaf(item)
    if (item.kind === NEVER) return false
    return item.mark === item.owner!.inst || (item.whenAbsent && this.undefinedAt(item.slot!))
  }

  private answerLeaf(leaf: Item): boolean {
    const s = leaf.slot!
    const inst = s.scope.inst
    this.work++
    if (leaf.whenAbsent && this.absent(s)) return true
    if (s.stamp !== inst || s.present === 0) return false
    if (leaf.existsTrue) return true
    const hits = leaf.hits!
    if (leaf.entries === 0 || !hits.fed()) return false
    this.work += 1 + leaf.butList.length
    if (leaf.exact.length > 0 && anyHit(hits, EXACT, leaf.exact, leaf.exactIds, hits.exactHits, inst))
      return true
    if (leaf.prefix.length > 0 && anyHit(hits, PREFIX, leaf.prefix, leaf.prefixIds, hits.prefixHits, inst))
      return true
    if (leaf.suffix.length > 0 && anyHit(hits, SUFFIX, leaf.suffix, leaf.suffixIds, hits.suffixHits, inst))
      return true
    if (leaf.unionFrom !== undefined) {
      if (hits.slotInAny(leaf.unionFrom, leaf.unionTo!)) return true
    } else if (leaf.numeric.length === 1 && hits.rangeHit(leaf.numeric[0]!)) return true
    if ((leaf.butPrefixAny || leaf.butSuffixAny) && hits.stringSeen()) return true
    for (const p of leaf.butPrefix) if (hits.butPrefixHit(p)) return true
    for (const p of leaf.butSuffix) if (hits.butSuffixHit(p)) return true
    for (const set of leaf.butList) {
      this.work += set.size
      if (hits.butListHit(set)) return true
    }
    return false
  }

  /** Some instance of the scope lacked this path: a missing key, or a non-object above it. */
  private absent(s: Slot): boolean {
    const inst = s.scope.inst
    if (s.absentStamp === inst) return s.absent
    const p = s.parent
    let absent: boolean
    if (p === undefined) absent = s.scope === this.event && this.dataAbsent
    else if (this.absent(p)) absent = true
    else if (p.stamp !== inst) absent = false
    else absent = p.undef || p.objects > (s.stamp === inst ? s.present : 0)
    s.absentStamp = inst
    s.absent = absent
    return absent
  }

  /** A pattern object at this path met an absent or non-object value in some instance. */
  private undefinedAt(s: Slot): boolean {
    return this.absent(s) || (s.stamp === s.scope.inst && s.undef)
  }
}
