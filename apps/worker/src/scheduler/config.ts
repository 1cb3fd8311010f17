import { MAX_CLAIM_BATCH } from '@punctual/queue'

export interface SchedulerConfig {
  /** Fires up to now + lookaheadMs are recorded ahead of their time (they wait in the `delayed` set). */
  lookaheadMs: number
  /** At most this many due entries claimed per round. */
  claimBatch: number
  /** A claim not finished within this long returns to the due-index for another scheduler. */
  claimLeaseMs: number
  /** Sleep between rounds when nothing more is due. */
  pollMs: number
}

export const DEFAULT_SCHEDULER_CONFIG: Readonly<SchedulerConfig> = Object.freeze({
  // Half a second off whole seconds, see WORKER_LOOKAHEAD_MS.
  lookaheadMs: 2500,
  claimBatch: 500,
  claimLeaseMs: 30_000,
  pollMs: 50,
})

/** The defaults with `overrides`, checked once: a RangeError names the setting out of range. */
export function schedulerConfig(overrides: Partial<SchedulerConfig> | undefined): SchedulerConfig {
  const c: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, ...overrides }
  const int = (name: keyof SchedulerConfig, min: number, max: number) => {
    const v = c[name]
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      throw new RangeError(`scheduler config ${name} must be an integer in [${min}, ${max}], got ${v}`)
    }
  }
  int('lookaheadMs', 0, 60_000)
  int('claimBatch', 1, MAX_CLAIM_BATCH)
  int('claimLeaseMs', 1000, 3_600_000)
  int('pollMs', 1, 60_000)
  // A claim recorded ahead is finished well inside its lease, or another scheduler would claim it meanwhile.
  if (c.lookaheadMs >= c.claimLeaseMs / 2) {
    throw new RangeError('scheduler config lookaheadMs must be below half of claimLeaseMs')
  }
  return c
}
