import { AffixTree } from './affix-tree.ts'
import type { BuildSteps } from './build-steps.ts'
import { LeafHits, PREFIX, SUFFIX } from './leaf-hits.ts'
import type { PatternScalar } from './pattern.ts'
import { NO_INTS, NO_NUMBERS } from './typed-empty.ts'

/**
 * The leaf entries of many patterns at one key path, indexed so that a payload value is checked against
 * all of them at once (PatternIndex feeds every scalar found at the path, then asks about each entry):
 *
 * - exact values: one Map lookup per scalar;
 * - prefixes and suffixes: radix trees walked along the scalar (at most one step per character, usually a
 *   few), stamping the operands found on the way;
 * - numeric ranges: the operands' bounds sorted once; a number is located by binary search among them and
 *   its slot stamped; a range asks whether one of its slots was stamped;
 * - anything-but lists: the distinct scalars seen, kept up to one more than the longest list (past that
 *   every list misses one of them);
 * - anything-but prefix/suffix: the common prefix (suffix) of all strings seen, up to the longest operand.
 *
 * A scalar costs O(its length + log(bounds)), whatever the number of entries, and is looked up once
 * however many scopes record at this path (each scope only stamps what was found into its own LeafHits).
 * An entry is then answered in O(1) (a list in O(its length)). Hits belong to one instance of their scope
 * (a stamp): a new stamp starts from nothing seen without clearing arrays.
 */
export class LeafIndex<S extends { inst: number }> {
  // Created on first use: most paths hold one or two kinds of entries.
  private exact: Map<PatternScalar, number> | undefined
  private prefixes: AffixTree | undefined
  private suffixes: AffixTree | undefined
  private rawRanges: { lo: number; loIn: boolean; hi: number; hiIn: boolean }[] | undefined
  /** Distinct finite range bounds, ascending. A number's slot: 2i+1 if it equals bounds[i], else 2·(bounds below it). */
  private bounds = NO_NUMBERS
  /** Per range, its first and last slot. */
  rangeFrom = NO_INTS
  rangeTo = NO_INTS
  /** Terminals passed by the current walk. */
  private passed = NO_INTS
  /** One per scope recording at this path. */
  readonly hits: LeafHits<S>[] = []

  hitsFor(scope: S): LeafHits<S> {
    let h = this.hits.find((x) => x.scope === scope)
    if (!h) {
      h = new LeafHits(scope, this)
      this.hits.push(h)
    }
    return h
  }

  addExact(v: PatternScalar): number {
    this.exact ??= new Map()
    let id = this.exact.get(v)
    if (id === undefined) {
      id = this.exact.size
      this.exact.set(v, id)
    }
    return id
  }

  addPrefix(s: string): number {
    this.prefixes ??= new AffixTree(false)
    return this.prefixes.add(s)
  }

  addSuffix(s: string): number {
    this.suffixes ??= new AffixTree(true)
    return this.suffixes.add(s)
  }

  /** A numeric range (an absent bound is infinite). */
  addRange(lo: number, loIn: boolean, hi: number, hiIn: boolean): number {
    this.rawRanges ??= []
    this.rawRanges.push({ lo, loIn, hi, hiIn })
    return this.rawRanges.length - 1
  }

  /** Call once after the last add; steps of a few hundred operands (see build-steps.ts). */
  *seal(): BuildSteps {
    if (this.prefixes) yield* this.prefixes.seal()
    if (this.suffixes) yield* this.suffixes.seal()
    const depth = Math.max(this.prefixes?.depth ?? 0, this.suffixes?.depth ?? 0)
    if (depth > 0) this.passed = new Int32Array(depth + 1)
    let slots = 0
    const ranges = this.rawRanges
    if (ranges) {
      const finite = new Set<number>()
      for (const r of ranges) {
        if (Number.isFinite(r.lo)) finite.add(r.lo)
        if (Number.isFinite(r.hi)) finite.add(r.hi)
      }
      this.bounds = Float64Array.from(finite).sort()
      yield
      const last = 2 * this.bounds.length
      this.rangeFrom = new Int32Array(ranges.length)
      this.rangeTo = new Int32Array(ranges.length)
      for (let i = 0; i < ranges.length; i++) {
        const r = ranges[i]!
        this.rangeFrom[i] =
          r.lo === Number.NEGATIVE_INFINITY ? 0 : 2 * this.boundIndex(r.lo) + (r.loIn ? 1 : 2)
        this.rangeTo[i] =
          r.hi === Number.POSITIVE_INFINITY ? last : 2 * this.boundIndex(r.hi) + (r.hiIn ? 1 : 0)
        if ((i & 4095) === 4095) yield
      }
      slots = last + 1
      this.rawRanges = undefined
    }
    for (const h of this.hits) {
      h.seal(this.exact?.size ?? 0, this.prefixes?.size ?? 0, this.suffixes?.size ?? 0, slots)
      yield
    }
  }

  /** The slots of some ranges (after `seal`) as sorted, disjoint intervals: one leaf's numeric entries at once. */
  union(ids: readonly number[]): { from: Int32Array; to: Int32Array } {
    const spans = ids
      .map((id) => [this.rangeFrom[id]!, this.rangeTo[id]!] as const)
      .filter(([a, b]) => a <= b)
      .sort((x, y) => x[0] - y[0])
    const from: number[] = []
    const to: number[] = []
    for (const [a, b] of spans) {
      const last = to.length - 1
      if (last >= 0 && a <= to[last]! + 1) to[last] = Math.max(to[last]!, b)
      else {
        from.push(a)
        to.push(b)
      }
    }
    return { from: Int32Array.from(from), to: Int32Array.from(to) }
  }

  /** How many bounds are below `x` (branch-free halving: random numbers defeat branch prediction). */
  private boundIndex(x: number): number {
    const bounds = this.bounds
    let n = bounds.length
    if (n === 0) return 0
    let base = 0
    while (n > 1) {
      const half = n >>> 1
      base = bounds[base + half]! < x ? base + half : base
      n -= half
    }
    return base + (bounds[base]! < x ? 1 : 0)
  }

  /** Records a scalar into every scope's current instance; returns the work done (steps), for accounting. */
  feed(v: PatternScalar): number {
    if (typeof v === 'string') return this.feedString(v)
    if (typeof v === 'number') return this.feedNumber(v)
    const all = this.hits
    for (let i = 0; i < all.length; i++) all[i]!.refresh()
    this.feedExact(v)
    this.feedSeen(v)
    return all.length
  }

  feedString(v: string): number {
    const all = this.hits
    const n = all.length
    for (let i = 0; i < n; i++) all[i]!.refresh()
    if (this.exact !== undefined) this.feedExact(v)
    let work = n
    const prefixes = this.prefixes
    if (prefixes !== undefined) {
      const passed = prefixes.walk(v, this.passed)
      work += prefixes.steps
      if (passed > 0)
        for (let i = 0; i < n; i++) all[i]!.stampPassed(all[i]!.prefixHits, this.passed, passed, PREFIX)
    }
    const suffixes = this.suffixes
    if (suffixes !== undefined) {
      const passed = suffixes.walk(v, this.passed)
      work += suffixes.steps
      if (passed > 0)
        for (let i = 0; i < n; i++) all[i]!.stampPassed(all[i]!.suffixHits, this.passed, passed, SUFFIX)
    }
    for (let i = 0; i < n; i++) if (all[i]!.tracksStrings) work += all[i]!.common(v)
    this.feedSeen(v)
    return work
  }

  /** `v` a finite number. */
  feedNumber(v: number): number {
    const all = this.hits
    const n = all.length
    for (let i = 0; i < n; i++) all[i]!.refresh()
    if (this.exact !== undefined) this.feedExact(v)
    let work = n
    if (this.rangeFrom.length > 0) {
      const bounds = this.bounds
      const b = this.boundIndex(v)
      const slot = b < bounds.length && bounds[b] === v ? 2 * b + 1 : 2 * b
      for (let i = 0; i < n; i++) all[i]!.stampSlot(slot)
      work += 32 - Math.clz32(bounds.length)
    }
    this.feedSeen(v)
    return work
  }

  private feedExact(v: PatternScalar): void {
    const id = this.exact?.get(v)
    if (id === undefined) return
    const all = this.hits
    for (let i = 0; i < all.length; i++) all[i]!.stampExact(id)
  }

  private feedSeen(v: PatternScalar): void {
    const all = this.hits
    for (let i = 0; i < all.length; i++) if (all[i]!.butListMax >= 0) all[i]!.see(v)
  }
}
