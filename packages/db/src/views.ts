import type { Execution, Schedule, StepOutcome } from '@punctual/core'
import type { ExecutionRow } from './repos/executions.ts'
import type { ScheduleView } from './repos/schedules.ts'

/**
 * Rows as the API shows them (GET /api/executions/:id, GET /api/schedules/:id). The system events carry the
 * same shapes as their `data`, so the API and the worker's event bus share these.
 */

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null)

export function toExecutionDto(row: ExecutionRow): Execution {
  return {
    id: row.id,
    kind: row.kind,
    scheduleId: row.scheduleId,
    triggerId: row.triggerId,
    workflowId: row.workflowId,
    scheduledFor: row.scheduledFor.toISOString(),
    dueAt: (row.dueAt ?? row.scheduledFor).toISOString(),
    enqueuedAt: isoOrNull(row.enqueuedAt),
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
    status: row.status,
    attempt: row.attempt,
    priority: row.priority,
    workerId: row.workerId,
    error: row.error,
    retryOf: row.retryOf,
    input: row.input,
    steps: row.steps as StepOutcome[],
    manual: row.kind === 'manual',
    causedBy: row.causedByExecutionId,
    chainDepth: row.chainDepth,
  }
}

export function toScheduleDto(row: ScheduleView): Schedule {
  return {
    id: row.id,
    workflowId: row.workflowId,
    name: row.name,
    cronExpression: row.cronExpression,
    timezone: row.timezone,
    enabled: row.enabled,
    startDate: row.startDate?.toISOString() ?? null,
    endDate: row.endDate?.toISOString() ?? null,
    maxExecutions: row.maxExecutions,
    input: row.input,
    priority: row.priority,
    retryPolicy: { ...row.retryPolicy },
    overlapPolicy: row.overlapPolicy,
    misfirePolicy: row.misfirePolicy,
    catchupWindowMs: row.catchupWindowMs,
    jitterMs: row.jitterMs,
    metadata: row.metadata,
    state: row.state,
    version: row.version,
    nextRunAt: row.nextRunAt?.toISOString() ?? null,
    pausedNote: row.pausedNote,
    executionCount: row.executionCount,
    missedCount: row.missedCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
