import { nextRuns } from './cron/index.ts'
import type { ScheduleState } from './schemas/schedule.ts'

export interface ScheduleTiming {
  cronExpression: string
  timezone: string
  startDate: Date | null
  endDate: Date | null
}

/**
 * The first fire strictly after `after` that lies inside the inclusive [startDate, endDate] window,
 * or null when the window holds no more fires.
 */
export function nextFireAfter(t: ScheduleTiming, after: Date): Date | null {
  const from =
    t.startDate && t.startDate.getTime() > after.getTime() ? new Date(t.startDate.getTime() - 1) : after
  const [next] = nextRuns(t.cronExpression, { timezone: t.timezone, from, count: 1 })
  if (!next) return null
  if (t.endDate && next.getTime() > t.endDate.getTime()) return null
  return next
}

export interface SchedulePlanInput extends ScheduleTiming {
  enabled: boolean
  maxExecutions: number | null
  executionCount: number
}

export interface SchedulePlan {
  state: ScheduleState
  nextRunAt: Date | null
}

/** What a schedule's state and next fire are, given its definition, counters and the current time. */
export function planSchedule(s: SchedulePlanInput, now: Date): SchedulePlan {
  if (s.maxExecutions !== null && s.executionCount >= s.maxExecutions)
    return { state: 'completed', nextRunAt: null }
  if (!s.enabled) return { state: 'paused', nextRunAt: null }
  const next = nextFireAfter(s, now)
  if (!next) return { state: 'expired', nextRunAt: null }
  return { state: 'active', nextRunAt: next }
}
