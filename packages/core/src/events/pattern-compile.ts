import type { BuildSteps } from './build-steps.ts'
import { butAffixTest, butListIntersection, readLeaf } from './leaf-entries.ts'
import type { LeafHits } from './leaf-hits.ts'
import { LeafIndex } from './leaf-index.ts'
import { memberCheckUnits } from './match-budget.ts'
import { EVENT_PATTERN_LIMITS, type EventPattern, isPlainObject } from './pattern.ts'
import { exactAnchorKey } from './subpattern-anchor.ts'

/**
 * Compiling a PatternIndex (pattern-index.ts, whose header explains the structure): the patterns merged into
 * one tree of key paths (PathNode), their leaf entries filed in each path's LeafIndex, their multi-key objects
 * in scopes (Scope) and filed under their anchors. What the index's walk and answers read at match time is
 * declared here too: Scope, Slot, PathNode, Item.
 */

/** Where entries record: the event, or the object instances of one path holding pattern objects with ≠ 1 key. */
export interface Scope {
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
export interface Guarded {
  guard: Slot | undefined
  members: Item[]
}

/** Anchored members of one scope whose anchor leaf sits in `hits`, by exact value id. */
export interface Watch {
  hits: LeafHits<Scope>
  byId: Map<number, Item[]>
}

/** Per scope and path: what the scope's current instance held there. */
export interface Slot {
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

export interface PathNode {
  parent: PathNode | undefined
  children: Map<string, PathNode>
  childList: [string, PathNode][]
  slots: Slot[]
  /** The leaf entries at this path, of every scope. */
  leaf: LeafIndex<Scope> | undefined
  /** The scope of the pattern objects with ≠ 1 key located here. */
  scope: Scope | undefined
}

export const LEAF = 0
const OBJECT = 1
export const NEVER = 2

/** A leaf, a pattern object, or a node that matches nothing: one shape for all (monomorphic access). */
export class Item {
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

/** Builds the tree of a PatternIndex; the index keeps `root` and `event` and walks them. */
export class PatternCompiler {
  readonly root = newNode(undefined)
  readonly event: Scope = newScope(this.root)
  private readonly scopes: Scope[] = []
  /** Leaves with several numeric entries, whose union is worked out once the leaf indexes are sealed. */
  private unionsPending: Item[] = []

  /**
   * Compiles the patterns (one step each), seals the leaf indexes, then files the scopes' members. Returns per
   * pattern its root object, or true (no pattern: matches everything) / false (not an object).
   */
  public *compile(patterns: readonly (EventPattern | null | undefined)[]): BuildSteps<(Item | boolean)[]> {
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
    return roots
  }

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
}
