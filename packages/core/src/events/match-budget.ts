/**
 * The work budget of one match. Matching is linear in the body for everything the quotas bound, except one
 * product no quota can bound: array elements that each list many exact values at the anchor key of
 * multi-key sub-patterns (`{"a":[0,…,624],"b":1}`), every value setting off the group of sub-patterns filed
 * under it. So every match counts its work in units that track CPU (payload values visited, index steps,
 * scopes opened, anchor values looked up, sub-patterns and entries answered, the direct attempt's fuel) and
 * stops, throwing MatchBudgetExceeded, once it has spent its budget: a match either completes exactly or
 * throws, never a partial answer.
 *
 * Calibration (2-core machine shared with other test runs, load 3-4.5; process.cpuUsage around the match):
 * the quota-bound shapes run at 55,000-240,000 units per ms. The two heaviest, 16 two-key sub-patterns on
 * one anchor value and 16 unanchored ones against the densest 1 MiB array (~75,000 elements), spend
 * 9,286,609 and 9,586,177 units (deterministic) in ~38-43 ms; the 1 MiB bodies against 100,000 matchers
 * at most ~2.7 million. With sub-pattern checks weighed by scope size (memberCheckUnits) the unbounded
 * products run at ~210,000-360,000 units per ms, so DEFAULT_MATCH_BUDGET (10% above the heaviest quota
 * shape) refuses them after 30-50 ms: 50 anchor values × 16, 625 × 16 and 1,000 unanchored sub-patterns
 * (outside the quota) measured 31, 45 and 45 ms (best of 5; bench/src/events-adversarial.ts reports them).
 */
export const DEFAULT_MATCH_BUDGET = 10_500_000

/**
 * What one sub-pattern check costs in a scope holding `members` multi-key sub-patterns. A scope of a few
 * dozen stays in the CPU's caches; one of thousands, each element reaching a different part of it, misses
 * them at nearly every check (measured: ~33 ns a check at 16 members, ~45 ns at 800, ~145 ns at 10,000;
 * with the check's own ~5 units, 1 + members / 150 capped at 26 brings those to a similar rate).
 */
export function memberCheckUnits(members: number): number {
  return Math.min(26, 1 + Math.floor(members / 150))
}

/**
 * Units of an object's keys listed (Object.keys) instead of probed: listing 65,000 keys costs ~10 ms, ten
 * times a unit's average.
 */
export const LISTED_KEY_UNITS = 8

/** A match that spent its work budget: nothing was decided. */
export class MatchBudgetExceeded extends Error {
  constructor(
    /** Units spent when the match stopped (past the budget). */
    readonly work: number,
    readonly budget: number,
    /** The payload keys down to where the match was working when it stopped (array indexes left out). */
    readonly path: readonly string[] | undefined,
  ) {
    super(
      `matching spent its work budget (${budget.toLocaleString('en-US')} units)` +
        (path && path.length > 0 ? ` at ${path.join('.')}` : ''),
    )
    this.name = 'MatchBudgetExceeded'
  }
}

export function isMatchBudgetExceeded(err: unknown): err is MatchBudgetExceeded {
  return err instanceof MatchBudgetExceeded
}

/** The keys from the root down to a node of a key-path tree (the PatternIndex's). */
export function keyPath(node: PathLike): string[] {
  const keys: string[] = []
  for (let n = node; n.parent !== undefined; n = n.parent) {
    const entry = n.parent.childList.find(([, child]) => child === n)
    if (entry) keys.push(entry[0])
  }
  return keys.reverse()
}

interface PathLike {
  parent: PathLike | undefined
  childList: [string, PathLike][]
}
