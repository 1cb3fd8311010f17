import { ScriptCodes } from './errors.ts'
import type { QueueKeys } from './keys.ts'
import type { Redis } from './redis.ts'
import { loadScripts } from './script-loader.ts'
import { checkId, checkInt, invalid, unexpected } from './validate.ts'

/**
 * Fire claiming on the due-index (issue 3 item 1). A scheduler takes due entries out of `due` into a
 * leased claim (`dueClaims` ZSET id → lease expiry, `dueClaimInfo` HASH id → original score, version,
 * claimer), records the fires in Postgres, then finishes each claim by compare-and-set on the version.
 *
 * What makes a stale fire impossible is Postgres: a fire is recorded only if the schedule row is active at
 * the claim's version (and the `(schedule_id, scheduled_for)` key makes it once). What this module adds is
 * that no claimer can undo an API write: an applied upsert or a remove ends the claim, completeClaim is a
 * compare-and-set on the version, and an expired claim never resurrects an entry the API replaced or removed.
 */

export interface ClaimDueInput {
  workerId: string
  now: number
  /** Also claim entries due up to now + lookaheadMs (fires are recorded ahead of their time). */
  lookaheadMs: number
  /** At most this many claims per call (1..MAX_CLAIM_BATCH). */
  max: number
  /** The claims' lease: after now + leaseMs another scheduler may claim the entries again. */
  leaseMs: number
  /** Bounds the expired claims ended first (default 1000). */
  maxReclaim?: number
}

export interface DueClaim {
  scheduleId: string
  /** The entry's score: the fire time (ms) the scheduler must record, at `version`. */
  fireAtMs: number
  version: number
}

export interface ClaimDueResult {
  /** Ordered by fire time, then scheduleId (bytes). */
  claims: DueClaim[]
  /** Expired claims ended before claiming: put back in `due`, or dropped (a newer version or a removal won). */
  restored: number
  dropped: number
  /** Due entries without a version (broken contract): dropped from `due`, for the reconciler to rewrite. */
  invalid: number
}

export interface CompleteClaimInput {
  workerId: string
  scheduleId: string
  /** The version the claim carried. */
  version: number
  /** The schedule's next fire, or null when it has none (completed, expired): it then leaves `due`. */
  nextRunAtMs: number | null
  /** When the claimer bumped the row's version while recording the fire: the version to index (>= version). */
  newVersion?: number
}

export type CompleteClaimOutcome =
  /** The next fire is indexed (or, with nextRunAtMs null, the entry left `due`). */
  | 'rescheduled'
  | 'finished'
  /** The API wrote another version meanwhile; that entry stands, the claim was dropped. */
  | 'superseded'
  /** The schedule was removed meanwhile; the claim was dropped. */
  | 'removed'
  /** This worker holds no claim at this version (it expired, or the API's write or delete ended it). */
  | 'not-claimed'

export const MAX_CLAIM_BATCH = 1000
const DEFAULT_MAX_RECLAIM = 1000

const claimKeys = (keys: QueueKeys) => [keys.due, keys.dueVersion, keys.dueClaims, keys.dueClaimInfo]

export async function claimDue(redis: Redis, keys: QueueKeys, input: ClaimDueInput): Promise<ClaimDueResult> {
  checkId('workerId', input.workerId)
  checkInt('now', input.now, 0)
  checkInt('lookaheadMs', input.lookaheadMs, 0)
  checkInt('max', input.max, 1, MAX_CLAIM_BATCH)
  checkInt('leaseMs', input.leaseMs, 1)
  const maxReclaim = input.maxReclaim ?? DEFAULT_MAX_RECLAIM
  checkInt('maxReclaim', maxReclaim, 0, 10_000)
  const reply = await loadScripts(redis).claimDue(claimKeys(keys), [
    input.workerId,
    input.now,
    input.lookaheadMs,
    input.max,
    input.leaseMs,
    maxReclaim,
  ])
  if (!Array.isArray(reply) || reply.length < 4) unexpected('claim-due', reply)
  const [restored, dropped, invalidCount, n] = reply as number[]
  if (reply.length !== 4 + 3 * n!) unexpected('claim-due', reply)
  const claims: DueClaim[] = []
  for (let i = 0; i < n!; i++) {
    const at = 4 + 3 * i
    claims.push({ scheduleId: reply[at], fireAtMs: Number(reply[at + 1]), version: Number(reply[at + 2]) })
  }
  return { claims, restored: restored!, dropped: dropped!, invalid: invalidCount! }
}

export async function completeClaim(
  redis: Redis,
  keys: QueueKeys,
  input: CompleteClaimInput,
): Promise<{ outcome: CompleteClaimOutcome; indexedVersion?: number }> {
  checkId('workerId', input.workerId)
  checkId('scheduleId', input.scheduleId)
  checkInt('version', input.version, 0)
  if (input.nextRunAtMs !== null) checkInt('nextRunAtMs', input.nextRunAtMs, 0)
  if (input.newVersion !== undefined) {
    checkInt('newVersion', input.newVersion, 0)
    if (input.newVersion < input.version) invalid('newVersion must not be below version')
  }
  const reply = await loadScripts(redis).completeClaim(
    [keys.due, keys.dueVersion, keys.dueClaims, keys.dueClaimInfo, keys.scheduleMinutes],
    [
      input.scheduleId,
      input.workerId,
      input.version,
      input.nextRunAtMs ?? '',
      input.newVersion ?? '',
      keys.conflictPrefix,
    ],
  )
  if (!Array.isArray(reply)) unexpected('complete-claim', reply)
  switch (reply[0]) {
    case ScriptCodes.OK:
      return { outcome: reply[1] === 1 ? 'rescheduled' : 'finished' }
    case ScriptCodes.SUPERSEDED:
      return { outcome: 'superseded', indexedVersion: Number(reply[1]) }
    case ScriptCodes.REMOVED:
      return { outcome: 'removed' }
    case ScriptCodes.NOT_CLAIMED:
      return { outcome: 'not-claimed' }
    default:
      unexpected('complete-claim', reply)
  }
}

/** Claims ended per script call by completeClaims (bounded script run time). */
export const COMPLETE_CLAIMS_CHUNK = 500

/**
 * completeClaim for many claims of one worker (no version bumps), one script call per
 * COMPLETE_CLAIMS_CHUNK. Outcomes in input order.
 */
export async function completeClaims(
  redis: Redis,
  keys: QueueKeys,
  input: {
    workerId: string
    claims: readonly { scheduleId: string; version: number; nextRunAtMs: number | null }[]
  },
): Promise<CompleteClaimOutcome[]> {
  checkId('workerId', input.workerId)
  for (const c of input.claims) {
    checkId('scheduleId', c.scheduleId)
    checkInt('version', c.version, 0)
    if (c.nextRunAtMs !== null) checkInt('nextRunAtMs', c.nextRunAtMs, 0)
  }
  const outcomes: CompleteClaimOutcome[] = []
  for (let i = 0; i < input.claims.length; i += COMPLETE_CLAIMS_CHUNK) {
    const chunk = input.claims.slice(i, i + COMPLETE_CLAIMS_CHUNK)
    const reply = await loadScripts(redis).completeClaims(
      [keys.due, keys.dueVersion, keys.dueClaims, keys.dueClaimInfo, keys.scheduleMinutes],
      [
        input.workerId,
        keys.conflictPrefix,
        ...chunk.flatMap((c) => [c.scheduleId, c.version, c.nextRunAtMs ?? '']),
      ],
    )
    if (!Array.isArray(reply) || reply.length !== chunk.length) unexpected('complete-claims', reply)
    for (const code of reply as number[]) {
      if (code === 1) outcomes.push('rescheduled')
      else if (code === 0) outcomes.push('finished')
      else if (code === ScriptCodes.SUPERSEDED) outcomes.push('superseded')
      else if (code === ScriptCodes.REMOVED) outcomes.push('removed')
      else if (code === ScriptCodes.NOT_CLAIMED) outcomes.push('not-claimed')
      else unexpected('complete-claims', reply)
    }
  }
  return outcomes
}

/**
 * Gives a claim back (the claimer backs off, e.g. Postgres is down): the entry returns to `due` with its
 * original score unless a newer version or a removal won meanwhile.
 */
export async function releaseClaim(
  redis: Redis,
  keys: QueueKeys,
  input: { workerId: string; scheduleId: string },
): Promise<{ outcome: 'restored' | 'dropped' | 'not-claimed' }> {
  checkId('workerId', input.workerId)
  checkId('scheduleId', input.scheduleId)
  const reply = await loadScripts(redis).releaseClaim(claimKeys(keys), [input.scheduleId, input.workerId])
  if (!Array.isArray(reply)) unexpected('release-claim', reply)
  if (reply[0] === ScriptCodes.NOT_CLAIMED) return { outcome: 'not-claimed' }
  if (reply[0] === ScriptCodes.OK) return { outcome: reply[1] === 1 ? 'restored' : 'dropped' }
  unexpected('release-claim', reply)
}

/** Ends at most `max` claims whose lease expired at `now` (claimDue also does this first). */
export async function reclaimExpiredClaims(
  redis: Redis,
  keys: QueueKeys,
  now: number,
  max = DEFAULT_MAX_RECLAIM,
): Promise<{ restored: number; dropped: number }> {
  checkInt('now', now, 0)
  checkInt('max', max, 0, 10_000)
  const reply = await loadScripts(redis).reclaimExpiredClaims(claimKeys(keys), [now, max])
  if (!Array.isArray(reply) || reply.length !== 2) unexpected('reclaim-expired-claims', reply)
  return { restored: reply[0] as number, dropped: reply[1] as number }
}
