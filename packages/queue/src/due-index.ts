import type { Redis } from 'ioredis'
import { QueueError, ScriptCodes } from './errors.ts'
import type { QueueKeys } from './keys.ts'
import { loadScripts } from './script-loader.ts'
import { checkId, invalid, unexpected } from './validate.ts'

/**
 * The due-index (see docs/design-notes.md): ZSET `due` (scheduleId → next fire ms) guarded by HASH
 * `dueVersion`, plus the per-minute conflict index used for the "fires within a minute of another schedule
 * of the same workflow" warning. Each write is ONE script call, so the API pays one Redis round trip inside
 * its Postgres transaction. Every rejection is a QueueError (Redis down → SCHED_ERR_DEPENDENCY_DOWN, 503).
 */

export const MINUTES_PER_DAY = 1440
/** How many conflicting schedule ids an upsert reports at most (the total is always exact). */
export const MAX_CONFLICT_IDS = 10

export interface UpsertScheduleInput {
  scheduleId: string
  workflowId: string
  /** The row's version; Redis ignores the write when it already holds a higher one. */
  version: number
  /** Next fire time in ms, or null when the schedule will not fire (paused, completed, expired). */
  nextRunAtMs: number | null
  /** UTC minutes-of-day (0..1439) the schedule fires at, from the core cron engine. */
  fireMinutes: readonly number[]
}

export interface ScheduleConflicts {
  /** Exact number of distinct other schedules of the workflow firing within ±1 minute. */
  total: number
  /** At most MAX_CONFLICT_IDS of them, ascending (byte order). */
  scheduleIds: string[]
}

export interface UpsertScheduleResult {
  /** false: Redis holds a higher version (a stale writer); nothing was changed. */
  applied: boolean
  /** The version Redis holds after the call. */
  version: number
  /** Empty when not applied or when the schedule has no next fire. */
  conflicts: ScheduleConflicts
}

export interface DueEntry {
  /** Next fire time in ms; null when the schedule is indexed (has a version) but has no next fire. */
  scoreMs: number | null
  version: number
}

const NO_CONFLICTS = (): ScheduleConflicts => ({ total: 0, scheduleIds: [] })

/** Distinct minutes, ascending; throws on anything outside 0..1439. */
export function normalizeFireMinutes(minutes: readonly number[]): number[] {
  for (const m of minutes) {
    if (!Number.isInteger(m) || m < 0 || m >= MINUTES_PER_DAY) invalid(`fire minute ${m} is not in 0..1439`)
  }
  return [...new Set(minutes)].sort((a, b) => a - b)
}

/** How the upsert script treats versions: the API's write, or the reconciler's repair from a Postgres read. */
export type UpsertMode = '' | 'repair' | 'force'

/** Validates an upsert and builds the script's keys and arguments (shared with the reconciler's batches). */
export function upsertScheduleCall(
  keys: QueueKeys,
  input: UpsertScheduleInput,
  mode: UpsertMode,
): { keys: string[]; args: (string | number)[] } {
  const { scheduleId, workflowId, version, nextRunAtMs } = input
  checkId('scheduleId', scheduleId)
  checkId('workflowId', workflowId)
  if (workflowId.includes('|')) invalid('workflowId must not contain "|"')
  if (!Number.isSafeInteger(version) || version < 0) invalid(`version ${version} is not a safe integer >= 0`)
  if (nextRunAtMs !== null && !Number.isSafeInteger(nextRunAtMs)) {
    invalid(`nextRunAtMs ${nextRunAtMs} is not a safe integer`)
  }
  const minutes = normalizeFireMinutes(input.fireMinutes)
  return {
    keys: [
      keys.due,
      keys.dueVersion,
      keys.scheduleMinutes,
      keys.workflowMinutes(workflowId),
      keys.dueClaims,
      keys.dueClaimInfo,
    ],
    args: [
      scheduleId,
      version,
      nextRunAtMs === null ? '' : nextRunAtMs,
      workflowId,
      minutes.join(','),
      keys.workflowMinutesPrefix,
      MAX_CONFLICT_IDS,
      mode,
    ],
  }
}

/**
 * The API's write of a schedule's entry. Applied when the version is at least the stored one; an applied
 * write also ends any fire claim on the schedule, so a claimer finishing later cannot undo it.
 */
export async function upsertSchedule(
  redis: Redis,
  keys: QueueKeys,
  input: UpsertScheduleInput,
): Promise<UpsertScheduleResult> {
  const call = upsertScheduleCall(keys, input, '')
  const reply = await loadScripts(redis).upsertSchedule(call.keys, call.args)
  if (!Array.isArray(reply)) unexpected('upsert-schedule', reply)
  const [code, storedVersion, total, ...ids] = reply as [number, string?, number?, ...string[]]
  switch (code) {
    case ScriptCodes.OK:
      return {
        applied: true,
        version: Number(storedVersion),
        conflicts: { total: Number(total), scheduleIds: ids },
      }
    case ScriptCodes.STALE_VERSION:
      return { applied: false, version: Number(storedVersion), conflicts: NO_CONFLICTS() }
    case ScriptCodes.KEY_MISMATCH:
      throw new QueueError('QUEUE_ERR_INVALID_INPUT', 'workflow key does not match the key prefix')
    default:
      unexpected('upsert-schedule', reply)
  }
}

/** Deletes the due entry, the version, any fire claim and the conflict-index membership of a deleted schedule. */
export async function removeSchedule(
  redis: Redis,
  keys: QueueKeys,
  input: { scheduleId: string },
): Promise<{ removed: boolean }> {
  checkId('scheduleId', input.scheduleId)
  const reply = await loadScripts(redis).removeSchedule(
    [keys.due, keys.dueVersion, keys.scheduleMinutes, keys.dueClaims, keys.dueClaimInfo],
    [input.scheduleId, keys.workflowMinutesPrefix],
  )
  if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) unexpected('remove-schedule', reply)
  return { removed: reply[0] === 1 }
}

/** The schedule's due entry and version, read atomically; null when the schedule is not indexed at all. */
export async function getDueEntry(
  redis: Redis,
  keys: QueueKeys,
  scheduleId: string,
): Promise<DueEntry | null> {
  checkId('scheduleId', scheduleId)
  const reply = await loadScripts(redis).getDueEntry([keys.due, keys.dueVersion], [scheduleId])
  if (!Array.isArray(reply) || reply[0] !== ScriptCodes.OK) unexpected('get-due-entry', reply)
  const [, score, version] = reply as [number, string | null, string | null]
  if (score === null && version === null) return null
  return { scoreMs: score === null ? null : Number(score), version: version === null ? 0 : Number(version) }
}
