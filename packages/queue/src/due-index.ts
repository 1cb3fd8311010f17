import { type ConflictProfile, isConflictProfile } from '@punctual/core'
import { QueueError, ScriptCodes } from './errors.ts'
import type { QueueKeys } from './keys.ts'
import type { Redis } from './redis.ts'
import { loadScripts } from './script-loader.ts'
import { checkId, invalid, unexpected } from './validate.ts'

/**
 * The due-index (see docs/design-notes.md): ZSET `due` (scheduleId → next fire ms) guarded by HASH
 * `dueVersion`, plus the conflict index used for the "fires within a minute of another schedule of the same
 * workflow" warning (scripts/includes/conflict-index.lua: dense, hourly and other schedules, bounded cost). Each write is ONE script call, so the API pays one Redis round trip inside
 * its Postgres transaction. Every rejection is a QueueError (Redis down → SCHED_ERR_DEPENDENCY_DOWN, 503).
 */

/** How many conflicting schedule ids an upsert reports at most. */
export const MAX_CONFLICT_IDS = 10
/** The conflict total is exact while at most this many other schedules conflict (a lower bound past it). */
export const CONFLICT_EXACT_UP_TO = 100
/**
 * Index entries one conflict lookup reads at most. An hourly or other schedule has at most
 * CONFLICT_FREQUENT_MINUTES (96) entries near any profile (one firing in more minutes is `F`, counted from
 * bitmaps), so the lookup finds more than CONFLICT_EXACT_UP_TO schedules within (100 + 1) × 96 = 9,696
 * entries: the budget never cuts a count short of the bound.
 */
export const CONFLICT_SCAN_BUDGET = 10_000

export interface UpsertScheduleInput {
  scheduleId: string
  workflowId: string
  /** The row's version; Redis ignores the write when it already holds a higher one. */
  version: number
  /** Next fire time in ms, or null when the schedule will not fire (paused, completed, expired). */
  nextRunAtMs: number | null
  /** The schedule's conflict profile (core conflictProfile of its fire minutes); '' when it does not fire. */
  conflictProfile: ConflictProfile
}

export interface ScheduleConflicts {
  /**
   * Number of distinct other schedules of the workflow firing within ±1 minute: exact unless
   * `totalIsLowerBound` (more than CONFLICT_EXACT_UP_TO conflict, or the scan budget ran out).
   */
  total: number
  totalIsLowerBound: boolean
  /** At most MAX_CONFLICT_IDS of them, ascending (byte order): the smallest ids of those the lookup found. */
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

const NO_CONFLICTS = (): ScheduleConflicts => ({ total: 0, totalIsLowerBound: false, scheduleIds: [] })

/**
 * Validates a schedule's due entry and builds the keys and the first six arguments every script writing it
 * takes: the API's upsert (upsert-schedule-6.lua) and the reconciler's repairs (repair-schedule-6.lua,
 * force-repair-schedule-6.lua, reconcile.ts).
 */
export function dueEntryCall(
  keys: QueueKeys,
  input: UpsertScheduleInput,
): { keys: string[]; args: (string | number)[] } {
  const { scheduleId, workflowId, version, nextRunAtMs } = input
  checkId('scheduleId', scheduleId)
  checkId('workflowId', workflowId)
  if (workflowId.includes('|')) invalid('workflowId must not contain "|"')
  if (!Number.isSafeInteger(version) || version < 0) invalid(`version ${version} is not a safe integer >= 0`)
  if (nextRunAtMs !== null && !Number.isSafeInteger(nextRunAtMs)) {
    invalid(`nextRunAtMs ${nextRunAtMs} is not a safe integer`)
  }
  if (!isConflictProfile(input.conflictProfile)) {
    invalid(`conflictProfile ${JSON.stringify(input.conflictProfile.slice(0, 40))} is not a conflict profile`)
  }
  return {
    keys: [
      keys.due,
      keys.dueVersion,
      keys.scheduleMinutes,
      keys.conflictKeys(workflowId).minutes,
      keys.dueClaims,
      keys.dueClaimInfo,
    ],
    args: [
      scheduleId,
      version,
      nextRunAtMs === null ? '' : nextRunAtMs,
      workflowId,
      input.conflictProfile,
      keys.conflictPrefix,
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
  const call = dueEntryCall(keys, input)
  const reply = await loadScripts(redis).upsertSchedule(call.keys, [
    ...call.args,
    MAX_CONFLICT_IDS,
    CONFLICT_EXACT_UP_TO,
    CONFLICT_SCAN_BUDGET,
  ])
  if (!Array.isArray(reply)) unexpected('upsert-schedule', reply)
  const [code, storedVersion, total, lowerBound, ...ids] = reply as [
    number,
    string?,
    number?,
    number?,
    ...string[],
  ]
  switch (code) {
    case ScriptCodes.OK:
      return {
        applied: true,
        version: Number(storedVersion),
        conflicts: { total: Number(total), totalIsLowerBound: lowerBound === 1, scheduleIds: ids },
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
    [input.scheduleId, keys.conflictPrefix],
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
