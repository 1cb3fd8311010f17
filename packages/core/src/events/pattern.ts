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

const MATCHERS = ['prefix', 'suffix', 'anything-but', 'numeric', 'exists'] as const
const NUMERIC_OPS = ['=', '<', '<=', '>', '>='] as const
/** Stop listing after this many problems: one bad generated pattern must not produce a huge response. */
const MAX_ERRORS = 50

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

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`
}

/** Every problem of a pattern (empty when it is valid), each with the JSON pointer of its place. */
export function validateEventPattern(pattern: unknown): PatternError[] {
  const errors: PatternError[] = []
  const state = { entries: 0, stopped: false }
  const fail = (path: string, message: string) => {
    if (errors.length < MAX_ERRORS) errors.push({ path, message })
    else state.stopped = true
  }

  const checkString = (s: string, path: string) => {
    if (s.length > EVENT_PATTERN_LIMITS.maxStringLength) {
      fail(path, `must be at most ${EVENT_PATTERN_LIMITS.maxStringLength} characters`)
    }
  }

  const checkNumeric = (operand: unknown, path: string) => {
    if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
      fail(path, 'must be a list of operator/number pairs, e.g. [">", 0, "<=", 5]')
      return
    }
    let lower: { value: number; inclusive: boolean } | undefined
    let upper: { value: number; inclusive: boolean } | undefined
    let equals = false
    let ok = true
    for (let i = 0; i < operand.length; i += 2) {
      const op = operand[i]
      const value = operand[i + 1]
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        fail(pointer(path, i + 1), 'must be a finite number')
        ok = false
      }
      if (!NUMERIC_OPS.includes(op as never)) {
        fail(pointer(path, i), `must be one of ${NUMERIC_OPS.map((o) => `"${o}"`).join(', ')}`)
        ok = false
        continue
      }
      const bound = { value: value as number, inclusive: op === '>=' || op === '<=' || op === '=' }
      if (op === '=') {
        if (operand.length !== 2) fail(pointer(path, i), '"=" must be the only operator of its list')
        equals = true
      } else if (op === '>' || op === '>=') {
        if (lower) fail(pointer(path, i), 'at most one lower bound (">" or ">=")')
        lower = bound
      } else {
        if (upper) fail(pointer(path, i), 'at most one upper bound ("<" or "<=")')
        upper = bound
      }
    }
    if (ok && !equals && lower && upper) {
      const empty =
        lower.value > upper.value || (lower.value === upper.value && !(lower.inclusive && upper.inclusive))
      if (empty) fail(path, 'the range is empty: the lower bound is above the upper bound')
    }
  }

  const checkAnythingBut = (operand: unknown, path: string) => {
    if (isPatternScalar(operand)) {
      if (typeof operand === 'string') checkString(operand, path)
      return
    }
    if (Array.isArray(operand)) {
      if (operand.length === 0) fail(path, 'must not be an empty list')
      operand.forEach((v, i) => {
        if (!isPatternScalar(v)) fail(pointer(path, i), 'must be a string, number, boolean or null')
        else if (typeof v === 'string') checkString(v, pointer(path, i))
      })
      return
    }
    if (isPlainObject(operand)) {
      const keys = Object.keys(operand)
      const key = keys[0]
      if (keys.length !== 1 || (key !== 'prefix' && key !== 'suffix')) {
        fail(path, 'must be a value, a list of values, { "prefix": s } or { "suffix": s }')
        return
      }
      const s = operand[key]
      if (typeof s !== 'string') fail(pointer(path, key), 'must be a string')
      else checkString(s, pointer(path, key))
      return
    }
    fail(path, 'must be a value, a list of values, { "prefix": s } or { "suffix": s }')
  }

  const checkMatcher = (m: Record<string, unknown>, path: string) => {
    const keys = Object.keys(m)
    if (keys.length !== 1) {
      fail(path, `a matcher has exactly one key, one of ${MATCHERS.join(', ')}`)
      return
    }
    const key = keys[0]!
    const operand = m[key]
    const at = pointer(path, key)
    switch (key) {
      case 'prefix':
      case 'suffix':
        if (typeof operand !== 'string') fail(at, 'must be a string')
        else checkString(operand, at)
        return
      case 'anything-but':
        checkAnythingBut(operand, at)
        return
      case 'numeric':
        checkNumeric(operand, at)
        return
      case 'exists':
        if (typeof operand !== 'boolean') fail(at, 'must be true or false')
        return
      default:
        fail(at, `unknown matcher "${key}"; expected one of ${MATCHERS.join(', ')}`)
    }
  }

  const checkLeaf = (leaf: unknown[], path: string) => {
    if (leaf.length === 0) fail(path, 'must not be an empty list (it would match nothing)')
    for (let i = 0; i < leaf.length && !state.stopped; i++) {
      if (++state.entries > EVENT_PATTERN_LIMITS.maxLeafEntries) {
        fail(
          pointer(path, i),
          `a pattern has at most ${EVENT_PATTERN_LIMITS.maxLeafEntries} values and matchers`,
        )
        state.stopped = true
        return
      }
      const entry = leaf[i]
      if (isPlainObject(entry)) checkMatcher(entry, pointer(path, i))
      else if (!isPatternScalar(entry))
        fail(pointer(path, i), 'must be a string, number, boolean, null or a matcher')
      else if (typeof entry === 'string') checkString(entry, pointer(path, i))
    }
  }

  const checkObject = (obj: Record<string, unknown>, path: string, depth: number) => {
    if (depth > EVENT_PATTERN_LIMITS.maxDepth) {
      fail(path, `patterns nest at most ${EVENT_PATTERN_LIMITS.maxDepth} levels deep`)
      return
    }
    for (const key of Object.keys(obj)) {
      if (state.stopped) return
      const at = pointer(path, key)
      if (key.length > EVENT_PATTERN_LIMITS.maxKeyLength) {
        fail(at, `keys are at most ${EVENT_PATTERN_LIMITS.maxKeyLength} characters`)
      }
      const v = obj[key]
      if (Array.isArray(v)) checkLeaf(v, at)
      else if (isPlainObject(v)) {
        if (Object.keys(v).length === 0) {
          fail(at, 'an empty object constrains nothing: remove the key, or use [{ "exists": true }]')
        } else checkObject(v, at, depth + 1)
      } else {
        fail(at, 'must be a list of allowed values or matchers (e.g. ["a"]), or a nested pattern object')
      }
    }
  }

  if (!isPlainObject(pattern)) return [{ path: '', message: 'a pattern must be a JSON object' }]
  checkObject(pattern, '', 1)
  return errors
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
