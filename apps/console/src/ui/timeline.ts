import type { Execution } from '@punctual/client'

/** How a run shows on a schedule's timeline. */
export type Outcome = 'succeeded' | 'failed' | 'skipped' | 'missed' | 'running' | 'queued' | 'cancelled'

/** A start more than this after its due time is late. */
export const LATE_AFTER_MS = 1000

export interface TimelineEntry {
  execution: Execution
  outcome: Outcome
  /** startedAt − dueAt when the run started more than 1 s late, else null. */
  lateMs: number | null
  dueAt: Date
}

/** How a run shows: late when it started more than 1 s after its `dueAt` (a fire's jitter included). */
export function timelineEntry(e: Execution): TimelineEntry {
  const dueAt = new Date(e.dueAt)
  const outcome: Outcome =
    e.status === 'succeeded'
      ? 'succeeded'
      : e.status === 'dead'
        ? 'failed'
        : e.status === 'retrying' || e.status === 'running'
          ? 'running'
          : (e.status as Outcome)
  const late = e.startedAt ? Date.parse(e.startedAt) - dueAt.getTime() : null
  return { execution: e, outcome, dueAt, lateMs: late !== null && late > LATE_AFTER_MS ? late : null }
}
