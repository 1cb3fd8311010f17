/**
 * EventBridge-style event patterns: the `filter` of a trigger, matched against an event's `data` or a
 * webhook's JSON body.
 *
 * - A pattern is an object that mirrors the payload. Each key holds either a nested pattern object or a
 *   leaf: a non-empty array whose entries are allowed JSON scalars (any one matches) or matchers:
 *   `{ "prefix": s }`, `{ "suffix": s }`, `{ "anything-but": v | [v, ...] | { "prefix": s } | { "suffix": s } }`,
 *   `{ "numeric": [">", 0, "<=", 5] }`, `{ "exists": true | false }`.
 * - Every key of a pattern object must match (AND); the entries of a leaf are alternatives (OR).
 * - `{}`, `null` or no pattern matches everything.
 *
 * Where the contract is silent we follow EventBridge:
 * - Exact values compare JSON scalars strictly: `5` does not match `"5"`, `true` does not match `"true"`;
 *   `null` as an allowed value matches a payload `null`.
 * - A payload array matches when any of its elements matches (also for nested pattern objects: one element
 *   must match the whole sub-pattern, so `{ items: { sku: ["a"], qty: [1] } }` needs one item with both).
 * - `exists: true` matches a key that is present (whatever its value, `null` and `[]` included);
 *   `exists: false` matches an absent key. Absent means "not an own key", including below a missing parent.
 * - `anything-but` needs the key present: it matches a scalar not in its list (`{ prefix }`/`{ suffix }`
 *   forms: a string that does not start/end so). `numeric` matches numbers only, `prefix`/`suffix` strings
 *   only. An object in the payload matches no value matcher, only `exists`.
 *
 * Limits (checked by validateEventPattern): nesting depth 10, 1,000 leaf entries in total, keys up to 256
 * characters, string operands up to 1,024 characters. Matching never throws, whatever the payload: arrays
 * nested more than 16 levels inside arrays match nothing. Patterns are compiled once per object and must
 * not be mutated afterwards.
 *
 * Two evaluators give the same answers: direct-match.ts follows the payload entry by entry (the definition;
 * fastest on small payloads, but its cost is payload values × entries), pattern-index.ts matches many
 * patterns in one walk at a cost of about payload + entries. compilePattern/matchesPattern
 * (pattern-match.ts) and the TriggerMatcher try the first on a small work budget, then use the second.
 */

export type EventPattern = Record<string, unknown>

export interface PatternError {
  /** JSON pointer inside the pattern (`/detail/amount/0/numeric`); `''` is the pattern itself. */
  path: string
  message: string
}

export const EVENT_PATTERN_LIMITS = {
  maxDepth: 10,
  maxLeafEntries: 1000,
  maxKeyLength: 256,
  maxStringLength: 1024,
} as const

export type PatternScalar = string | number | boolean | null

/**
 * Arrays nested in arrays are fanned out this many levels deep; deeper ones match nothing. Keeps matching
 * (and the trigger index, which follows the same rule) from recursing without bound on a hostile payload.
 */
export const MAX_ARRAY_NESTING = 16

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A JSON scalar as patterns compare them (finite numbers only). */
export function isPatternScalar(v: unknown): v is PatternScalar {
  return (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v))
  )
}

/**
 * The leaves of a pattern that hold only exact scalar values, with their key path. A payload can match
 * the pattern only if one of the leaf's values is found at that path (arrays fanned out), which makes
 * them usable as index keys.
 */
export function exactLeaves(
  pattern: EventPattern | null | undefined,
): { path: string[]; values: PatternScalar[] }[] {
  const out: { path: string[]; values: PatternScalar[] }[] = []
  const walk = (node: Record<string, unknown>, path: string[]) => {
    if (path.length >= EVENT_PATTERN_LIMITS.maxDepth) return
    for (const key of Object.keys(node)) {
      const v = node[key]
      if (isPlainObject(v)) walk(v, [...path, key])
      else if (Array.isArray(v) && v.length > 0 && v.every(isPatternScalar)) {
        out.push({ path: [...path, key], values: [...new Set(v)] })
      }
    }
  }
  if (isPlainObject(pattern)) walk(pattern, [])
  return out
}
