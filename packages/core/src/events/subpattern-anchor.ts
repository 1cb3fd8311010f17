import { isPatternScalar, type PatternScalar } from './pattern.ts'

/**
 * The *anchor* of a pattern object with several keys: the one child leaf under whose values the PatternIndex
 * files the object, so that an array element is tried against it only when it holds one of those values.
 * This function alone decides it, for the index (pattern-index.ts) and for the quotas that bound what the
 * index cannot (quotas.ts: TENANT_MAX_UNANCHORED_SUBPATTERNS, TENANT_MAX_SUBPATTERNS_PER_ANCHOR).
 *
 * Only a leaf of exact values anchors: a non-empty list of scalars, nothing else. Prefixes and suffixes do
 * not: one string is hit by every prefix (suffix) of itself, up to its length, so a member filed under its
 * prefixes is found through as many ids as a long value has prefixes, and no quota on "one value" bounds how
 * many members one element reaches that way. An object without an exact leaf is tried on every element and
 * counted as unanchored. Among several exact leaves, the one with the fewest distinct values, then the
 * smallest key in code point order (the order Postgres sorts text COLLATE "C", so that migration 0010 picks
 * the same key whatever order the keys were written in).
 */
export function exactAnchorKey(obj: Record<string, unknown>): string | undefined {
  let best: string | undefined
  let bestValues = 0
  for (const key of Object.keys(obj)) {
    const v = obj[key]
    if (!Array.isArray(v) || v.length === 0 || !v.every(isPatternScalar)) continue
    const values = new Set(v).size
    if (best === undefined || values < bestValues || (values === bestValues && codePointLess(key, best))) {
      best = key
      bestValues = values
    }
  }
  return best
}

/**
 * One anchor as stored (triggers.subpattern_anchors) and compared by TENANT_MAX_SUBPATTERNS_PER_ANCHOR: the
 * keys from the filter's root down to the anchor leaf, each as a JSON string followed by `.` except the last,
 * then `=` and the value as Postgres prints a jsonb scalar (`x::text`): strings as JSON, numbers in plain
 * decimal notation, `true`, `false`, `null`. E.g. `"items"."sku"="A-1"`, `"items"."qty"=1000000000000000000000`.
 * No NUL separator: Postgres text cannot hold one.
 */
export function anchorString(keys: readonly string[], value: PatternScalar): string {
  return `${keys.map((k) => JSON.stringify(k)).join('.')}=${jsonbScalarText(value)}`
}

function jsonbScalarText(v: PatternScalar): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number') return plainDecimal(v)
  return String(v)
}

/**
 * A finite number as Postgres prints the jsonb numeric that JSON.stringify(n) parses to: the same digits,
 * never an exponent (`1e+21` → `1000000000000000000000`, `1.5e-7` → `0.00000015`).
 */
export function plainDecimal(n: number): string {
  const s = String(n)
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s)
  if (!m) return s === '-0' ? '0' : s
  const sign = m[1]!
  const digits = m[2]! + (m[3] ?? '')
  const point = m[2]!.length + Number(m[4])
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length)
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

/** `a < b` by code points (UTF-16 `<` differs for characters above U+FFFF against U+E000–U+FFFF). */
function codePointLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x < y
    if (x > 0xffff) i++
  }
  return a.length < b.length
}
