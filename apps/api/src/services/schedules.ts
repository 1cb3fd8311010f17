import {
  AppError,
  DEFAULT_TENANT_QUOTAS,
  planSchedule,
  SCHEDULE_DEFAULTS,
  type ScheduleCreate,
  type SchedulePatch,
  type ScheduleTiming,
  type TenantQuotas,
  uuidv7,
} from '@punctual/core'
import {
  createSchedulesRepo,
  createWorkflowsRepo,
  type DbExecutor,
  dueEntryOf,
  isForeignKeyViolation,
  isUniqueViolation,
  newScheduleRow,
  type ScheduleRow,
  type Sql,
  scheduleConflictProfile,
  scheduleTimingOf,
} from '@punctual/db'
import {
  createExecutionQueue,
  type ExecutionQueue,
  type QueueKeys,
  type Redis,
  removeSchedule,
  upsertSchedule,
} from '@punctual/queue'
import type { Principal } from '../plugins/auth.ts'
import { auditChange } from './audit-change.ts'
import { createScheduleInserter, type ScheduleInserter } from './schedule-inserter.ts'
import { assertTimingValid } from './schedule-rules.ts'

export interface ScheduleWarning {
  type: 'conflict'
  message: string
  scheduleIds: string[]
  total: number
  /** Present (true) when `total` is a lower bound: the lookup stops counting past CONFLICT_EXACT_UP_TO. */
  totalIsLowerBound?: true
}

export interface ScheduleServiceDeps {
  db: DbExecutor
  sql: Sql
  redis: Redis
  keys: QueueKeys
  now: () => Date
  /** Per-tenant quotas (TENANT_MAX_*); the contract's defaults when left out. */
  quotas?: TenantQuotas
}

interface ScheduleContext extends ScheduleServiceDeps {
  quotas: TenantQuotas
  queue: ExecutionQueue
  inserter: ScheduleInserter<ScheduleWarning[]>
}

/**
 * Schedule writes. Each runs in one Postgres transaction holding the schedule's row lock, and writes the
 * due-index entry (carrying the new version) before COMMIT: if Redis fails the transaction rolls back and
 * nothing changed; versions reach Redis in commit order because the row lock serialises writers.
 */
export function createScheduleService(deps: ScheduleServiceDeps) {
  const quotas = deps.quotas ?? DEFAULT_TENANT_QUOTAS
  const ctx: ScheduleContext = {
    ...deps,
    quotas,
    queue: createExecutionQueue(deps.redis, deps.keys),
    inserter: createScheduleInserter({
      sql: deps.sql,
      redis: deps.redis,
      keys: deps.keys,
      writeIndex: (row) => writeIndex(deps, row),
      // The (tenant, workflow_id) foreign key proves the workflow exists in this tenant: no SELECT needed.
      insertError: (err, row) => {
        if (isForeignKeyViolation(err)) return unknownWorkflow()
        if (isUniqueViolation(err)) return nameTakenError(row.name)
        return err
      },
      nameTaken: (row) => nameTakenError(row.name),
      maxSchedules: quotas.maxSchedules,
    }),
  }
  return {
    create: (p: Principal, body: ScheduleCreate) => createSchedule(ctx, p, body),
    update: (p: Principal, id: string, patch: SchedulePatch, opts?: UpdateOptions) =>
      updateSchedule(ctx, p, id, patch, opts),
    pause: (p: Principal, id: string, note: string | undefined) => pauseSchedule(ctx, p, id, note),
    resume: (p: Principal, id: string) => resumeSchedule(ctx, p, id),
    remove: (p: Principal, id: string) => deleteSchedule(ctx, p, id),
  }
}
export type ScheduleService = ReturnType<typeof createScheduleService>

async function createSchedule(
  ctx: ScheduleContext,
  p: Principal,
  body: ScheduleCreate,
): Promise<{ schedule: ScheduleRow; warnings: ScheduleWarning[] }> {
  const at = ctx.now()
  assertTimingValid(scheduleTimingOf(body), at)
  const row = newScheduleRow(uuidv7(), p.tenant, body, at)
  if (row.state === 'expired') {
    throw new AppError(
      'SCHED_ERR_CRON_NEVER_FIRES',
      'The schedule has no fire between startDate and endDate',
      [{ path: 'body.endDate', message: 'leaves no fire time in the future' }],
    )
  }
  // One single-statement transaction per create, committed after the index entry is written, grouped
  // with concurrent creates into one INSERT (see schedule-inserter.ts).
  const warnings = await ctx.inserter.insert(row, { actor: p.sub })
  return { schedule: row, warnings }
}

export interface UpdateOptions {
  /** Update only a schedule still at this version (checked under the row lock), else SCHED_ERR_CONFLICT. */
  expectedVersion?: number
}

async function updateSchedule(
  ctx: ScheduleContext,
  p: Principal,
  id: string,
  patch: SchedulePatch,
  opts: UpdateOptions = {},
) {
  const at = ctx.now()
  return ctx.db
    .transaction(async (tx) => {
      const repo = createSchedulesRepo(tx)
      const current = await repo.get(p.tenant, id, { forUpdate: true })
      if (!current) throw notFound(id)
      if (opts.expectedVersion !== undefined && current.version !== opts.expectedVersion) {
        throw new AppError('SCHED_ERR_CONFLICT', `Schedule ${id} is at version ${current.version}`)
      }
      const timing = patchedTiming(current, patch)
      assertTimingValid(timing, at)
      if (patch.workflowId && patch.workflowId !== current.workflowId) {
        await assertWorkflow(tx, p.tenant, patch.workflowId)
      }
      const enabled = patch.enabled ?? current.enabled
      const maxExecutions = patch.maxExecutions === undefined ? current.maxExecutions : patch.maxExecutions
      const plan = planSchedule(
        { ...timing, enabled, maxExecutions, executionCount: current.executionCount },
        at,
      )
      // Fires recorded ahead of their time under the old definition never happen; they are re-recorded from
      // the new one.
      const dropped = await repo.deleteFutureFires(id, at)
      // Disabling stops, like a pause: fires whose time has come but that have not started never start.
      const skipped = enabled ? [] : await repo.skipUnstartedFires(id, at, 'paused')
      // An unchanged timing keeps the pending fire (which may be due right now, or was recorded ahead and
      // just dropped) instead of skipping past it.
      const keepPending =
        !timingChanged(current, timing) &&
        plan.state === 'active' &&
        current.state === 'active' &&
        current.nextRunAt
      const row = await repo
        .update(p.tenant, id, {
          ...patchedColumns(patch),
          ...timing,
          enabled,
          maxExecutions,
          state: plan.state,
          pausedNote: plan.state === 'paused' ? current.pausedNote : null,
          nextRunAt: keepPending ? earliest(current.nextRunAt, dropped) : plan.nextRunAt,
          conflictProfile: plan.state === 'active' ? scheduleConflictProfile(timing, at) : '',
          version: current.version + 1,
          updatedAt: at,
        })
        .catch((err) => nameTaken(err, patch.name ?? current.name))
      await auditChange(tx, p, { type: 'schedule', id }, 'schedule.updated', at, {
        fields: Object.keys(patch),
        version: row!.version,
      })
      const warnings = await writeIndex(ctx, row!)
      return { schedule: row!, warnings, dropped: [...dropped, ...skipped] }
    })
    .then(({ dropped, ...result }) => {
      forgetQueued(ctx, dropped)
      return result
    })
}

/** The timing after a PATCH: the fields given, the row's for the others. */
function patchedTiming(current: ScheduleRow, patch: SchedulePatch): ScheduleTiming {
  const date = (value: string | null | undefined, was: Date | null) =>
    value === undefined ? was : value ? new Date(value) : null
  return {
    cronExpression: patch.cronExpression ?? current.cronExpression,
    timezone: patch.timezone ?? current.timezone,
    startDate: date(patch.startDate, current.startDate),
    endDate: date(patch.endDate, current.endDate),
  }
}

function timingChanged(current: ScheduleRow, timing: ScheduleTiming): boolean {
  return (
    timing.cronExpression !== current.cronExpression ||
    timing.timezone !== current.timezone ||
    timing.startDate?.getTime() !== current.startDate?.getTime() ||
    timing.endDate?.getTime() !== current.endDate?.getTime()
  )
}

/** The definition columns a PATCH changes besides the timing, enabled and maxExecutions. */
function patchedColumns(patch: SchedulePatch) {
  return {
    ...(patch.workflowId !== undefined && { workflowId: patch.workflowId }),
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.input !== undefined && { input: patch.input }),
    ...(patch.priority !== undefined && { priority: patch.priority }),
    ...(patch.retryPolicy !== undefined && {
      retryPolicy: { ...SCHEDULE_DEFAULTS.retryPolicy, ...patch.retryPolicy },
    }),
    ...(patch.overlapPolicy !== undefined && { overlapPolicy: patch.overlapPolicy }),
    ...(patch.misfirePolicy !== undefined && { misfirePolicy: patch.misfirePolicy }),
    ...(patch.catchupWindowMs !== undefined && { catchupWindowMs: patch.catchupWindowMs }),
    ...(patch.jitterMs !== undefined && { jitterMs: patch.jitterMs }),
    ...(patch.metadata !== undefined && { metadata: patch.metadata }),
  }
}

async function pauseSchedule(
  ctx: ScheduleContext,
  p: Principal,
  id: string,
  note: string | undefined,
): Promise<ScheduleRow> {
  const at = ctx.now()
  return ctx.db
    .transaction(async (tx) => {
      const repo = createSchedulesRepo(tx)
      const current = await repo.get(p.tenant, id, { forUpdate: true })
      if (!current) throw notFound(id)
      if (current.state === 'completed' || current.state === 'expired') {
        throw new AppError(
          'SCHED_ERR_INVALID_STATE',
          `The schedule is ${current.state}; there is nothing to pause`,
        )
      }
      const dropped = [
        ...(await repo.deleteFutureFires(id, at)),
        ...(await repo.skipUnstartedFires(id, at, 'paused')),
      ]
      const row = (await repo.update(p.tenant, id, {
        enabled: false,
        state: 'paused',
        pausedNote: note ?? current.pausedNote ?? null,
        nextRunAt: null,
        conflictProfile: '',
        version: current.version + 1,
        updatedAt: at,
      }))!
      await auditChange(tx, p, { type: 'schedule', id }, 'schedule.paused', at, {
        note: row.pausedNote,
        version: row.version,
      })
      await writeIndex(ctx, row)
      return { row, dropped }
    })
    .then(({ row, dropped }) => {
      forgetQueued(ctx, dropped)
      return row
    })
}

async function resumeSchedule(ctx: ScheduleContext, p: Principal, id: string): Promise<ScheduleRow> {
  const at = ctx.now()
  return ctx.db.transaction(async (tx) => {
    const repo = createSchedulesRepo(tx)
    const current = await repo.get(p.tenant, id, { forUpdate: true })
    if (!current) throw notFound(id)
    if (current.state === 'completed' || current.state === 'expired') {
      throw new AppError('SCHED_ERR_INVALID_STATE', `The schedule is ${current.state}; it cannot be resumed`)
    }
    // The next fire is the first one after the resume: fires that fell in the pause are neither run nor recorded.
    const plan = planSchedule({ ...current, enabled: true }, at)
    const row = (await repo.update(p.tenant, id, {
      enabled: true,
      state: plan.state,
      pausedNote: null,
      nextRunAt: plan.nextRunAt,
      conflictProfile: plan.state === 'active' ? scheduleConflictProfile(current, at) : '',
      version: current.version + 1,
      updatedAt: at,
    }))!
    await auditChange(tx, p, { type: 'schedule', id }, 'schedule.resumed', at, {
      state: row.state,
      version: row.version,
    })
    await writeIndex(ctx, row)
    return row
  })
}

async function deleteSchedule(ctx: ScheduleContext, p: Principal, id: string): Promise<void> {
  const at = ctx.now()
  const dropped = await ctx.db.transaction(async (tx) => {
    const repo = createSchedulesRepo(tx)
    const current = await repo.get(p.tenant, id, { forUpdate: true })
    if (!current) throw notFound(id)
    const future = [
      ...(await repo.deleteFutureFires(id, at)),
      ...(await repo.skipUnstartedFires(id, at, 'deleted')),
    ]
    await repo.delete(p.tenant, id)
    await auditChange(tx, p, { type: 'schedule', id }, 'schedule.deleted', at, { name: current.name })
    await removeSchedule(ctx.redis, ctx.keys, { scheduleId: id })
    return future
  })
  forgetQueued(ctx, dropped)
}

/** Writes the row's due-index entry; the conflicts it found become the answer's warnings. */
async function writeIndex(
  ctx: Pick<ScheduleServiceDeps, 'redis' | 'keys'>,
  row: ScheduleRow,
): Promise<ScheduleWarning[]> {
  // Throws a 503 AppError when Redis is unavailable, which rolls the surrounding transaction back.
  const result = await upsertSchedule(ctx.redis, ctx.keys, dueEntryOf(row))
  if (!result.applied) {
    // A higher version is already indexed: only a writer that failed after indexing leaves that behind.
    // Our row lock makes this write the newest; the reconciler repairs the entry from Postgres.
    return []
  }
  const { total, scheduleIds, totalIsLowerBound } = result.conflicts
  if (total === 0) return []
  const count = totalIsLowerBound ? `At least ${total}` : `${total}`
  return [
    {
      type: 'conflict',
      message: `${count} other schedule${total === 1 ? '' : 's'} of this workflow fire${total === 1 && !totalIsLowerBound ? 's' : ''} within a minute of this one in the next 24 h`,
      scheduleIds,
      total,
      ...(totalIsLowerBound && { totalIsLowerBound: true as const }),
    },
  ]
}

async function assertWorkflow(tx: DbExecutor, tenant: string, workflowId: string) {
  const wf = await createWorkflowsRepo(tx).get(tenant, workflowId)
  if (!wf) throw unknownWorkflow()
}

/** After COMMIT: take dropped look-ahead fires and fires skipped by a stop out of Redis. Best effort: a runner
 * that dequeues an id whose row is gone or no longer startable drops it anyway (its start is conditional). */
function forgetQueued(ctx: ScheduleContext, dropped: { id: string }[]) {
  for (const { id } of dropped) ctx.queue.remove(id).catch(() => {})
}

function nameTaken(err: unknown, name: string): never {
  throw isUniqueViolation(err) ? nameTakenError(name) : err
}

/** The earlier of the pending fire and the earliest dropped look-ahead fire. */
function earliest(pending: Date | null, dropped: { scheduledFor: Date }[]): Date | null {
  let min = pending
  for (const d of dropped) if (!min || d.scheduledFor.getTime() < min.getTime()) min = d.scheduledFor
  return min
}

function nameTakenError(name: string): AppError {
  return new AppError('SCHED_ERR_NAME_TAKEN', `A schedule named '${name}' already exists in this tenant`, [
    { path: 'body.name', message: 'is already used in this tenant' },
  ])
}

function unknownWorkflow(): AppError {
  return new AppError('SCHED_ERR_WORKFLOW_UNKNOWN', 'workflowId names no workflow of this tenant', [
    { path: 'body.workflowId', message: 'does not name a workflow of this tenant' },
  ])
}

export function notFound(id: string): AppError {
  return new AppError('SCHED_ERR_NOT_FOUND', `No schedule ${id}`)
}

/** The schedule as the API shows it (shared with the worker's system events). */
export { toScheduleDto } from '@punctual/db'
