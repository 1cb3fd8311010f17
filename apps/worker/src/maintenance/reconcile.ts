import {
  type DbHandle,
  existingScheduleIds,
  scheduleDuePage,
  type UnfinishedRef,
  unfinishedExecutionPage,
  unfinishedExecutionsAmong,
  withCommittedPriorities,
} from '@punctual/db'
import {
  createExecutionQueue,
  ensureQueued,
  executionPriorities,
  listIndexedScheduleIds,
  type QueueKeys,
  type Redis,
  removeSchedule,
  syncDueEntries,
} from '@punctual/queue'
import { syncWorkflowCaps } from './reconcile-caps.ts'

export interface ReconcileResult {
  dueFixed: number
  dueStale: number
  indexRemoved: number
  requeued: number
  prioritiesFixed: number
  capsFixed: number
  capsRemoved: number
  durationMs: number
}

const PAGE = 2000

/**
 * Spreading a pass out: Redis runs a pipeline of script calls from one client without serving others in
 * between, so a pass over 10,000 schedules in pipelines of 500 held the runners' claims back for tens of ms
 * (seen in the firing-lag bench: a 1,000-fire burst took 230-290 ms instead of 90-100 when a periodic pass
 * ran beside it). With a pace, Redis writes go `chunk` at a time with `pauseMs` between them.
 */
export interface ReconcilePace {
  chunk: number
  pauseMs: number
}

/** The periodic pass (the one at start runs unpaced). */
export const PERIODIC_PACE: ReconcilePace = { chunk: 100, pauseMs: 5 }

/** Runs `fn` over `items` in chunks, pausing between chunks when paced. */
async function inChunks<T>(
  items: readonly T[],
  pace: ReconcilePace | undefined,
  fn: (chunk: T[]) => Promise<void>,
) {
  const size = pace?.chunk ?? items.length
  for (let i = 0; i < items.length; i += size) {
    if (i > 0 && pace) await new Promise((r) => setTimeout(r, pace.pauseMs))
    await fn(items.slice(i, i + size))
  }
}

interface ReconcileDeps {
  db: DbHandle
  redis: Redis
  keys: QueueKeys
  now?: () => number
  pace?: ReconcilePace
}

const FIRST_ID = '00000000-0000-0000-0000-000000000000'

/**
 * Repairs the Redis side from Postgres, the source of truth (issue 3 item 5): due-index entries missing or with
 * a stale score/version (a lost Redis, a FLUSHDB), entries of schedules that no longer exist, workflow
 * concurrency caps (reconcile-caps.ts), and executions Postgres says are queued or retrying that Redis lost
 * (re-enqueued into their tenants' lines, under caps already back). Every step is idempotent and safe beside
 * the API and the schedulers (see @punctual/queue reconcile.ts): it never overwrites a newer API write nor a
 * claimed entry.
 */
export async function reconcile(deps: ReconcileDeps) {
  const started = performance.now()
  const result: ReconcileResult = {
    dueFixed: 0,
    dueStale: 0,
    indexRemoved: 0,
    requeued: 0,
    prioritiesFixed: 0,
    capsFixed: 0,
    capsRemoved: 0,
    durationMs: 0,
  }
  await syncDueIndex(deps, result)
  await removeOrphanEntries(deps, result)
  // Caps before executions: after a FLUSHDB, work of a capped workflow queued again before its cap is back
  // would be claimed past it (seen in e2e/caps-recovery.test.ts: 3 runs at once of a maxConcurrency 1).
  Object.assign(result, await syncWorkflowCaps(deps))
  await requeueLostExecutions(deps, result)
  result.durationMs = performance.now() - started
  return result
}

/** 1. Every schedule's due entry, in pages by id. */
async function syncDueIndex(deps: ReconcileDeps, result: ReconcileResult) {
  for (let after = FIRST_ID; ; ) {
    const rows = await scheduleDuePage(deps.db.sql, after, PAGE)
    if (rows.length === 0) break
    await inChunks(rows, deps.pace, async (chunk) => {
      const sync = await syncDueEntries(
        deps.redis,
        deps.keys,
        chunk.map((r) => ({
          scheduleId: r.id,
          workflowId: r.workflow_id,
          version: r.version,
          nextRunAtMs: r.state === 'active' && r.next_run_at ? Date.parse(r.next_run_at) : null,
          conflictProfile: r.state === 'active' ? r.conflict_profile : '',
        })),
      )
      result.dueFixed += sync.fixed.length
      result.dueStale += sync.stale.length
    })
    after = rows[rows.length - 1]!.id
    if (rows.length < PAGE) break
  }
}

/**
 * 2. Index entries whose schedule is gone. An entry whose row is not visible YET (an API create between its
 *    index write and its COMMIT) looks the same for a moment, so only entries still orphaned on a second look
 *    a little later are removed.
 */
async function removeOrphanEntries(deps: ReconcileDeps, result: ReconcileResult) {
  const orphans = new Set<string>()
  let cursor: string | null = null
  do {
    const page = await listIndexedScheduleIds(deps.redis, deps.keys, cursor, PAGE)
    cursor = page.nextCursor
    const ids = page.entries.map((e) => e.scheduleId)
    if (ids.length === 0) continue
    const present = await existingScheduleIds(deps.db.sql, ids)
    for (const id of ids) if (!present.has(id)) orphans.add(id)
  } while (cursor)
  if (orphans.size === 0) return
  await new Promise((r) => setTimeout(r, 1000))
  const ids = [...orphans]
  const present = await existingScheduleIds(deps.db.sql, ids)
  for (const id of ids) {
    if (present.has(id)) continue
    await removeSchedule(deps.redis, deps.keys, { scheduleId: id })
    result.indexRemoved++
  }
}

/**
 * 4. Executions Postgres holds as queued, retrying or running (not held back by buffer_one) that Redis lost;
 *    a running one whose lease vanished with Redis is dropped by its runner, so it must be queued again.
 *    Redis is asked first and Postgres confirms after: a row read as queued may have run and ended (and left
 *    Redis) while the pass went on; without the second look, a busy system got thousands of finished
 *    executions queued again per pass (each dequeued, found not startable and dropped: seen as a 3-4 s lag
 *    spike at 5,000 fires/s). An id Redis lacks and Postgres still calls unfinished after that is lost.
 *    The same read finds executions whose Redis priority differs from Postgres's (repairPriorities).
 */
async function requeueLostExecutions(deps: ReconcileDeps, result: ReconcileResult) {
  for (let after = FIRST_ID; ; ) {
    const refs = await unfinishedExecutionPage(deps.db.sql, after, PAGE)
    if (refs.length === 0) break
    await inChunks(refs, deps.pace, async (chunk) => {
      const held = await executionPriorities(
        deps.redis,
        deps.keys,
        chunk.map((r) => r.id),
      )
      const missing = chunk.filter((_, i) => held[i] === null).map((r) => r.id)
      const drifted = chunk.filter((r, i) => held[i] !== null && held[i] !== r.priority).map((r) => r.id)
      if (missing.length > 0) result.requeued += await requeue(deps, missing)
      if (drifted.length > 0) result.prioritiesFixed += await repairPriorities(deps, drifted)
    })
    after = refs[refs.length - 1]!.id
    if (refs.length < PAGE) break
  }
}

/** Re-enqueues the ids among `missing` that Postgres still calls unfinished; returns how many went in. */
async function requeue(deps: ReconcileDeps, missing: string[]): Promise<number> {
  const lost = await unfinishedExecutionsAmong(deps.db.sql, missing)
  if (lost.length === 0) return 0
  const { enqueued } = await ensureQueued(
    deps.redis,
    deps.keys,
    lost.map((r) => ({
      id: r.id,
      priority: r.priority,
      scheduledForMs: Date.parse(r.scheduled_for),
      availableAtMs: r.available_at ? Date.parse(r.available_at) : Date.parse(r.scheduled_for),
      attempt: r.attempt,
      tenant: r.tenant,
      workflowId: r.workflow_id,
      kind: r.kind,
      ...(r.schedule_id ? { scheduleId: r.schedule_id } : {}),
    })),
    (deps.now ?? Date.now)(),
  )
  return enqueued.length
}

/**
 * Sets Redis's priority of each drifted id to what Postgres committed. A difference seen by the page read may
 * be a PATCH between its Redis write and its COMMIT, so the rows are read again under FOR SHARE (waiting for
 * that PATCH, and keeping the next one from reaching Redis) and Redis is asked again before it is written.
 */
async function repairPriorities(deps: ReconcileDeps, drifted: string[]): Promise<number> {
  const queue = createExecutionQueue(deps.redis, deps.keys)
  let fixed = 0
  await withCommittedPriorities(deps.db.sql, drifted, async (rows: readonly UnfinishedRef[]) => {
    const held = await executionPriorities(
      deps.redis,
      deps.keys,
      rows.map((r) => r.id),
    )
    for (const [i, row] of rows.entries()) {
      if (held[i] === null || held[i] === row.priority) continue
      if (await queue.setPriority(row.id, row.priority)) fixed++
    }
  })
  return fixed
}
