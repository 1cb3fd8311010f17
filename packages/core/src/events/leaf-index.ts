import type { BuildSteps } from './build-steps.ts'
import type { PatternScalar } from './pattern.ts'

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

export const EXACT = 0
export const PREFIX = 1
export const SUFFIX = 2

/** What one scope's current instance fed to a LeafIndex, and the answers about its entries. */
export class LeafHits<S extends { inst: number }> {
  /** The instance these hits belong to. */
  stamp = -1
  /**
   * With `record`, the exact values, prefixes and suffixes hit in this instance, each once, by kind
   * (EXACT, PREFIX, SUFFIX): lets the caller visit only what was hit (PatternIndex's anchors).
   */
  record = false
  readonly hitLists: [number[], number[], number[]] = [[], [], []]
  /** How many ids of each hit list belong to this instance (lists are reused, never shrunk). */
  readonly hitLengths = [0, 0, 0]
  exactHits = NO_NUMBERS
  prefixHits = NO_NUMBERS
  suffixHits = NO_NUMBERS
  private slotHits = NO_NUMBERS
  /** Slots stamped in this instance (the first `hitSlotCount`), in feeding order; on the first range query,
   * checked one by one when few, else sorted or summed into `hitCounts`. */
  private hitSlots: number[] = NO_SLOTS
  private hitSlotCount = 0
  private hitsReady = true
  private sortBuffer = NO_INTS
  /** hitCounts[i]: slots below i stamped (used when many slots are; else `sortedHits`). */
  private hitCounts = NO_INTS
  private useCounts = false
  /** Longest anything-but list of this scope's entries here (-1: none). */
  butListMax = -1
  /**
   * Distinct scalars seen in this instance (the first `seenCount`), kept while a list may still miss
   * them all (up to butListMax + 1). Long lists dedupe through `seenIn` (value → instance), short ones
   * by scanning.
   */
  private readonly seenList: PatternScalar[] = []
  private seenCount = 0
  private seenIn: Map<PatternScalar, number> | undefined
  /** Longest anything-but prefix / suffix operand (-1: none). */
  private butPrefixMax = -1
  private butSuffixMax = -1
  tracksStrings = false
  private firstString: string | undefined
  private commonPrefix = 0
  private commonSuffix = 0

  constructor(
    readonly scope: S,
    private readonly index: LeafIndex<S>,
  ) {}

  noteButList(size: number): void {
    if (size > this.butListMax) this.butListMax = size
    if (this.butListMax > 8) this.seenIn ??= new Map()
  }

  see(v: PatternScalar): void {
    const count = this.seenCount
    if (count > this.butListMax) return
    const seenIn = this.seenIn
    if (seenIn !== undefined) {
      if (seenIn.get(v) === this.stamp) return
      // Values of past instances are dropped now and then, not one by one.
      if (seenIn.size > 65_536) seenIn.clear()
      seenIn.set(v, this.stamp)
    } else {
      for (let i = 0; i < count; i++) if (this.seenList[i] === v) return
    }
    this.seenList[count] = v
    this.seenCount = count + 1
  }

  noteButPrefix(s: string): void {
    if (s.length > this.butPrefixMax) this.butPrefixMax = s.length
    this.tracksStrings = true
  }

  noteButSuffix(s: string): void {
    if (s.length > this.butSuffixMax) this.butSuffixMax = s.length
    this.tracksStrings = true
  }

  seal(exact: number, prefixes: number, suffixes: number, slots: number): void {
    const stamps = (n: number) => (n === 0 ? NO_NUMBERS : new Float64Array(n).fill(-1))
    this.exactHits = stamps(exact)
    this.prefixHits = stamps(prefixes)
    this.suffixHits = stamps(suffixes)
    this.slotHits = stamps(slots)
    if (slots > 0) this.hitSlots = []
  }

  /** Starts from nothing seen when the scope is in a new instance. */
  refresh(): void {
    const inst = this.scope.inst
    if (this.stamp === inst) return
    this.stamp = inst
    this.hitSlotCount = 0
    this.hitsReady = true
    this.seenCount = 0
    this.firstString = undefined
    if (this.record) {
      const lengths = this.hitLengths
      lengths[0] = lengths[1] = lengths[2] = 0
    }
  }

  stampExact(id: number): void {
    if (this.exactHits[id] === this.stamp) return
    this.exactHits[id] = this.stamp
    if (this.record) this.hitLists[EXACT][this.hitLengths[EXACT]!++] = id
  }

  stampPassed(hits: Float64Array, passed: Int32Array, n: number, kind: number): void {
    const stamp = this.stamp
    if (!this.record) {
      for (let i = 0; i < n; i++) hits[passed[i]!] = stamp
      return
    }
    const list = this.hitLists[kind]!
    let length = this.hitLengths[kind]!
    for (let i = 0; i < n; i++) {
      const t = passed[i]!
      if (hits[t] !== stamp) {
        hits[t] = stamp
        list[length++] = t
      }
    }
    this.hitLengths[kind] = length
  }

  stampSlot(slot: number): void {
    if (this.slotHits[slot] !== this.stamp) {
      this.slotHits[slot] = this.stamp
      this.hitSlots[this.hitSlotCount++] = slot
      this.hitsReady = false
    }
  }

  common(s: string): number {
    const first = this.firstString
    if (first === undefined) {
      this.firstString = s
      this.commonPrefix = Math.min(s.length, this.butPrefixMax)
      this.commonSuffix = Math.min(s.length, this.butSuffixMax)
      return 1
    }
    let p = 0
    while (p < this.commonPrefix && p < s.length && s.charCodeAt(p) === first.charCodeAt(p)) p++
    this.commonPrefix = p
    let q = 0
    const a = first.length - 1
    const b = s.length - 1
    while (q < this.commonSuffix && q <= b && s.charCodeAt(b - q) === first.charCodeAt(a - q)) q++
    this.commonSuffix = q
    return 1 + p + q
  }

  /** Whether anything was fed in the scope's current instance. */
  fed(): boolean {
    return this.stamp === this.scope.inst
  }

  rangeHit(id: number): boolean {
    return this.slotIn(this.index.rangeFrom[id]!, this.index.rangeTo[id]!)
  }

  /** Some slot stamped in this instance lies in `from` … `to`. */
  private slotIn(from: number, to: number): boolean {
    const h = this.hitSlotCount
    if (h === 0 || from > to) return false
    if (h <= 8) {
      for (let i = 0; i < h; i++) {
        const slot = this.hitSlots[i]!
        if (slot >= from && slot <= to) return true
      }
      return false
    }
    if (!this.hitsReady) this.prepareHits()
    if (this.useCounts) return this.hitCounts[to + 1]! > this.hitCounts[from]!
    const hits = this.sortBuffer
    let lo = 0
    let hi = h
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (hits[mid]! < from) lo = mid + 1
      else hi = mid
    }
    return lo < h && hits[lo]! <= to
  }

  /**
   * Some slot stamped in this instance lies in one of the intervals (`from`/`to`: sorted, disjoint; the union
   * of a leaf's ranges): O(min(stamped × log intervals, intervals × log stamped)), not one test per range.
   */
  slotInAny(from: Int32Array, to: Int32Array): boolean {
    const h = this.hitSlotCount
    const r = from.length
    if (h === 0 || r === 0) return false
    if (h * 4 < r) {
      for (let i = 0; i < h; i++) {
        const slot = this.hitSlots[i]!
        // The last interval starting at or before the slot.
        let lo = 0
        let hi = r
        while (lo < hi) {
          const mid = (lo + hi) >>> 1
          if (from[mid]! <= slot) lo = mid + 1
          else hi = mid
        }
        if (lo > 0 && slot <= to[lo - 1]!) return true
      }
      return false
    }
    for (let k = 0; k < r; k++) if (this.slotIn(from[k]!, to[k]!)) return true
    return false
  }

  /** See LeafIndex.union. */
  unionOf(ids: readonly number[]): { from: Int32Array; to: Int32Array } {
    return this.index.union(ids)
  }

  /** Some string was fed in this instance. */
  stringSeen(): boolean {
    return this.firstString !== undefined
  }

  /** Counting over all slots costs O(slots); sorting the stamped ones O(h log h): whichever is less. */
  private prepareHits(): void {
    const h = this.hitSlotCount
    const slots = this.slotHits.length
    this.useCounts = h * (32 - Math.clz32(h)) > slots
    if (this.useCounts) {
      if (this.hitCounts.length !== slots + 1) this.hitCounts = new Int32Array(slots + 1)
      const counts = this.hitCounts
      const stamp = this.stamp
      for (let i = 0; i < slots; i++) counts[i + 1] = counts[i]! + (this.slotHits[i] === stamp ? 1 : 0)
    } else {
      if (this.sortBuffer.length < h)
        this.sortBuffer = new Int32Array(Math.max(h, 2 * this.sortBuffer.length))
      const buffer = this.sortBuffer
      for (let i = 0; i < h; i++) buffer[i] = this.hitSlots[i]!
      // Unused tail entries are above every slot, so the first h stay in place once sorted.
      buffer.fill(0x7fffffff, h)
      buffer.sort()
    }
    this.hitsReady = true
  }

  /** Some scalar seen is not in `excluded` (`excluded.size` ≤ the longest list noted). */
  butListHit(excluded: Set<unknown>): boolean {
    const count = this.seenCount
    if (count > excluded.size) return true
    for (let i = 0; i < count; i++) if (!excluded.has(this.seenList[i])) return true
    return false
  }

  /** Some string seen does not start with `p`. */
  butPrefixHit(p: string): boolean {
    const first = this.firstString
    if (first === undefined) return false
    return !(this.commonPrefix >= p.length && first.startsWith(p))
  }

  /** Some string seen does not end with `s`. */
  butSuffixHit(s: string): boolean {
    const first = this.firstString
    if (first === undefined) return false
    return !(this.commonSuffix >= s.length && first.endsWith(s))
  }
}

const NO_NUMBERS = new Float64Array(0)
const NO_INTS = new Int32Array(0)
const NO_SLOTS: number[] = []

/** Reversed by UTF-16 code unit, as `endsWith` compares. */
const reverse = (s: string) => s.split('').reverse().join('')

interface RadixNode {
  /** The characters on the edge into this node, in reading order (from the end, for suffixes). */
  label: string
  /** Id of the operand ending here, or -1. */
  terminal: number
  /** By the first character read on the child's edge (the last one of its label, for suffixes). */
  children: Map<number, RadixNode> | undefined
}

/**
 * A radix tree of prefix (or suffix) operands. Memory is O(operands), not O(their characters): edges hold
 * slices of the operands. `walk` follows a string from its start (or end), one edge per step, comparing
 * whole edges natively, and stamps every operand it passes: exactly the operands that are prefixes
 * (suffixes) of the string. Built as linked nodes, then flattened into arrays (`seal`) for the walks.
 */
class AffixTree {
  private readonly root: RadixNode = { label: '', terminal: -1, children: undefined }
  private readonly ids = new Map<string, number>()
  /**
   * Flattened, RECORD ints per node: terminal, label length, then how to find a child by its code:
   * directly in `table` (dense nodes: codes min … min+span-1) or by scanning `codes`/`kids`.
   */
  private records = NO_INTS
  private labels: string[] = []
  private table = NO_INTS
  private codes = new Uint16Array(0)
  private kids = NO_INTS

  constructor(private readonly suffix: boolean) {}

  /** Distinct operands added. */
  size = 0
  /** Operands on the longest path from the root (bounds the terminals one walk passes). */
  depth = 0
  /** Edges followed by the last walk. */
  steps = 0

  add(operand: string): number {
    const known = this.ids.get(operand)
    if (known !== undefined) return known
    const id = this.size++
    this.ids.set(operand, id)
    // Built in reading order (a suffix operand reversed); suffix labels are turned back in `seal`.
    const s = this.suffix ? reverse(operand) : operand
    let node = this.root
    let pos = 0
    for (;;) {
      if (pos === s.length) {
        node.terminal = id
        return id
      }
      node.children ??= new Map()
      const code = s.charCodeAt(pos)
      const child = node.children.get(code)
      if (!child) {
        node.children.set(code, { label: s.slice(pos), terminal: id, children: undefined })
        return id
      }
      const label = child.label
      let common = 1
      while (
        common < label.length &&
        pos + common < s.length &&
        label.charCodeAt(common) === s.charCodeAt(pos + common)
      )
        common++
      if (common === label.length) {
        node = child
        pos += common
        continue
      }
      // Split the edge: a new node for the shared part, the old child below it.
      const mid: RadixNode = { label: label.slice(0, common), terminal: -1, children: new Map() }
      child.label = label.slice(common)
      mid.children!.set(child.label.charCodeAt(0), child)
      node.children.set(code, mid)
      node = mid
      pos += common
    }
  }

  /** Flattens the nodes (breadth first, children by code) into arrays. Call once after the last add. */
  *seal(): BuildSteps {
    const order: RadixNode[] = [this.root]
    const depthOf = new Map<RadixNode, number>([[this.root, this.root.terminal >= 0 ? 1 : 0]])
    const records: number[] = []
    const table: number[] = []
    const codes: number[] = []
    const kids: number[] = []
    for (let i = 0; i < order.length; i++) {
      if ((i & 511) === 511) yield
      const node = order[i]!
      this.labels.push(this.suffix ? reverse(node.label) : node.label)
      const d = depthOf.get(node)!
      if (d > this.depth) this.depth = d
      const children = [...(node.children ?? [])].sort((a, b) => a[0] - b[0])
      const ids = children.map(([, child]) => {
        depthOf.set(child, d + (child.terminal >= 0 ? 1 : 0))
        order.push(child)
        return order.length - 1
      })
      const min = children.length > 0 ? children[0]![0] : 0
      const span = children.length > 0 ? children[children.length - 1]![0] - min + 1 : 0
      if (span > 0 && span <= 2 * children.length + 6) {
        // Dense: one slot per code between the lowest and the highest child.
        records.push(node.terminal, node.label.length, min, span, table.length, 0, 0, 0)
        const at = table.length
        for (let k = 0; k < span; k++) table.push(-1)
        children.forEach(([code], k) => {
          table[at + code - min] = ids[k]!
        })
      } else {
        records.push(node.terminal, node.label.length, 0, 0, codes.length, children.length, 0, 0)
        children.forEach(([code], k) => {
          codes.push(code)
          kids.push(ids[k]!)
        })
      }
    }
    this.records = Int32Array.from(records)
    this.table = Int32Array.from(table)
    this.codes = Uint16Array.from(codes)
    this.kids = Int32Array.from(kids)
    this.root.children = undefined
    this.ids.clear()
  }

  /** Writes into `passed` the operands that are prefixes (suffixes) of `s`; returns how many. */
  walk(s: string, passed: Int32Array): number {
    const records = this.records
    if (records.length === 0) return 0
    const table = this.table
    let n = 0
    if (records[0]! >= 0) passed[n++] = records[0]!
    let node = 0
    let steps = 0
    // One edge per step: the child is found by the next character read, directly in `table` for dense
    // nodes; a longer edge is then compared whole. Two loops: suffixes read from the end.
    if (this.suffix) {
      let end = s.length
      while (end > 0) {
        const r = node * RECORD
        const span = records[r + 3]!
        const code = s.charCodeAt(end - 1)
        let child: number
        if (span > 0) {
          const d = code - records[r + 2]!
          child = d >= 0 && d < span ? table[records[r + 4]! + d]! : -1
        } else child = this.scan(r, code)
        steps++
        if (child < 0) break
        const c = child * RECORD
        const length = records[c + 1]!
        if (length > 1 && !s.endsWith(this.labels[child]!, end)) break
        end -= length
        const t = records[c]!
        if (t >= 0) passed[n++] = t
        node = child
      }
    } else {
      let pos = 0
      const size = s.length
      while (pos < size) {
        const r = node * RECORD
        const span = records[r + 3]!
        const code = s.charCodeAt(pos)
        let child: number
        if (span > 0) {
          const d = code - records[r + 2]!
          child = d >= 0 && d < span ? table[records[r + 4]! + d]! : -1
        } else child = this.scan(r, code)
        steps++
        if (child < 0) break
        const c = child * RECORD
        const length = records[c + 1]!
        if (length > 1 && !s.startsWith(this.labels[child]!, pos)) break
        pos += length
        const t = records[c]!
        if (t >= 0) passed[n++] = t
        node = child
      }
    }
    this.steps = steps
    return n
  }

  /** A sparse node's child by code (`r`: the node's record), or -1. */
  private scan(r: number, code: number): number {
    let lo = this.records[r + 4]!
    const hi = lo + this.records[r + 5]!
    const codes = this.codes
    if (hi - lo <= 8) {
      for (; lo < hi; lo++) if (codes[lo] === code) return this.kids[lo]!
      return -1
    }
    let h = hi
    while (lo < h) {
      const mid = (lo + h) >>> 1
      if (codes[mid]! < code) lo = mid + 1
      else h = mid
    }
    return lo < hi && codes[lo] === code ? this.kids[lo]! : -1
  }
}

/** Ints per flattened radix node. */
const RECORD = 8
