import { EVENT_PATTERN_LIMITS, isPatternScalar, isPlainObject, type PatternError } from './pattern.ts'

/**
 * validateEventPattern: every problem of a trigger's filter, each with its JSON pointer (pattern.ts says what
 * a valid pattern is).
 */

const MATCHERS = ['prefix', 'suffix', 'anything-but', 'numeric', 'exists'] as const
const NUMERIC_OPS = ['=', '<', '<=', '>', '>='] as const
/** Stop listing after this many problems: one bad generated pattern must not produce a huge response. */
const MAX_ERRORS = 50

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`
}

/** Walks a pattern once, collecting its problems (at most MAX_ERRORS, then it stops). */
class PatternChecker {
  readonly errors: PatternError[] = []
  private entries = 0
  private stopped = false

  fail(path: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path, message })
    else this.stopped = true
  }

  string(s: string, path: string): void {
    if (s.length > EVENT_PATTERN_LIMITS.maxStringLength) {
      this.fail(path, `must be at most ${EVENT_PATTERN_LIMITS.maxStringLength} characters`)
    }
  }

  numeric(operand: unknown, path: string): void {
    if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
      this.fail(path, 'must be a list of operator/number pairs, e.g. [">", 0, "<=", 5]')
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
        this.fail(pointer(path, i + 1), 'must be a finite number')
        ok = false
      }
      if (!NUMERIC_OPS.includes(op as never)) {
        this.fail(pointer(path, i), `must be one of ${NUMERIC_OPS.map((o) => `"${o}"`).join(', ')}`)
        ok = false
        continue
      }
      const bound = { value: value as number, inclusive: op === '>=' || op === '<=' || op === '=' }
      if (op === '=') {
        if (operand.length !== 2) this.fail(pointer(path, i), '"=" must be the only operator of its list')
        equals = true
      } else if (op === '>' || op === '>=') {
        if (lower) this.fail(pointer(path, i), 'at most one lower bound (">" or ">=")')
        lower = bound
      } else {
        if (upper) this.fail(pointer(path, i), 'at most one upper bound ("<" or "<=")')
        upper = bound
      }
    }
    if (ok && !equals && lower && upper) {
      const empty =
        lower.value > upper.value || (lower.value === upper.value && !(lower.inclusive && upper.inclusive))
      if (empty) this.fail(path, 'the range is empty: the lower bound is above the upper bound')
    }
  }

  anythingBut(operand: unknown, path: string): void {
    if (isPatternScalar(operand)) {
      if (typeof operand === 'string') this.string(operand, path)
      return
    }
    if (Array.isArray(operand)) {
      if (operand.length === 0) this.fail(path, 'must not be an empty list')
      operand.forEach((v, i) => {
        if (!isPatternScalar(v)) this.fail(pointer(path, i), 'must be a string, number, boolean or null')
        else if (typeof v === 'string') this.string(v, pointer(path, i))
      })
      return
    }
    if (isPlainObject(operand)) {
      const keys = Object.keys(operand)
      const key = keys[0]
      if (keys.length !== 1 || (key !== 'prefix' && key !== 'suffix')) {
        this.fail(path, 'must be a value, a list of values, { "prefix": s } or { "suffix": s }')
        return
      }
      const s = operand[key]
      if (typeof s !== 'string') this.fail(pointer(path, key), 'must be a string')
      else this.string(s, pointer(path, key))
      return
    }
    this.fail(path, 'must be a value, a list of values, { "prefix": s } or { "suffix": s }')
  }

  matcher(m: Record<string, unknown>, path: string): void {
    const keys = Object.keys(m)
    if (keys.length !== 1) {
      this.fail(path, `a matcher has exactly one key, one of ${MATCHERS.join(', ')}`)
      return
    }
    const key = keys[0]!
    const operand = m[key]
    const at = pointer(path, key)
    switch (key) {
      case 'prefix':
      case 'suffix':
        if (typeof operand !== 'string') this.fail(at, 'must be a string')
        else this.string(operand, at)
        return
      case 'anything-but':
        this.anythingBut(operand, at)
        return
      case 'numeric':
        this.numeric(operand, at)
        return
      case 'exists':
        if (typeof operand !== 'boolean') this.fail(at, 'must be true or false')
        return
      default:
        this.fail(at, `unknown matcher "${key}"; expected one of ${MATCHERS.join(', ')}`)
    }
  }

  leaf(leaf: unknown[], path: string): void {
    if (leaf.length === 0) this.fail(path, 'must not be an empty list (it would match nothing)')
    for (let i = 0; i < leaf.length && !this.stopped; i++) {
      if (++this.entries > EVENT_PATTERN_LIMITS.maxLeafEntries) {
        this.fail(
          pointer(path, i),
          `a pattern has at most ${EVENT_PATTERN_LIMITS.maxLeafEntries} values and matchers`,
        )
        this.stopped = true
        return
      }
      const entry = leaf[i]
      if (isPlainObject(entry)) this.matcher(entry, pointer(path, i))
      else if (!isPatternScalar(entry))
        this.fail(pointer(path, i), 'must be a string, number, boolean, null or a matcher')
      else if (typeof entry === 'string') this.string(entry, pointer(path, i))
    }
  }

  object(obj: Record<string, unknown>, path: string, depth: number): void {
    if (depth > EVENT_PATTERN_LIMITS.maxDepth) {
      this.fail(path, `patterns nest at most ${EVENT_PATTERN_LIMITS.maxDepth} levels deep`)
      return
    }
    for (const key of Object.keys(obj)) {
      if (this.stopped) return
      const at = pointer(path, key)
      if (key.length > EVENT_PATTERN_LIMITS.maxKeyLength) {
        this.fail(at, `keys are at most ${EVENT_PATTERN_LIMITS.maxKeyLength} characters`)
      }
      const v = obj[key]
      if (Array.isArray(v)) this.leaf(v, at)
      else if (isPlainObject(v)) {
        if (Object.keys(v).length === 0) {
          this.fail(at, 'an empty object constrains nothing: remove the key, or use [{ "exists": true }]')
        } else this.object(v, at, depth + 1)
      } else {
        this.fail(at, 'must be a list of allowed values or matchers (e.g. ["a"]), or a nested pattern object')
      }
    }
  }
}

/** Every problem of a pattern (empty when it is valid), each with the JSON pointer of its place. */
export function validateEventPattern(pattern: unknown): PatternError[] {
  if (!isPlainObject(pattern)) return [{ path: '', message: 'a pattern must be a JSON object' }]
  const checker = new PatternChecker()
  checker.object(pattern, '', 1)
  return checker.errors
}
