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

function isScalar(v: unknown): v is PatternScalar {
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
    if (isScalar(operand)) {
      if (typeof operand === 'string') checkString(operand, path)
      return
    }
    if (Array.isArray(operand)) {
      if (operand.length === 0) fail(path, 'must not be an empty list')
      operand.forEach((v, i) => {
        if (!isScalar(v)) fail(pointer(path, i), 'must be a string, number, boolean or null')
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
      else if (!isScalar(entry))
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

/** A compiled pattern node; `v` is `undefined` when the key is absent from the payload. */
type Test = (v: unknown) => boolean

const never: Test = () => false

function compileValueMatcher(m: Record<string, unknown>): Test {
  const keys = Object.keys(m)
  if (keys.length !== 1) return never
  const key = keys[0]!
  const operand = m[key]
  switch (key) {
    case 'prefix':
      return typeof operand === 'string' ? (v) => typeof v === 'string' && v.startsWith(operand) : never
    case 'suffix':
      return typeof operand === 'string' ? (v) => typeof v === 'string' && v.endsWith(operand) : never
    case 'anything-but': {
      if (isPlainObject(operand)) {
        const p = operand['prefix']
        const s = operand['suffix']
        if (typeof p === 'string') return (v) => typeof v === 'string' && !v.startsWith(p)
        if (typeof s === 'string') return (v) => typeof v === 'string' && !v.endsWith(s)
        return never
      }
      const excluded = new Set(Array.isArray(operand) ? operand : [operand])
      return (v) => isScalar(v) && !excluded.has(v)
    }
    case 'numeric':
      return compileNumeric(operand)
    default:
      return never
  }
}

function compileNumeric(operand: unknown): Test {
  if (!Array.isArray(operand)) return never
  let min = Number.NEGATIVE_INFINITY
  let minInclusive = true
  let max = Number.POSITIVE_INFINITY
  let maxInclusive = true
  for (let i = 0; i + 1 < operand.length; i += 2) {
    const op = operand[i]
    const n = operand[i + 1]
    if (typeof n !== 'number') return never
    if (op === '=') {
      min = max = n
      minInclusive = maxInclusive = true
    } else if (op === '>' || op === '>=') {
      min = n
      minInclusive = op === '>='
    } else if (op === '<' || op === '<=') {
      max = n
      maxInclusive = op === '<='
    } else return never
  }
  return (v) =>
    typeof v === 'number' && (minInclusive ? v >= min : v > min) && (maxInclusive ? v <= max : v < max)
}

function compileLeaf(leaf: unknown[]): Test {
  const exact = new Set<unknown>()
  const others: Test[] = []
  let existsTrue = false
  let existsFalse = false
  for (const entry of leaf) {
    if (isPlainObject(entry)) {
      if ('exists' in entry && Object.keys(entry).length === 1) {
        if (entry['exists'] === true) existsTrue = true
        else if (entry['exists'] === false) existsFalse = true
      } else others.push(compileValueMatcher(entry))
    } else if (isScalar(entry)) exact.add(entry)
  }
  const matchValue = (v: unknown, nesting: number): boolean => {
    if (Array.isArray(v)) {
      if (nesting >= MAX_ARRAY_NESTING) return false
      for (const element of v) if (matchValue(element, nesting + 1)) return true
      return false
    }
    if (!isScalar(v)) return false
    if (exact.has(v)) return true
    for (const test of others) if (test(v)) return true
    return false
  }
  return (v) => {
    if (v === undefined) return existsFalse
    return existsTrue || matchValue(v, 0)
  }
}

function compileNode(node: unknown, depth: number): Test {
  if (Array.isArray(node)) return compileLeaf(node)
  if (isPlainObject(node)) return compileObject(node, depth + 1)
  return never
}

function compileObject(pattern: Record<string, unknown>, depth: number): Test {
  // Deeper than any valid pattern: match nothing rather than recurse without bound.
  if (depth > EVENT_PATTERN_LIMITS.maxDepth) return never
  const keys = Object.keys(pattern)
  const tests = keys.map((k) => compileNode(pattern[k], depth))
  const test = (v: unknown, nesting: number): boolean => {
    if (Array.isArray(v)) {
      // One element must match the whole sub-pattern; an empty array holds no keys at all.
      if (v.length === 0) return test(undefined, 0)
      if (nesting >= MAX_ARRAY_NESTING) return false
      for (const element of v) if (test(element, nesting + 1)) return true
      return false
    }
    const obj = isPlainObject(v) ? v : undefined
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      const child = obj !== undefined && Object.hasOwn(obj, k) ? obj[k] : undefined
      if (!tests[i]!(child)) return false
    }
    return true
  }
  return (v) => test(v, 0)
}

/** Patterns are compiled once per pattern object (triggers keep theirs for their lifetime). */
const compiled = new WeakMap<object, Test>()

/**
 * A matcher function for one pattern, compiled once. A pattern that is not an object matches nothing
 * (validate first); `null`/`undefined` match everything.
 */
export function compilePattern(pattern: EventPattern | null | undefined): (data: unknown) => boolean {
  if (pattern === null || pattern === undefined) return () => true
  if (!isPlainObject(pattern)) return never
  let test = compiled.get(pattern)
  if (!test) {
    test = compileObject(pattern, 1)
    compiled.set(pattern, test)
  }
  return test
}

export function matchesPattern(pattern: EventPattern | null | undefined, data: unknown): boolean {
  return compilePattern(pattern)(data)
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
      else if (Array.isArray(v) && v.length > 0 && v.every(isScalar)) {
        out.push({ path: [...path, key], values: [...new Set(v)] })
      }
    }
  }
  if (isPlainObject(pattern)) walk(pattern, [])
  return out
}
