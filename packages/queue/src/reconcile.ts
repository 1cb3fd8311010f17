import { dueEntryCall } from './due-index.ts'
import { ScriptCodes, toQueueError } from './errors.ts'
import { createExecutionQueue } from './execution-queue.ts'
import type { EnqueueItem } from './execution-queue-api.ts'
import type { QueueKeys } from './keys.ts'
import type { Redis } from './redis.ts'
import { execPipeline, loadScripts, pipelineScript } from './script-loader.ts'
import { checkInt, invalid, unexpected } from './validate.ts'

/**
 * What the worker's reconciler calls to repair Redis from Postgres (issue 3 item 5): due entries missing or
 * stale, index entries of deleted schedules, queued executions Redis lost. Every call is idempotent and
 * safe to run beside the API and the schedulers: a repair never overwrites a newer API write and never
 * touches an entry a scheduler has claimed at the same version.
 */

export interface SyncDueEntry {
  scheduleId: string
  workflowId: string
  version: number
  /** null when the row is not active (paused, completed, expired). */
  nextRunAtMs: number | null
  /** The row's conflict profile ('' when not active). */
  conflictProfile: string
}

export interface SyncDueOptions {
  /**
   * The caller read the rows under FOR SHARE/FOR UPDATE locks and still holds them: Postgres is then
   * authoritative even where Redis holds a higher version (left by an API write whose transaction rolled
   * back after indexing). Without the locks, a higher version in Redis may be an API write about to commit,
   * so it is kept (reported `stale`).
   */
  authoritative?: boolean
  /** Entries per pipeline round trip (default 500). */
  chunkSize?: number
}

export interface SyncDueResult {
  /** Schedule ids whose entry was written (missing, wrong score, wrong version, wrong membership). */
  fixed: string[]
  unchanged: number
  /** Claimed at this version (a scheduler is on it), or Redis already ahead at this version. */
  skipped: number
  /** Redis holds a newer version than the row read (kept unless authoritative). */
  stale: string[]
}

export async function syncDueEntries(
  redis: Redis,
  keys: QueueKeys,
  entries: readonly SyncDueEntry[],
  opts: SyncDueOptions = {},
): Promise<SyncDueResult> {
  const chunkSize = opts.chunkSize ?? 500
  checkInt('chunkSize', chunkSize, 1, 10_000)
  const script = opts.authoritative ? 'forceRepairSchedule' : 'repairSchedule'
  // Validate everything before the first write.
  const calls = entries.map((e) => dueEntryCall(keys, e))
  loadScripts(redis)
  const result: SyncDueResult = { fixed: [], unchanged: 0, skipped: 0, stale: [] }
  for (let i = 0; i < calls.length; i += chunkSize) {
    const pipeline = redis.pipeline()
    const chunk = calls.slice(i, i + chunkSize)
    for (const call of chunk) pipelineScript(pipeline, script, call.keys, call.args)
    const replies = await execPipeline(pipeline, chunk.length, `${script} (pipeline)`)
    replies.forEach((reply, j) => {
      const id = entries[i + j]!.scheduleId
      const code = Array.isArray(reply) ? reply[0] : undefined
      if (code === ScriptCodes.OK) result.fixed.push(id)
      else if (code === ScriptCodes.UNCHANGED) result.unchanged++
      else if (code === ScriptCodes.SKIPPED) result.skipped++
      else if (code === ScriptCodes.STALE_VERSION) result.stale.push(id)
      else unexpected(script, reply)
    })
  }
  return result
}

export interface IndexedSchedulesPage {
  /** Pass back to get the next page; null when the scan is complete. */
  nextCursor: string | null
  /** May repeat an id seen on an earlier page (HSCAN guarantees every id present throughout is returned). */
  entries: { scheduleId: string; version: number }[]
}

/**
 * One page of the schedules the due-index knows (HSCAN of `dueVersion`, paused ones included), for finding
 * entries of schedules Postgres no longer has: call removeSchedule for those.
 */
export async function listIndexedScheduleIds(
  redis: Redis,
  keys: QueueKeys,
  cursor: string | null = null,
  count = 500,
): Promise<IndexedSchedulesPage> {
  checkInt('count', count, 1, 10_000)
  if (cursor !== null && !/^\d+$/.test(cursor))
    invalid(`cursor ${JSON.stringify(cursor)} is not an HSCAN cursor`)
  let reply: [string, string[]]
  try {
    reply = await redis.hscan(keys.dueVersion, cursor ?? '0', 'COUNT', count)
  } catch (err) {
    throw toQueueError(err)
  }
  const [next, flat] = reply
  const entries: IndexedSchedulesPage['entries'] = []
  for (let i = 0; i < flat.length; i += 2)
    entries.push({ scheduleId: flat[i]!, version: Number(flat[i + 1]) })
  return { nextCursor: next === '0' ? null : next, entries }
}

/**
 * Each id's priority as Redis holds it; `null` for an id Redis holds nowhere (not ready, delayed nor running):
 * an execution's hash, which always has a priority, exists exactly while its id is in one of the three sets.
 * One pipelined HGET per id.
 */
export async function executionPriorities(
  redis: Redis,
  keys: QueueKeys,
  ids: readonly string[],
): Promise<(number | null)[]> {
  if (ids.length === 0) return []
  const pipeline = redis.pipeline()
  for (const id of ids) pipeline.hget(keys.execution(id), 'priority')
  const replies = await execPipeline(pipeline, ids.length, 'hget priority (pipeline)')
  return replies.map((r) => (r === null || r === undefined ? null : Number(r)))
}

/**
 * Re-enqueues executions Postgres says are queued or retrying but Redis lost; an id Redis holds anywhere
 * (ready, delayed, running) is left as it is. Pass `availableAtMs` for retrying ones so the backoff holds.
 */
export async function ensureQueued(
  redis: Redis,
  keys: QueueKeys,
  items: readonly EnqueueItem[],
  now: number,
): Promise<{ enqueued: string[]; present: number }> {
  const { results } = await createExecutionQueue(redis, keys).enqueue(items, now)
  const enqueued = results.filter((r) => r.enqueued).map((r) => r.id)
  return { enqueued, present: results.length - enqueued.length }
}
