import { AppError, uuidv7 } from '@punctual/core'
import { createExecutionsRepo } from '@punctual/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../plugins/auth.ts'
import { auditChange } from './audit-change.ts'
import { type ExecutionContext, enqueueAfterCommit, notFound } from './executions.ts'

/**
 * The dead-letter queue: the executions in status `dead` (the contract, ../shared/spec/http-api.md,
 * "Executions" and "retryPolicy"). It is not a separate store: a dead execution stays in the executions table,
 * listed by `GET /api/executions?status=dead`, and leaves the queue only by being redriven (a new execution)
 * or deleted with its history. Where each of its rules lives:
 * - Who becomes dead: an execution whose last allowed attempt (retryPolicy.maxAttempts) failed: core
 *   `attemptOutcome` (packages/core/src/attempt-outcome.ts); attempts and backoff in core retry.ts.
 * - The transition `running → dead` and its status guard: core execution-state.ts (`TRANSITIONS`,
 *   `STATUS_GUARDS`), written by the runner's end statement (packages/db/src/statements/execution-finish.ts),
 *   which also records the `execution.dead` system event in the outbox for event triggers.
 * - Redrive (`POST /api/executions/:id/retry`, routes/executions/index.ts): this file. Only a `dead` execution
 *   (409 otherwise); a new `redrive` execution with its workflow, input, priority, retry policy and
 *   schedule/trigger, `retryOf` = the dead one, attempt 0 until the runner starts it.
 * - The count: `queue.dead` of `GET /api/schedules/stats` (stats.ts), read by the same statement as the
 *   other tenant figures (packages/db/src/repos/executions.ts, tenantStats).
 */
export function createDeadLetterService(ctx: ExecutionContext) {
  return {
    redrive: (p: Principal, id: string, log: FastifyBaseLogger = ctx.log) => redriveDead(ctx, p, id, log),
  }
}
export type DeadLetterService = ReturnType<typeof createDeadLetterService>

/**
 * A dead execution run again as a new `redrive` execution, committed and then enqueued like a manual trigger
 * (202 even when Redis cannot take it at once: the reconciler queues the row).
 */
async function redriveDead(
  ctx: ExecutionContext,
  p: Principal,
  id: string,
  log: FastifyBaseLogger,
): Promise<{ executionId: string }> {
  const dead = await ctx.executions.find(p.tenant, id)
  if (!dead) throw notFound(id)
  if (dead.status !== 'dead') {
    throw new AppError(
      'SCHED_ERR_INVALID_STATE',
      `Execution ${id} is ${dead.status}; only a dead execution can be retried`,
    )
  }
  const at = ctx.now()
  const row = {
    id: uuidv7(),
    tenant: p.tenant,
    kind: 'redrive' as const,
    // Kept so the redrive shows in the schedule's (or trigger's) history next to the dead one.
    scheduleId: dead.scheduleId,
    triggerId: dead.triggerId,
    workflowId: dead.workflowId,
    scheduledFor: at,
    enqueuedAt: at,
    status: 'queued' as const,
    attempt: 0,
    priority: dead.priority,
    retryOf: dead.id,
    input: dead.input,
    retryPolicy: dead.retryPolicy,
    availableAt: at,
  }
  await ctx.db.transaction(async (tx) => {
    await createExecutionsRepo(tx).insert(row)
    await auditChange(tx, p, { type: 'execution', id: dead.id }, 'execution.redriven', at, {
      redriveId: row.id,
      workflowId: row.workflowId,
    })
  })
  await enqueueAfterCommit(ctx, row, log)
  return { executionId: row.id }
}
