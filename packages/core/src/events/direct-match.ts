import { inRange, readLeaf } from './leaf-entries.ts'
import { EVENT_PATTERN_LIMITS, isPatternScalar, isPlainObject, MAX_ARRAY_NESTING } from './pattern.ts'

/**
 * The direct evaluator: a pattern compiled into closures that follow the payload key by key and try every
 * entry of a leaf on every scalar found there. This is the definition of what a pattern matches (the
 * reference the indexed evaluator is tested against), and the fastest way to match small payloads.
 *
 * Its cost is the product of the payload's values and the pattern's entries (a 100,000-element array
 * against 1,000 prefixes is 10⁸ comparisons), so it runs on a work budget, "fuel": every element visited
 * and every entry tried burns some; when the budget given to `runWithFuel` is spent the match is abandoned
 * (OUT_OF_FUEL) and the caller falls back on the indexed evaluator (pattern-index.ts), whose cost does not
 * multiply.
 */

/** A compiled pattern node; `v` is `undefined` when the key is absent from the payload. */
type Test = (v: unknown) => boolean

const never: Test = () => false

/** Thrown by the closures when the fuel is spent; never escapes `runWithFuel`. */
const outOfFuel = new Error('event pattern fuel spent')
export const OUT_OF_FUEL: unique symbol = Symbol('out of fuel')

let fuel = Number.POSITIVE_INFINITY

function burn(units: number): void {
  fuel -= units
  if (fuel < 0) throw outOfFuel
}

/**
 * Runs `fn` (direct matching, possibly several patterns) with `budget` units of fuel; OUT_OF_FUEL if it
 * ran out. `Infinity` runs to the end.
 */
export function runWithFuel<T>(budget: number, fn: () => T): T | typeof OUT_OF_FUEL {
  const saved = fuel
  fuel = budget
  try {
    return fn()
  } catch (err) {
    if (err === outOfFuel) return OUT_OF_FUEL
    throw err
  } finally {
    fuel = saved
  }
}

/** Burns fuel from outside the closures (the trigger index's own walk), inside `runWithFuel`. */
export const spendFuel = burn

function compileLeaf(leaf: unknown[]): Test {
  const e = readLeaf(leaf)
  const exact = new Set<unknown>(e.exact)
  const others: Test[] = []
  for (const p of e.prefix) others.push((v) => typeof v === 'string' && v.startsWith(p))
  for (const s of e.suffix) others.push((v) => typeof v === 'string' && v.endsWith(s))
  for (const r of e.numeric) others.push((v) => typeof v === 'number' && inRange(r, v))
  for (const excluded of e.butList) others.push((v) => !excluded.has(v))
  for (const p of e.butPrefix) others.push((v) => typeof v === 'string' && !v.startsWith(p))
  for (const s of e.butSuffix) others.push((v) => typeof v === 'string' && !v.endsWith(s))
  const cost = 1 + others.length
  const { existsTrue, existsFalse } = e
  const matchValue = (v: unknown, nesting: number): boolean => {
    if (Array.isArray(v)) {
      if (nesting >= MAX_ARRAY_NESTING) return false
      burn(v.length)
      for (const element of v) if (matchValue(element, nesting + 1)) return true
      return false
    }
    if (!isPatternScalar(v)) return false
    burn(cost)
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
      burn(v.length)
      for (const element of v) if (test(element, nesting + 1)) return true
      return false
    }
    burn(keys.length)
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

const compiled = new WeakMap<object, Test>()

/**
 * The direct matcher of a pattern object, compiled once per object (patterns must not be mutated
 * afterwards). Burns fuel: call inside `runWithFuel`, or outside it for an unbounded run.
 */
export function compileDirect(pattern: Record<string, unknown>): (data: unknown) => boolean {
  let test = compiled.get(pattern)
  if (!test) {
    test = compileObject(pattern, 1)
    compiled.set(pattern, test)
  }
  return test
}
