/**
 * Fires per second over a window [from, from + length seconds): single fires are point additions, runs of
 * seconds (a minute of an every-second schedule) are range additions on a difference array, folded in once
 * by `counts()`. Instants outside the window are ignored.
 */
export class SecondHistogram {
  readonly from: number
  readonly length: number
  private points: Int32Array
  private diff: Int32Array
  private folded: Int32Array | null = null

  /** `from` in ms (a whole second), `length` in seconds. */
  constructor(from: number, length: number) {
    this.from = from
    this.length = length
    this.points = new Int32Array(length)
    this.diff = new Int32Array(length + 1)
  }

  /** The second index of instant `t` (ms), or -1 outside the window. */
  index(t: number): number {
    const i = Math.floor((t - this.from) / 1000)
    return i >= 0 && i < this.length ? i : -1
  }

  /** Adds `by` at second index `i` (a valid index). Once folded, only the counts are kept current. */
  addAt(i: number, by: number): void {
    if (this.folded) this.folded[i]! += by
    else this.points[i]! += by
  }

  /** Adds `by` to each second index in [a, b) (clipped). */
  addRange(a: number, b: number, by: number): void {
    const lo = Math.max(0, a)
    const hi = Math.min(this.length, b)
    if (hi <= lo) return
    if (this.folded) {
      for (let i = lo; i < hi; i++) this.folded[i]! += by
      return
    }
    this.diff[lo]! += by
    this.diff[hi]! -= by
  }

  /** Fires at each second (kept current by later additions). */
  counts(): Int32Array {
    if (!this.folded) {
      const out = new Int32Array(this.length)
      let run = 0
      for (let i = 0; i < this.length; i++) {
        run += this.diff[i]!
        out[i] = this.points[i]! + run
      }
      this.folded = out
      // From now on only the counts are kept current: the build arrays go.
      this.points = new Int32Array(0)
      this.diff = new Int32Array(0)
    }
    return this.folded
  }
}

/** The `k` busiest second indexes with at least one fire: most fires first, then the earliest. */
export function busiestSeconds(counts: Int32Array, k: number): number[] {
  // A small sorted list is enough for k = 20: most seconds lose against its last entry at once.
  const top: number[] = []
  let floor = 0
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!
    if (c <= floor && top.length === k) continue
    if (c === 0) continue
    let at = top.length
    while (at > 0 && counts[top[at - 1]!]! < c) at--
    if (at >= k) continue
    top.splice(at, 0, i)
    if (top.length > k) top.pop()
    if (top.length === k) floor = counts[top[k - 1]!]!
  }
  return top
}
