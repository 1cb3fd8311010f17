import type { LeafIndex } from './leaf-index.ts'
import type { PatternScalar } from './pattern.ts'
import { NO_INTS, NO_NUMBERS } from './typed-empty.ts'

export const EXACT = 0
export const PREFIX = 1
export const SUFFIX = 2

const NO_SLOTS: number[] = []

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
