import { isPatternScalar, isPlainObject, type PatternScalar } from './pattern.ts'

/** A numeric matcher as a range; an absent bound is infinite. */
export interface NumericRange {
  lo: number
  loInclusive: boolean
  hi: number
  hiInclusive: boolean
}

/**
 * A leaf's entries sorted by kind: both evaluators (direct-match.ts and pattern-index.ts) read leaves
 * through this one function, so that they agree on what every entry means. Entries that are not valid
 * matchers (validateEventPattern refuses them) match nothing and are left out.
 */
export interface LeafEntries {
  exact: PatternScalar[]
  prefix: string[]
  suffix: string[]
  numeric: NumericRange[]
  /** `anything-but` with a value or a list: a scalar not in the set. */
  butList: Set<unknown>[]
  butPrefix: string[]
  butSuffix: string[]
  existsTrue: boolean
  existsFalse: boolean
}

/** Shared by every leaf without entries of a kind (most leaves hold one or two kinds): never pushed to. */
const EMPTY: never[] = []

/** `list` with `v` added: a new array in place of EMPTY. */
function add<T>(list: T[], v: T): T[] {
  if (list === EMPTY) return [v]
  list.push(v)
  return list
}

export function readLeaf(leaf: readonly unknown[]): LeafEntries {
  const out: LeafEntries = {
    exact: EMPTY,
    prefix: EMPTY,
    suffix: EMPTY,
    numeric: EMPTY,
    butList: EMPTY,
    butPrefix: EMPTY,
    butSuffix: EMPTY,
    existsTrue: false,
    existsFalse: false,
  }
  for (const entry of leaf) {
    if (isPlainObject(entry)) {
      if ('exists' in entry && Object.keys(entry).length === 1) {
        if (entry['exists'] === true) out.existsTrue = true
        else if (entry['exists'] === false) out.existsFalse = true
      } else readMatcher(entry, out)
    } else if (isPatternScalar(entry)) out.exact = add(out.exact, entry)
  }
  return out
}

function readMatcher(m: Record<string, unknown>, out: LeafEntries): void {
  const keys = Object.keys(m)
  if (keys.length !== 1) return
  const key = keys[0]!
  const operand = m[key]
  switch (key) {
    case 'prefix':
      if (typeof operand === 'string') out.prefix = add(out.prefix, operand)
      return
    case 'suffix':
      if (typeof operand === 'string') out.suffix = add(out.suffix, operand)
      return
    case 'anything-but': {
      if (isPlainObject(operand)) {
        const p = operand['prefix']
        const s = operand['suffix']
        if (typeof p === 'string') out.butPrefix = add(out.butPrefix, p)
        else if (typeof s === 'string') out.butSuffix = add(out.butSuffix, s)
        return
      }
      out.butList = add(out.butList, new Set(Array.isArray(operand) ? operand : [operand]))
      return
    }
    case 'numeric': {
      const range = readNumeric(operand)
      if (range) out.numeric = add(out.numeric, range)
      return
    }
  }
}

/** Operator/number pairs as one range (a later bound replaces an earlier one); undefined if never true. */
function readNumeric(operand: unknown): NumericRange | undefined {
  if (!Array.isArray(operand)) return undefined
  const r: NumericRange = {
    lo: Number.NEGATIVE_INFINITY,
    loInclusive: true,
    hi: Number.POSITIVE_INFINITY,
    hiInclusive: true,
  }
  for (let i = 0; i + 1 < operand.length; i += 2) {
    const op = operand[i]
    const n = operand[i + 1]
    if (typeof n !== 'number' || Number.isNaN(n)) return undefined
    if (op === '=') {
      r.lo = r.hi = n
      r.loInclusive = r.hiInclusive = true
    } else if (op === '>' || op === '>=') {
      r.lo = n
      r.loInclusive = op === '>='
    } else if (op === '<' || op === '<=') {
      r.hi = n
      r.hiInclusive = op === '<='
    } else return undefined
  }
  // No finite number lies above +∞ or below −∞.
  if (r.lo === Number.POSITIVE_INFINITY || r.hi === Number.NEGATIVE_INFINITY) return undefined
  return r
}

/**
 * Anything-but prefixes (suffixes) of one leaf as one test: a string starts (ends) with all of them only if
 * they are a chain (each a prefix of the longest; `ends` for suffixes), and then iff it starts with the
 * longest. So: `{ operand: longest }` for a chain, else `{ anyString: true }` (every string seen is outside
 * one of them).
 */
export function butAffixTest(
  operands: readonly string[],
  suffix: boolean,
): { operand: string | undefined; anyString: boolean } {
  if (operands.length === 0) return { operand: undefined, anyString: false }
  let longest = operands[0]!
  for (const o of operands) if (o.length > longest.length) longest = o
  const chain = operands.every((o) => (suffix ? longest.endsWith(o) : longest.startsWith(o)))
  return chain ? { operand: longest, anyString: false } : { operand: undefined, anyString: true }
}

/** Anything-but lists of one leaf as one: some value is outside one of the lists iff it is outside their intersection. */
export function butListIntersection(lists: readonly Set<unknown>[]): Set<unknown> {
  let out = lists[0]!
  for (let i = 1; i < lists.length; i++) out = new Set([...out].filter((v) => lists[i]!.has(v)))
  return out
}

export function inRange(r: NumericRange, v: number): boolean {
  return (r.loInclusive ? v >= r.lo : v > r.lo) && (r.hiInclusive ? v <= r.hi : v < r.hi)
}
