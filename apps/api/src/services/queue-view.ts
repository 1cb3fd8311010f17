import { AppError, type BlockedBy, type QueueItem } from '@punctual/core'
import { type QueueCursor, type WaitingRow, waitingPage } from '@punctual/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../plugins/auth.ts'
import type { ExecutionContext } from './executions.ts'

/**
 * `GET /api/queue` (http-api.md, Executions): the tenant's ready executions in the order workers take them,
 * then its delayed ones by `availableAt`, cursor-paginated. The list comes from Postgres (queue-view.ts in
 * packages/db); Redis tells what holds a ready one back (`blockedBy`): its workflow at `maxConcurrency`
 * (wf-cap / wf-running), its tenant at `TENANT_MAX_RUNNING` (the tenant's running slots), or buffer_one (a
 * fire held in Postgres until its schedule's earlier execution ends). With Redis down the list is still
 * answered, without `blockedBy` (a read served from Postgres keeps working).
 */

export interface QueueViewDeps {
  /** TENANT_MAX_RUNNING as the workers enforce it (0: no cap). */
  tenantMaxRunning: number
}

export interface QueuePage {
  items: QueueItem[]
  nextCursor: string | null
}

export async function queueView(
  ctx: ExecutionContext,
  deps: QueueViewDeps,
  p: Principal,
  query: { limit?: number | undefined; cursor?: string | undefined },
  log: FastifyBaseLogger,
): Promise<QueuePage> {
  const limit = query.limit ?? 50
  const rows = await waitingPage(ctx.sql, {
    tenant: p.tenant,
    nowMs: ctx.now().getTime(),
    limit,
    cursor: decodeQueueCursor(query.cursor),
  })
  const page = rows.slice(0, limit)
  const blocked = await blockers(ctx, deps, p.tenant, page, log)
  // Items are a few hundred bytes: 500 of them stay far below the 1 MiB page bound.
  return {
    items: page.map((r) => ({
      executionId: r.id,
      workflowId: r.workflowId,
      scheduleId: r.scheduleId,
      triggerId: r.triggerId,
      priority: r.priority,
      availableAt: new Date(r.availableAtMs).toISOString(),
      ...(blocked(r) && { blockedBy: blocked(r)! }),
    })),
    nextCursor: rows.length > limit ? encodeQueueCursor(page[page.length - 1]!) : null,
  }
}

/** What holds each ready row back, from one round trip to Redis (nothing when Redis cannot answer). */
async function blockers(
  ctx: ExecutionContext,
  deps: QueueViewDeps,
  tenant: string,
  rows: WaitingRow[],
  log: FastifyBaseLogger,
): Promise<(r: WaitingRow) => BlockedBy | undefined> {
  const ready = rows.filter((r) => r.phase === 'ready' && !r.held)
  let tenantFull = false
  let capped = new Set<string>()
  if (ready.length > 0) {
    try {
      const ids = [...new Set(ready.map((r) => r.workflowId))]
      const [depths, slots] = await Promise.all([
        deps.tenantMaxRunning > 0 ? ctx.queue.tenantDepths(tenant) : undefined,
        ctx.queue.workflowSlots(ids),
      ])
      tenantFull = depths !== undefined && depths.running >= deps.tenantMaxRunning
      capped = new Set(
        ids.filter((id) => {
          const s = slots.get(id)
          return s !== undefined && s.cap !== null && s.running >= s.cap
        }),
      )
    } catch (err) {
      log.warn({ err }, 'queue view without blockedBy: Redis did not answer')
    }
  }
  return (r) => {
    if (r.phase !== 'ready') return undefined
    if (r.held) return 'buffer_one'
    if (capped.has(r.workflowId)) return 'workflow_concurrency'
    if (tenantFull) return 'tenant_concurrency'
    return undefined
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function encodeQueueCursor(r: WaitingRow): string {
  const c = r.phase === 'ready' ? ['r', r.priority, r.scheduledForMs, r.id] : ['d', r.availableAtMs, r.id]
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url')
}

function decodeQueueCursor(cursor: string | undefined): QueueCursor | undefined {
  if (cursor === undefined) return undefined
  let c: unknown
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    c = null
  }
  const ms = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 8.64e15
  if (Array.isArray(c)) {
    const [phase, a, b, d] = c
    if (
      phase === 'r' &&
      c.length === 4 &&
      Number.isInteger(a) &&
      a >= 0 &&
      a <= 9 &&
      ms(b) &&
      UUID_RE.test(String(d))
    )
      return { phase: 'ready', priority: a, scheduledForMs: b, id: d }
    if (phase === 'd' && c.length === 3 && ms(a) && typeof b === 'string' && UUID_RE.test(b))
      return { phase: 'delayed', availableAtMs: a, id: b }
  }
  throw new AppError('SCHED_ERR_VALIDATION', 'cursor is not one this API returned', [
    { path: 'query.cursor', message: 'is not a valid cursor' },
  ])
}
