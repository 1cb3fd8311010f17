import {
  AppError,
  REDRIVE_MAX_PER_CALL,
  type RedriveBody,
  type RedriveResult,
  type RetryBody,
  uuidv7,
} from '@punctual/core'
import { createExecutionsRepo, type RedriveRow, redriveDeadExecutions } from '@punctual/db'
import type { EnqueueItem } from '@punctual/queue'
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
 *   (409 otherwise); a new `redrive` execution with its workflow, input (or the `input` given, replacing it
 *   whole), priority, retry policy and schedule/trigger, `retryOf` = the dead one, attempt 0 until the runner
 *   starts it. The dead row is marked (`redriven_at`) so the bulk redrive never takes it afterwards; `retry`
 *   itself may redrive one again (an operator's explicit, per-id decision).
 * - Bulk redrive (`POST /api/executions/redrive`): the dead executions a filter matches that were never
 *   redriven, oldest first, at most REDRIVE_MAX_PER_CALL a call, each marked on its row in the statement
 *   that creates its redrive (packages/db/src/statements/dead-letter-redrive.ts); `finishedTo` (default: the
 *   request time) is echoed so a caller repeating the call with it works through a backlog to `matched: 0`.
 * - The count: `queue.dead` of `GET /api/schedules/stats` (stats.ts), read by the same statement as the
 *   other tenant figures (packages/db/src/repos/executions.ts, tenantStats).
 */
export function createDeadLetterService(ctx: ExecutionContext) {
  return {
    redrive: (p: Principal, id: string, body: RetryBody = {}, log: FastifyBaseLogger = ctx.log) =>
      redriveDead(ctx, p, id, body, log),
    redriveMany: (p: Principal, body: RedriveBody, log: FastifyBaseLogger = ctx.log) =>
      redriveMany(ctx, p, body, log),
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
  body: RetryBody,
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
    input: body.input ?? dead.input,
    retryPolicy: dead.retryPolicy,
    availableAt: at,
  }
  await ctx.db.transaction(async (tx) => {
    const repo = createExecutionsRepo(tx)
    await repo.insert(row)
    await repo.markRedriven(p.tenant, dead.id, at)
    await auditChange(tx, p, { type: 'execution', id: dead.id }, 'execution.redriven', at, {
      redriveId: row.id,
      workflowId: row.workflowId,
      inputGiven: body.input !== undefined,
    })
  })
  await enqueueAfterCommit(ctx, row, log)
  return { executionId: row.id }
}

/** Redrives enqueued per script call: each call is atomic, so a 10,000 redrive never holds Redis long. */
const ENQUEUE_SLICE = 200

/**
 * The bulk redrive: one transaction creates the redrives (and marks their dead rows, and audits the count),
 * then they are enqueued in slices; a Redis failure after the commit leaves them to the reconciler (the
 * rows are queued), as for a single retry.
 */
async function redriveMany(
  ctx: ExecutionContext,
  p: Principal,
  body: RedriveBody,
  log: FastifyBaseLogger,
): Promise<RedriveResult & { dryRun: boolean }> {
  const at = ctx.now()
  const f = body.filter
  const finishedTo = f.finishedTo ? new Date(f.finishedTo) : at
  const filter = {
    workflowId: f.workflowId,
    scheduleId: f.scheduleId,
    triggerId: f.triggerId,
    errorClass: f.errorClass,
    finishedFrom: f.finishedFrom ? new Date(f.finishedFrom) : undefined,
    finishedTo,
  }
  const dryRun = body.dryRun === true
  const { matched, created } = await redriveDeadExecutions(ctx.sql, {
    tenant: p.tenant,
    filter,
    limit: REDRIVE_MAX_PER_CALL,
    dryRun,
    now: at,
    newIds: (count) => Array.from({ length: count }, () => uuidv7()),
    audit: {
      tenant: p.tenant,
      actor: p.sub,
      action: 'execution.bulk_redriven',
      targetType: 'execution',
      targetId: null,
      details: { filter: { ...f, finishedTo: finishedTo.toISOString() } },
      at,
    },
  })
  if (created.length > 0) await enqueueRedrives(ctx, created, at, log)
  return { matched, executionIds: created.map((r) => r.id), finishedTo: finishedTo.toISOString(), dryRun }
}

async function enqueueRedrives(ctx: ExecutionContext, rows: RedriveRow[], at: Date, log: FastifyBaseLogger) {
  const atMs = at.getTime()
  const items: EnqueueItem[] = rows.map((r) => ({
    id: r.id,
    priority: r.priority,
    scheduledForMs: atMs,
    availableAtMs: atMs,
    attempt: 0,
    tenant: r.tenant,
    workflowId: r.workflowId,
    kind: 'redrive',
    scheduleId: r.scheduleId,
  }))
  try {
    for (let i = 0; i < items.length; i += ENQUEUE_SLICE) {
      await ctx.queue.enqueue(items.slice(i, i + ENQUEUE_SLICE), ctx.now().getTime())
    }
  } catch (err) {
    // The rows are committed: the reconciler puts the rest into Redis once Redis answers again.
    log.warn({ err, count: rows.length }, 'redrives committed but not all enqueued; left to the reconciler')
  }
}
