import { type BuildSteps, runSliced, runSteps, type SliceOptions } from './build-steps.ts'
import { anyHit, touch } from './instance-stamps.ts'
import { EXACT, PREFIX, SUFFIX } from './leaf-hits.ts'
import type { LeafIndex } from './leaf-index.ts'
import { keyPath, LISTED_KEY_UNITS, MatchBudgetExceeded } from './match-budget.ts'
import { type EventPattern, isPatternScalar, isPlainObject, MAX_ARRAY_NESTING } from './pattern.ts'
import {
  type Item,
  LEAF,
  NEVER,
  type PathNode,
  PatternCompiler,
  type Scope,
  type Slot,
} from './pattern-compile.ts'

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

export class PatternIndex {
  private readonly compiler = new PatternCompiler()
  private readonly root = this.compiler.root
  private readonly event = this.compiler.event
  /** Per pattern: its root object, or true (no pattern: matches everything) / false (not an object). */
  private roots: (Item | boolean)[] = []
  private seq = 0
  private matches = 0
  private active: ((pattern: number) => boolean) | undefined
  private dataAbsent = false
  private work = 0
  private budget = Number.POSITIVE_INFINITY
  private probesLeft = 0

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

  /** Compiles the patterns into the tree the walk follows (pattern-compile.ts). */
  private *load(patterns: readonly (EventPattern | null | undefined)[]): BuildSteps {
    this.roots = yield* this.compiler.compile(patterns)
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
