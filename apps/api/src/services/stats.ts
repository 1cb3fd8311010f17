import type { WorkerInfo } from '@punctual/core'
import type { CountsByStatus, TenantExecutionStats } from '@punctual/db'
import { type QueueStatsAt, toQueueError } from '@punctual/queue'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../plugins/auth.ts'
import type { ExecutionContext } from './executions.ts'

/**
 * The read-side figures: a tenant's stats (GET /api/schedules/stats), the live workers (GET /api/workers) and
 * the deployment-wide snapshot a /metrics scrape reads. Postgres and Redis are read in parallel; the Redis
 * side may be missing (null) while Postgres answers.
 */

/** A heartbeat older than this is a dead worker (workers beat every 5 s). */
export const WORKER_FRESH_MS = 15_000

export interface TenantStats
  extends Omit<TenantExecutionStats, 'dead' | 'schedulesByState' | 'dueSchedules' | 'overdueSchedules'> {
  schedules: TenantExecutionStats['schedulesByState']
  queue: {
    due: number | null
    overdue: number | null
    ready: number | null
    running: number | null
    retrying: number | null
    /** The tenant's dead-letter queue (see dead-letter.ts), counted by the same statement as the rest. */
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

export async function tenantStats(
  ctx: ExecutionContext,
  p: Principal,
  log: FastifyBaseLogger,
): Promise<TenantStats> {
  const at = ctx.now()
  // Every figure is the tenant's own: schedules from its rows, queue depths from its own counters in Redis
  // (tenant:<tenant>, kept by the queue scripts), never a scan of other tenants' entries.
  const [pg, depths, workers] = await Promise.all([
    ctx.executions.tenantStats(p.tenant, at),
    orNullWhenRedisDown(() => ctx.queue.tenantDepths(p.tenant), log),
    orNullWhenRedisDown(() => readWorkers(ctx, at), log),
  ])
  return {
    schedules: pg.schedulesByState,
    lastHour: pg.lastHour,
    lastDay: pg.lastDay,
    queue: {
      due: pg.dueSchedules,
      overdue: pg.overdueSchedules,
      ready: depths?.ready ?? null,
      running: depths?.running ?? null,
      retrying: depths?.delayed ?? null,
      dead: pg.dead,
    },
    firingLagMs: pg.firingLagMs,
    workersAlive: workers ? workers.length : null,
    generatedAt: at.toISOString(),
  }
}

/** Workers with a fresh heartbeat, by id. Redis down → the queue's 503 error. */
export async function readWorkers(ctx: ExecutionContext, at: Date): Promise<WorkerInfo[]> {
  let raw: Record<string, string>
  try {
    raw = await ctx.redis.hgetall(ctx.keys.workers)
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

export async function metricsSnapshot(ctx: ExecutionContext): Promise<MetricsSnapshot> {
  const at = ctx.now()
  const [queueStats, executionsLastHour, workers] = await Promise.all([
    orNullWithin(SCRAPE_BUDGET_MS, ctx.queue.stats(at.getTime())),
    orNullWithin(SCRAPE_BUDGET_MS, ctx.executions.countByStatusSince(new Date(at.getTime() - 3_600_000))),
    orNullWithin(SCRAPE_BUDGET_MS, readWorkers(ctx, at)),
  ])
  return { queue: queueStats, executionsLastHour, workers }
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
