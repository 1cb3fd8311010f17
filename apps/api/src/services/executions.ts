import { AppError, type TriggerBody, uuidv7 } from '@punctual/core'
import {
  createExecutionsRepo,
  createSchedulesRepo,
  type DbExecutor,
  type ExecutionRow,
  type ExecutionsRepo,
  type NewExecutionRow,
  type SchedulesRepo,
} from '@punctual/db'
import {
  createExecutionQueue,
  type ExecutionQueue,
  type QueueKeys,
  type Redis,
  toQueueError,
} from '@punctual/queue'
import type { FastifyBaseLogger } from 'fastify'
import type { Sql } from 'postgres'
import type { Principal } from '../plugins/auth.ts'
import { auditChange } from './audit-change.ts'
import { queueView } from './queue-view.ts'
import { notFound as scheduleNotFound } from './schedules.ts'
import { metricsSnapshot, readWorkers, tenantStats } from './stats.ts'

export interface ExecutionServiceDeps {
  db: DbExecutor
  /** The postgres.js client under `db`: the bulk statements (redrive, the queue view) are plain SQL. */
  sql: Sql
  redis: Redis
  keys: QueueKeys
  now: () => Date
  /** For log lines outside a request; a request passes its own logger (its lines then carry its reqId). */
  log: FastifyBaseLogger
  /** TENANT_MAX_RUNNING as the workers enforce it (0 or absent: no cap): the queue view's `blockedBy`. */
  tenantMaxRunning?: number
}

/** What the execution operations share, built once per app (services/executions.ts, dead-letter.ts, stats.ts). */
export interface ExecutionContext extends ExecutionServiceDeps {
  executions: ExecutionsRepo
  schedules: SchedulesRepo
  queue: ExecutionQueue
}

export function createExecutionContext(deps: ExecutionServiceDeps): ExecutionContext {
  return {
    ...deps,
    executions: createExecutionsRepo(deps.db),
    schedules: createSchedulesRepo(deps.db),
    queue: createExecutionQueue(deps.redis, deps.keys),
  }
}

/**
 * Execution writes of the API (issue 3, "Executions: who writes what"): manual triggers and redrives
 * (dead-letter.ts) create a `queued` row (attempt 0; the runner makes it 1 when it starts), commit it, then
 * enqueue it in Redis. A Redis failure after the commit is not an error: the row is durable and the reconciler
 * re-enqueues queued rows that Redis lacks, so the answer stays 202. A cancel is one conditional UPDATE (see
 * requestCancel); cancelling a waiting fire also releases the fire its schedule's buffer_one held back, as the
 * runner does when a fire ends. The read-side figures (stats, workers, the metrics snapshot) are in stats.ts.
 */
export function createExecutionService(ctx: ExecutionContext) {
  return {
    trigger: (p: Principal, scheduleId: string, body: TriggerBody, log: FastifyBaseLogger = ctx.log) =>
      triggerSchedule(ctx, p, scheduleId, body, log),
    cancel: (p: Principal, id: string, log: FastifyBaseLogger = ctx.log) => cancelExecution(ctx, p, id, log),
    setPriority: (p: Principal, id: string, priority: number) => setExecutionPriority(ctx, p, id, priority),
    queue: (
      p: Principal,
      query: { limit?: number | undefined; cursor?: string | undefined },
      log: FastifyBaseLogger = ctx.log,
    ) => queueView(ctx, { tenantMaxRunning: ctx.tenantMaxRunning ?? 0 }, p, query, log),
    stats: (p: Principal, log: FastifyBaseLogger = ctx.log) => tenantStats(ctx, p, log),
    /** Live workers (fresh heartbeats), deployment-wide. Redis down → 503. */
    workers: () => readWorkers(ctx, ctx.now()),
    metricsSnapshot: () => metricsSnapshot(ctx),
  }
}
export type ExecutionService = ReturnType<typeof createExecutionService>

/** Runs a schedule's workflow now, as a `manual` execution. */
async function triggerSchedule(
  ctx: ExecutionContext,
  p: Principal,
  scheduleId: string,
  body: TriggerBody,
  log: FastifyBaseLogger,
): Promise<{ executionId: string }> {
  const schedule = await ctx.schedules.find(p.tenant, scheduleId)
  if (!schedule) throw scheduleNotFound(scheduleId)
  // Any state: a paused, completed or expired schedule may still be run by hand (Temporal's trigger).
  const at = ctx.now()
  const row = {
    id: uuidv7(),
    tenant: p.tenant,
    kind: 'manual' as const,
    scheduleId: schedule.id,
    triggerId: null,
    workflowId: schedule.workflowId,
    scheduledFor: at,
    enqueuedAt: at,
    status: 'queued' as const,
    attempt: 0,
    priority: schedule.priority,
    input: { ...schedule.input, ...body.input },
    retryPolicy: { ...schedule.retryPolicy },
    availableAt: at,
  }
  await ctx.db.transaction(async (tx) => {
    await createExecutionsRepo(tx).insert(row)
    await auditChange(tx, p, { type: 'schedule', id: schedule.id }, 'schedule.triggered', at, {
      executionId: row.id,
      inputGiven: body.input !== undefined,
    })
  })
  await enqueueAfterCommit(ctx, row, log)
  return { executionId: row.id }
}

/**
 * queued/retrying → cancelled in Postgres, then taken out of Redis (best effort: a runner that dequeues
 * a row that is no longer startable drops it). running → cancel_requested_at set, then the id published
 * on the cancel channel for the owner to abort its step; if Redis cannot take the message the request is
 * rolled back and answered 503, so a 202 means the owner was told.
 */
async function cancelExecution(
  ctx: ExecutionContext,
  p: Principal,
  id: string,
  log: FastifyBaseLogger,
): Promise<ExecutionRow> {
  const at = ctx.now()
  const { row, released } = await ctx.db.transaction(async (tx) => {
    const repo = createExecutionsRepo(tx)
    const current = await repo.find(p.tenant, id)
    if (!current) throw notFound(id)
    // Ending a waiting fire may free its schedule's buffer_one slot: like the runner ending one, hold the
    // schedule's lock (the scheduler decides "buffer" under it) and release the held fire.
    const freesSlot =
      current.kind === 'fire' && current.scheduleId !== null && !current.held && current.status !== 'running'
    if (freesSlot) await repo.lockSchedule(current.scheduleId!)
    const updated = await repo.requestCancel(p.tenant, id, at)
    if (!updated) {
      const status = (await repo.find(p.tenant, id))?.status ?? current.status
      throw new AppError(
        'SCHED_ERR_INVALID_STATE',
        `Execution ${id} is already ${status}; only queued, running or retrying executions can be cancelled`,
      )
    }
    await auditChange(tx, p, { type: 'execution', id }, 'execution.cancelled', at, {
      kind: current.kind,
      // `running`: the cancel was requested and the worker running it aborts its step.
      from: current.status,
    })
    if (updated.status === 'running') {
      try {
        await ctx.redis.publish(ctx.keys.cancelChannel, id)
      } catch (err) {
        throw toQueueError(err)
      }
      return { row: updated, released: undefined }
    }
    const released = freesSlot ? await repo.releaseHeldFire(current.scheduleId!, at) : undefined
    return { row: updated, released }
  })
  if (row.status === 'cancelled') {
    await ctx.queue.cancel(id).catch((err: unknown) => {
      log.warn({ err, executionId: id }, 'cancelled execution not removed from Redis; runners drop it')
    })
  }
  if (released) await enqueueAfterCommit(ctx, released, log)
  return row
}

/**
 * PATCH priority: Postgres and Redis change together. The row is updated (queued / retrying only) and, inside
 * the same transaction, the Redis queue re-scores it (set-priority-3.lua: a ready one takes its new place in
 * its tenant's line at once); Redis down → QueueError (503) and the transaction rolls back. An execution
 * Redis does not hold (held back by buffer_one, or not enqueued yet) keeps the new priority in Postgres,
 * which it is enqueued (or re-enqueued by the reconciler) with.
 */
async function setExecutionPriority(
  ctx: ExecutionContext,
  p: Principal,
  id: string,
  priority: number,
): Promise<ExecutionRow> {
  const at = ctx.now()
  let redisChanged = false
  try {
    return await ctx.db.transaction(async (tx) => {
      const repo = createExecutionsRepo(tx)
      const updated = await repo.setPriority(p.tenant, id, priority)
      if (!updated) {
        const current = await repo.find(p.tenant, id)
        if (!current) throw notFound(id)
        throw new AppError(
          'SCHED_ERR_INVALID_STATE',
          `Execution ${id} is ${current.status}; only a queued or retrying execution can be re-prioritised`,
        )
      }
      await auditChange(tx, p, { type: 'execution', id }, 'execution.reprioritised', at, { priority })
      try {
        await ctx.queue.setPriority(id, priority)
      } catch (err) {
        throw toQueueError(err)
      }
      redisChanged = true
      return updated
    })
  } catch (err) {
    // The COMMIT failed after Redis took the new priority: put back what Postgres holds (best effort; the
    // line order is then as before the request).
    if (redisChanged) {
      const row = await ctx.executions.find(p.tenant, id).catch(() => undefined)
      if (row) await ctx.queue.setPriority(id, row.priority).catch(() => undefined)
    }
    throw err
  }
}

/** Puts a committed `queued` row into Redis; a failure is logged and left to the reconciler. */
export async function enqueueAfterCommit(
  ctx: ExecutionContext,
  row: NewExecutionRow & { id: string; scheduledFor: Date },
  log: FastifyBaseLogger,
) {
  const at = ctx.now().getTime()
  try {
    await ctx.queue.enqueue(
      [
        {
          id: row.id,
          priority: row.priority ?? 5,
          scheduledForMs: row.scheduledFor.getTime(),
          availableAtMs: row.availableAt?.getTime() ?? at,
          attempt: row.attempt ?? 0,
          tenant: row.tenant,
          workflowId: row.workflowId,
          kind: row.kind,
          scheduleId: row.scheduleId ?? null,
        },
      ],
      at,
    )
  } catch (err) {
    // The row is committed: the reconciler puts it into Redis once Redis answers again.
    log.warn({ err, executionId: row.id }, 'execution committed but not enqueued; left to the reconciler')
  }
}

export function notFound(id: string): AppError {
  return new AppError('SCHED_ERR_NOT_FOUND', `No execution ${id}`)
}

/** The execution as the API shows it (shared with the worker's system events). */
export { toExecutionDto } from '@punctual/db'
