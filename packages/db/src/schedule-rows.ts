import {
  conflictProfile,
  fireMinutesOfDay,
  planSchedule,
  SCHEDULE_DEFAULTS,
  type ScheduleCreate,
  type ScheduleTiming,
} from '@punctual/core'
import type { ScheduleRow } from './repos/schedules.ts'

const DAY_MS = 86_400_000

/** A create's timing, as the row stores it. */
export function scheduleTimingOf(
  body: Pick<ScheduleCreate, 'cronExpression' | 'timezone' | 'startDate' | 'endDate'>,
): ScheduleTiming {
  return {
    cronExpression: body.cronExpression,
    timezone: body.timezone ?? SCHEDULE_DEFAULTS.timezone,
    startDate: body.startDate ? new Date(body.startDate) : null,
    endDate: body.endDate ? new Date(body.endDate) : null,
  }
}

/** The conflict profile of the fires in the 24 h from `at` (what the conflict index compares). */
export function scheduleConflictProfile(timing: ScheduleTiming, at: Date): string {
  if (timing.startDate && timing.startDate.getTime() > at.getTime() + DAY_MS) return ''
  if (timing.endDate && timing.endDate.getTime() < at.getTime()) return ''
  return conflictProfile(fireMinutesOfDay(timing.cronExpression, { timezone: timing.timezone, from: at }))
}

/**
 * A new schedule's row, as a create writes it: version 1, defaults filled (core SCHEDULE_DEFAULTS), state and nextRunAt from the core
 * plan. The timing must have been checked (assertTimingValid); an `expired` plan is returned as such, for the
 * caller to refuse.
 */
export function newScheduleRow(id: string, tenant: string, body: ScheduleCreate, at: Date): ScheduleRow {
  const timing = scheduleTimingOf(body)
  const enabled = body.enabled ?? SCHEDULE_DEFAULTS.enabled
  const maxExecutions = body.maxExecutions ?? SCHEDULE_DEFAULTS.maxExecutions
  const plan = planSchedule({ ...timing, enabled, maxExecutions, executionCount: 0 }, at)
  return {
    id,
    tenant,
    workflowId: body.workflowId,
    name: body.name,
    ...timing,
    enabled,
    maxExecutions,
    input: body.input ?? SCHEDULE_DEFAULTS.input,
    priority: body.priority ?? SCHEDULE_DEFAULTS.priority,
    retryPolicy: { ...SCHEDULE_DEFAULTS.retryPolicy, ...body.retryPolicy },
    overlapPolicy: body.overlapPolicy ?? SCHEDULE_DEFAULTS.overlapPolicy,
    misfirePolicy: body.misfirePolicy ?? SCHEDULE_DEFAULTS.misfirePolicy,
    catchupWindowMs: body.catchupWindowMs ?? SCHEDULE_DEFAULTS.catchupWindowMs,
    jitterMs: body.jitterMs ?? SCHEDULE_DEFAULTS.jitterMs,
    metadata: body.metadata ?? SCHEDULE_DEFAULTS.metadata,
    state: plan.state,
    version: 1,
    nextRunAt: plan.nextRunAt,
    pausedNote: null,
    executionCount: 0,
    missedCount: 0,
    conflictProfile: plan.state === 'active' ? scheduleConflictProfile(timing, at) : '',
    createdAt: at,
    updatedAt: at,
  }
}

/** A row's due-index entry (the arguments of the queue's upsertSchedule): unscored and unprofiled unless active. */
export function dueEntryOf(row: ScheduleRow) {
  return {
    scheduleId: row.id,
    workflowId: row.workflowId,
    version: row.version,
    nextRunAtMs: row.state === 'active' && row.nextRunAt ? row.nextRunAt.getTime() : null,
    conflictProfile: row.state === 'active' ? row.conflictProfile : '',
  }
}
