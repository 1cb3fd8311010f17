import { compileDirect, OUT_OF_FUEL, runWithFuel } from './direct-match.ts'
import { DEFAULT_MATCH_BUDGET } from './match-budget.ts'
import { type EventPattern, isPlainObject } from './pattern.ts'
import { PatternIndex } from './pattern-index.ts'

/**
 * Work the direct evaluator may do on one payload before the indexed one takes over (0.1 to 2.5 ms on the
 * bench machine, depending on what a unit is spent on). The events of the `pnpm bench events` tenants
 * (up to 10,000 triggers, 15% of them evaluated on every event of their type) need under 500; a big
 * array or a wide object soon spends it.
 */
export const DIRECT_MATCH_FUEL = 5_000

const compiled = new WeakMap<object, (data: unknown) => boolean>()

/**
 * A matcher function for one pattern, compiled once per pattern object (which must not be mutated
 * afterwards). A pattern that is not an object matches nothing (validate first); `null`/`undefined`
 * match everything. Its cost is bounded whatever the payload: the direct evaluator runs on a budget of
 * DIRECT_MATCH_FUEL, past which the pattern is matched through a PatternIndex (built on first need and
 * kept), whose cost is about the payload's size plus the pattern's entries. The whole match runs on
 * DEFAULT_MATCH_BUDGET (fuel included): past it, MatchBudgetExceeded is thrown (match-budget.ts).
 */
export function compilePattern(pattern: EventPattern | null | undefined): (data: unknown) => boolean {
  if (pattern === null || pattern === undefined) return () => true
  if (!isPlainObject(pattern)) return () => false
  let matcher = compiled.get(pattern)
  if (!matcher) {
    const direct = compileDirect(pattern)
    let index: PatternIndex | undefined
    matcher = (data) => {
      const result = runWithFuel(DIRECT_MATCH_FUEL, () => direct(data))
      if (result !== OUT_OF_FUEL) return result
      index ??= new PatternIndex([pattern])
      return index.match(data, undefined, undefined, DEFAULT_MATCH_BUDGET - DIRECT_MATCH_FUEL).length === 1
    }
    compiled.set(pattern, matcher)
  }
  return matcher
}

export function matchesPattern(pattern: EventPattern | null | undefined, data: unknown): boolean {
  return compilePattern(pattern)(data)
}
