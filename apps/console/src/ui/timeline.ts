import type { Execution } from '@punctual/client'
import { stableJitterMs } from '@punctual/core/jitter'

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

/**
 * A fire is due at `scheduledFor` plus its stable jitter (the same function the scheduler uses, with the
 * schedule's current jitterMs); a manual run or a redrive at its request time.
 */
export function dueAtOf(e: Execution, jitterMs: number): Date {
  const nominal = new Date(e.scheduledFor)
  if (e.kind !== 'fire' || !e.scheduleId || jitterMs <= 0) return nominal
  return new Date(nominal.getTime() + stableJitterMs(e.scheduleId, nominal, jitterMs))
}

export function timelineEntry(e: Execution, jitterMs: number): TimelineEntry {
  const dueAt = dueAtOf(e, jitterMs)
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
