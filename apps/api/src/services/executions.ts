import { AppError, type TriggerBody, uuidv7, type WorkerInfo } from '@punctual/core'
import {
  type CountsByStatus,
  createExecutionsRepo,
  createSchedulesRepo,
  type DbExecutor,
  type ExecutionRow,
  type NewExecutionRow,
  type TenantExecutionStats,
} from '@punctual/db'
import {
  createExecutionQueue,
  type ExecutionQueue,
  type QueueKeys,
  type QueueStatsAt,
  type Redis,
  toQueueError,
} from '@punctual/queue'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../plugins/auth.ts'
import { notFound as scheduleNotFound } from './schedules.ts'

export interface ExecutionServiceDeps {
  db: DbExecutor
  redis: Redis
  keys: QueueKeys
  now: () => Date
  /** For log lines outside a request; a request passes its own logger (its lines then carry its reqId). */
  log: FastifyBaseLogger
}

/** A heartbeat older than this is a dead worker (workers beat every 5 s). */
export const WORKER_FRESH_MS = 15_000

export interface TenantStats extends Omit<TenantExecutionStats, 'dead' | 'schedulesByState'> {
  schedules: TenantExecutionStats['schedulesByState']
  queue: {
    due: number | null
    overdue: number | null
    ready: number | null
    running: number | null
    retrying: number | null
    dead: number
  }
  workersAlive: number | null
  generatedAt: string
}

/** What a scrape of /metrics reads: everything deployment-wide, Redis and Postgres in parallel. */
export interface MetricsSnapshot {
  queue: QueueStatsAt | null
  executionsLastHour: CountsByStatus | null
  workers: WorkerInfo[] | null
}

/**
 * Execution writes of the API (issue 3, "Executions: who writes what"): manual triggers and redrives create a
 * `queued` row (attempt 0; the runner makes it 1 when it starts), commit it, then enqueue it in Redis. A Redis
 * failure after the commit is not an error: the row is durable and the reconciler re-enqueues queued rows that
 * Redis lacks, so the answer stays 202. A cancel is one conditional UPDATE (see requestCancel); cancelling a
 * waiting fire also releases the fire its schedule's buffer_one held back, as the runner does when a fire ends.
 */
export function createExecutionService(deps: ExecutionServiceDeps) {
  const { db, redis, keys, now } = deps
  const executions = createExecutionsRepo(db)
  const schedules = createSchedulesRepo(db)
  const queue: ExecutionQueue = createExecutionQueue(redis, keys)

  async function enqueueAfterCommit(
    row: NewExecutionRow & { id: string; scheduledFor: Date },
    log: FastifyBaseLogger,
  ) {
    const at = now().getTime()
    try {
      await queue.enqueue(
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

  async function readWorkers(at: Date): Promise<WorkerInfo[]> {
    let raw: Record<string, string>
    try {
      raw = await redis.hgetall(keys.workers)
    } catch (err) {
      throw toQueueError(err)
    }
    const fresh = at.getTime() - WORKER_FRESH_MS
    const items: WorkerInfo[] = []
    for (const json of Object.values(raw)) {
      const w = parseHeartbeat(json)
      if (w && Date.parse(w.lastSeenAt) >= fresh) items.push(w)
    }
    return items.sort((a, b) => a.id.localeCompare(b.id))
  }

  /** Redis-side figures are optional in reads: with Redis down they are null, the Postgres ones still served. */
  async function orNullWhenRedisDown<T>(work: () => Promise<T>, log: FastifyBaseLogger): Promise<T | null> {
    try {
      return await work()
    } catch (err) {
      const qe = toQueueError(err)
      if (qe.queueCode !== 'QUEUE_ERR_REDIS_UNAVAILABLE') throw qe
      log.warn({ err }, 'Redis unavailable: figures it holds left out')
      return null
    }
  }

  return {
    async trigger(
      p: Principal,
      scheduleId: string,
      body: TriggerBody,
      log: FastifyBaseLogger = deps.log,
    ): Promise<{ executionId: string }> {
      const schedule = await schedules.find(p.tenant, scheduleId)
      if (!schedule) throw scheduleNotFound(scheduleId)
      // Any state: a paused, completed or expired schedule may still be run by hand (Temporal's trigger).
      const at = now()
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
      await executions.insert(row)
      await enqueueAfterCommit(row, log)
      return { executionId: row.id }
    },

    async redrive(
      p: Principal,
      id: string,
      log: FastifyBaseLogger = deps.log,
    ): Promise<{ executionId: string }> {
      const dead = await executions.find(p.tenant, id)
      if (!dead) throw notFound(id)
      if (dead.status !== 'dead') {
        throw new AppError(
          'SCHED_ERR_INVALID_STATE',
          `Execution ${id} is ${dead.status}; only a dead execution can be retried`,
        )
      }
      const at = now()
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
      await executions.insert(row)
      await enqueueAfterCommit(row, log)
      return { executionId: row.id }
    },

    /**
     * queued/retrying → cancelled in Postgres, then taken out of Redis (best effort: a runner that dequeues
     * a row that is no longer startable drops it). running → cancel_requested_at set, then the id published
     * on the cancel channel for the owner to abort its step; if Redis cannot take the message the request is
     * rolled back and answered 503, so a 202 means the owner was told.
     */
    async cancel(p: Principal, id: string, log: FastifyBaseLogger = deps.log): Promise<ExecutionRow> {
      const at = now()
      const { row, released } = await db.transaction(async (tx) => {
        const repo = createExecutionsRepo(tx)
        const current = await repo.find(p.tenant, id)
        if (!current) throw notFound(id)
        // Ending a waiting fire may free its schedule's buffer_one slot: like the runner ending one, hold the
        // schedule's lock (the scheduler decides "buffer" under it) and release the held fire.
        const freesSlot =
          current.kind === 'fire' &&
          current.scheduleId !== null &&
          !current.held &&
          current.status !== 'running'
        if (freesSlot) await repo.lockSchedule(current.scheduleId!)
        const updated = await repo.requestCancel(p.tenant, id, at)
        if (!updated) {
          const status = (await repo.find(p.tenant, id))?.status ?? current.status
          throw new AppError(
            'SCHED_ERR_INVALID_STATE',
            `Execution ${id} is already ${status}; only queued, running or retrying executions can be cancelled`,
          )
        }
        if (updated.status === 'running') {
          try {
            await redis.publish(keys.cancelChannel, id)
          } catch (err) {
            throw toQueueError(err)
          }
          return { row: updated, released: undefined }
        }
        const released = freesSlot ? await repo.releaseHeldFire(current.scheduleId!, at) : undefined
        return { row: updated, released }
      })
      if (row.status === 'cancelled') {
        await queue.cancel(id).catch((err: unknown) => {
          log.warn({ err, executionId: id }, 'cancelled execution not removed from Redis; runners drop it')
        })
      }
      if (released) await enqueueAfterCommit(released, log)
      return row
    },

    async stats(p: Principal, log: FastifyBaseLogger = deps.log): Promise<TenantStats> {
      const at = now()
      const [pg, depths, workers] = await Promise.all([
        executions.tenantStats(p.tenant, at),
        orNullWhenRedisDown(() => queue.stats(at.getTime()), log),
        orNullWhenRedisDown(() => readWorkers(at), log),
      ])
      return {
        schedules: pg.schedulesByState,
        lastHour: pg.lastHour,
        lastDay: pg.lastDay,
        queue: {
          due: depths ? depths.dueSchedules + depths.claimedSchedules : null,
          overdue: depths ? depths.overdueSchedules : null,
          ready: depths?.ready ?? null,
          running: depths?.running ?? null,
          retrying: depths?.delayed ?? null,
          dead: pg.dead,
        },
        firingLagMs: pg.firingLagMs,
        workersAlive: workers ? workers.length : null,
        generatedAt: at.toISOString(),
      }
    },

    /** Live workers (fresh heartbeats), deployment-wide. Redis down → 503. */
    workers: () => readWorkers(now()),

    async metricsSnapshot(): Promise<MetricsSnapshot> {
      const at = now()
      const [queueStats, executionsLastHour, workers] = await Promise.all([
        orNullWithin(SCRAPE_BUDGET_MS, queue.stats(at.getTime())),
        orNullWithin(SCRAPE_BUDGET_MS, executions.countByStatusSince(new Date(at.getTime() - 3_600_000))),
        orNullWithin(SCRAPE_BUDGET_MS, readWorkers(at)),
      ])
      return { queue: queueStats, executionsLastHour, workers }
    },
  }
}
export type ExecutionService = ReturnType<typeof createExecutionService>

export function notFound(id: string): AppError {
  return new AppError('SCHED_ERR_NOT_FOUND', `No execution ${id}`)
}

function parseHeartbeat(json: string): WorkerInfo | null {
  try {
    const w = JSON.parse(json) as WorkerInfo
    if (
      typeof w?.id !== 'string' ||
      typeof w.lastSeenAt !== 'string' ||
      Number.isNaN(Date.parse(w.lastSeenAt))
    )
      return null
    return w
  } catch {
    return null
  }
}

/** A scrape must not hang on a silent dependency. */
const SCRAPE_BUDGET_MS = 2000

/** The value, or null when the work fails or takes longer than `ms`. */
async function orNullWithin<T>(ms: number, work: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms)
  })
  try {
    return await Promise.race([work.catch(() => null), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The execution as the API shows it (shared with the worker's system events). */
export { toExecutionDto } from '@punctual/db'
