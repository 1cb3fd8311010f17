import { TimezoneError } from './errors.ts'
import { LruCache } from './lru.ts'

/**
 * UTC offsets of an IANA zone as a lazily built transition table, so that mapping between instants and
 * wall-clock times is arithmetic. Intl is asked only while a stretch of time is seen for the first time
 * (about 60 offset look-ups per 400 days per zone, then cached): croner asks Intl several times per
 * candidate, which is most of its cost per run.
 */

export const SECOND = 1000
export const HOUR = 3_600_000
export const DAY = 86_400_000

/** The offset changes from `before` to `after` (ms, wall = instant + offset) at instant `at`. */
export interface Transition {
  readonly at: number
  readonly before: number
  readonly after: number
}

interface Chunk {
  /** Offset just before the chunk starts. */
  readonly startOffset: number
  /** Transitions with `at` inside the chunk, ascending. */
  readonly transitions: readonly Transition[]
}

const CHUNK = 400 * DAY
/**
 * Sampling step when looking for transitions: two transitions closer than this would be missed. The
 * closest pairs in Node 20's tzdata from 1970 to 2060 are 7 days apart (America/Noronha 2000, Asia/Gaza 2040).
 */
const STEP = 3 * DAY
const FIXED = /^(?:Etc\/)?(?:UTC|UCT|GMT|GMT[+-]\d{1,2}|Universal|Zulu|Greenwich)$|^[+-]\d{2}(?::?\d{2})?$/

export class ZoneRules {
  private readonly chunks = new Map<number, Chunk>()
  /** Set when the zone never changes its offset (UTC, Etc/GMT+5, ...). */
  private readonly fixed: number | undefined

  constructor(
    /** The zone's canonical name as Intl resolves it. */
    readonly name: string,
    private readonly format: Intl.DateTimeFormat,
  ) {
    this.fixed = FIXED.test(name) ? this.intlOffset(0) : undefined
  }

  /** Offset in ms at instant t: wall-clock (as if UTC) = t + offset. */
  offsetAt(t: number): number {
    if (this.fixed !== undefined) return this.fixed
    const chunk = this.chunk(Math.floor(t / CHUNK))
    let offset = chunk.startOffset
    for (const tr of chunk.transitions) {
      if (tr.at > t) break
      offset = tr.after
    }
    return offset
  }

  /** The first transition with after < at <= until. */
  nextTransition(after: number, until: number): Transition | undefined {
    if (this.fixed !== undefined) return undefined
    for (let k = Math.floor(after / CHUNK), last = Math.floor(until / CHUNK); k <= last; k++) {
      for (const tr of this.chunk(k).transitions) {
        if (tr.at > until) return undefined
        if (tr.at > after) return tr
      }
    }
    return undefined
  }

  /** The last transition with since < at <= atOrBefore. */
  lastTransition(atOrBefore: number, since: number): Transition | undefined {
    if (this.fixed !== undefined) return undefined
    for (let k = Math.floor(atOrBefore / CHUNK), first = Math.floor(since / CHUNK); k >= first; k--) {
      const list = this.chunk(k).transitions
      for (let i = list.length - 1; i >= 0; i--) {
        const tr = list[i]!
        if (tr.at <= since) return undefined
        if (tr.at <= atOrBefore) return tr
      }
    }
    return undefined
  }

  private chunk(k: number): Chunk {
    let chunk = this.chunks.get(k)
    if (!chunk) {
      chunk = this.scan(k * CHUNK, (k + 1) * CHUNK)
      this.chunks.set(k, chunk)
    }
    return chunk
  }

  /** Transitions in [start, end): sample every STEP, then bisect each change to the second. */
  private scan(start: number, end: number): Chunk {
    const transitions: Transition[] = []
    let t = start - SECOND
    let offset = this.intlOffset(t)
    const startOffset = offset
    const last = end - SECOND
    while (t < last) {
      const next = Math.min(t + STEP, last)
      const nextOffset = this.intlOffset(next)
      while (nextOffset !== offset) {
        let lo = t
        let hi = next
        while (hi - lo > SECOND) {
          const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND
          if (this.intlOffset(mid) === offset) lo = mid
          else hi = mid
        }
        const after = this.intlOffset(hi)
        transitions.push({ at: hi, before: offset, after })
        offset = after
        t = hi
      }
      t = next
    }
    return { startOffset, transitions }
  }

  private intlOffset(t: number): number {
    const text = this.format.format(t)
    const m = /GMT(?:([+-])(\d{1,2}):?(\d{2})(?::?(\d{2}))?)?\s*$/.exec(text)
    if (!m) throw new Error(`cannot read the UTC offset of ${this.name} from '${text}'`)
    if (!m[1]) return 0
    const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)
    return (m[1] === '-' ? -seconds : seconds) * SECOND
  }
}

const byInput = new LruCache<string, ZoneRules | null>(2000)
const byCanonical = new Map<string, ZoneRules>()

function lookup(tz: string): ZoneRules | null {
  let rules = byInput.get(tz)
  if (rules !== undefined) return rules
  rules = null
  if (typeof tz === 'string' && tz !== '') {
    try {
      const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      const name = format.resolvedOptions().timeZone
      rules = byCanonical.get(name) ?? new ZoneRules(name, format)
      byCanonical.set(name, rules)
    } catch {
      rules = null
    }
  }
  byInput.set(tz, rules)
  return rules
}

/** Any zone name the runtime's Intl accepts (aliases such as `US/Eastern` included); '' is not one. */
export function isValidTimezone(tz: string): boolean {
  return lookup(tz) !== null
}

/** The offset table of a zone (default UTC). Throws TimezoneError. */
export function zoneRules(tz: string | undefined): ZoneRules {
  const rules = lookup(tz ?? 'UTC')
  if (!rules) throw new TimezoneError(String(tz))
  return rules
}
