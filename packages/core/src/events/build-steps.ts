/**
 * Building a tenant's matcher (TriggerMatcher, PatternIndex) costs up to about a second of CPU at 100,000
 * filter matchers: far too long to hold the API's event loop (the contract allows 50 ms). So the builders are
 * written as generators that yield after each small unit of work (a trigger, a pattern, a few hundred radix
 * nodes); `runSteps` runs them to the end at once (small inputs, tests), `runSliced` runs them in slices of
 * about `sliceMs`, giving the event loop back in between.
 */
export type BuildSteps<R = void> = Generator<void, R, void>

export interface SliceOptions {
  /** Run for about this long before pausing (default 5 ms); one unit of work may overrun it a little. */
  sliceMs?: number
  /** How to give the event loop back between slices (default: nextTurn). */
  pause?: () => Promise<void>
}

export const DEFAULT_SLICE_MS = 5

/**
 * Resolves once timers and I/O have had a turn of the event loop. Twice setImmediate: called from an I/O
 * callback (the poll phase), one setImmediate runs in the same turn's check phase, before any timer.
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)))

/** Runs the steps to the end without pausing. */
export function runSteps<R>(steps: BuildSteps<R>): R {
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
  }
}

/** Runs the steps, pausing whenever a slice has run `sliceMs`. */
export async function runSliced<R>(steps: BuildSteps<R>, options: SliceOptions = {}): Promise<R> {
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS
  const pause = options.pause ?? nextTurn
  let start = performance.now()
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
    if (performance.now() - start >= sliceMs) {
      await pause()
      start = performance.now()
    }
  }
}
