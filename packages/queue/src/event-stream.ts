import { isSystemEventType, type SystemEventType } from '@punctual/core'
import { QueueError, toQueueError } from './errors.ts'
import type { QueueKeys } from './keys.ts'
import type { Redis } from './redis.ts'
import { loadScripts } from './script-loader.ts'

/**
 * The system event stream (`keys.events`): a Redis Stream read by every worker through ONE consumer group, so
 * each event is handled by one worker of the fleet. An entry names its outbox row and subject; the event's
 * data is read from Postgres when it is handled. The lifecycle of an entry:
 *   publishSystemEvents (XADD, after the COMMIT that wrote its outbox row)
 *   → readSystemEvents (XREADGROUP: now pending under that worker)
 *   → ackSystemEvents (XACK + XDEL, after the starts it caused committed).
 * A worker that dies with entries pending: claimStaleSystemEvents (XAUTOCLAIM) hands them to another after
 * an idle time. Publishing twice is harmless: the consumer deduplicates by the event's receipt in Postgres.
 */

export const EVENT_GROUP = 'system-events'

/** What one stream entry carries (field names are one letter: this is a hot path's payload). */
export interface SystemEventRef {
  outboxId: string
  tenant: string
  type: SystemEventType
  subjectId: string
}

export interface StreamedSystemEvent extends SystemEventRef {
  /** The stream entry id (what ackSystemEvents takes). */
  streamId: string
  /** How many times the group delivered this entry (1 on first delivery); from XAUTOCLAIM, 0 = unknown. */
  deliveries?: number
}

/** XADD every event in one round trip (pipelined). */
export async function publishSystemEvents(
  redis: Redis,
  keys: QueueKeys,
  events: readonly SystemEventRef[],
): Promise<void> {
  if (events.length === 0) return
  const pipeline = redis.pipeline()
  for (const e of events) {
    pipeline.xadd(keys.events, '*', 'o', e.outboxId, 't', e.tenant, 'y', e.type, 's', e.subjectId)
  }
  let replies: [Error | null, unknown][] | null
  try {
    replies = await pipeline.exec()
  } catch (err) {
    throw toQueueError(err)
  }
  const failed = replies?.find(([err]) => err)
  if (!replies || failed) throw toQueueError(failed?.[0] ?? new Error('pipeline aborted'))
}

/** Creates the consumer group (and the stream) if missing; reading from the start, so nothing is skipped. */
export async function ensureSystemEventGroup(redis: Redis, keys: QueueKeys): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.events, EVENT_GROUP, '0', 'MKSTREAM')
  } catch (err) {
    if (String((err as Error).message).startsWith('BUSYGROUP')) return
    throw toQueueError(err)
  }
}

type RawEntry = [id: string, fields: string[] | null]

/** Entries with a malformed body (not written by publishSystemEvents) are returned apart, to be dropped. */
function parseEntries(raw: readonly RawEntry[]): { events: StreamedSystemEvent[]; malformed: string[] } {
  const events: StreamedSystemEvent[] = []
  const malformed: string[] = []
  for (const [streamId, fields] of raw) {
    const f: Record<string, string> = {}
    for (let i = 0; fields && i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!
    const { o, t, y, s } = f
    if (o && /^\d+$/.test(o) && t && y && isSystemEventType(y) && s) {
      events.push({ streamId, outboxId: o, tenant: t, type: y, subjectId: s })
    } else {
      malformed.push(streamId)
    }
  }
  return { events, malformed }
}

const isNoGroup = (err: unknown) => String((err as Error)?.message).startsWith('NOGROUP')

export interface ReadSystemEventsInput {
  consumer: string
  count: number
  /** Wait this long for an entry when there is none (0: do not block). Use a connection of its own. */
  blockMs: number
}

/**
 * New entries for this consumer (XREADGROUP `>`). The group is created when missing (a fresh or flushed
 * Redis). Blocking: the client's command timeout must exceed blockMs.
 */
export async function readSystemEvents(
  redis: Redis,
  keys: QueueKeys,
  input: ReadSystemEventsInput,
): Promise<{ events: StreamedSystemEvent[]; malformed: string[] }> {
  const args = ['GROUP', EVENT_GROUP, input.consumer, 'COUNT', String(input.count)]
  if (input.blockMs > 0) args.push('BLOCK', String(input.blockMs))
  let reply: [string, RawEntry[]][] | null
  try {
    reply = (await redis.call('XREADGROUP', ...args, 'STREAMS', keys.events, '>')) as typeof reply
  } catch (err) {
    if (!isNoGroup(err)) throw toQueueError(err)
    await ensureSystemEventGroup(redis, keys)
    return { events: [], malformed: [] }
  }
  return parseEntries(reply?.[0]?.[1] ?? [])
}

export interface ClaimStaleInput {
  consumer: string
  /** Entries pending (read, not acked) for at least this long change owner. */
  minIdleMs: number
  count: number
  /** Where the previous call stopped ('0-0' to start over). */
  cursor: string
}

/**
 * Entries another consumer read and did not acknowledge within minIdleMs (it died or is stuck): claimed by
 * this consumer (XAUTOCLAIM), at most `count`. Returns the cursor for the next call ('0-0': scanned through).
 * Entries deleted meanwhile are dropped from the pending list by Redis.
 */
export async function claimStaleSystemEvents(
  redis: Redis,
  keys: QueueKeys,
  input: ClaimStaleInput,
): Promise<{ events: StreamedSystemEvent[]; malformed: string[]; cursor: string }> {
  let reply: [string, RawEntry[], string[]?]
  try {
    reply = (await redis.call(
      'XAUTOCLAIM',
      keys.events,
      EVENT_GROUP,
      input.consumer,
      String(input.minIdleMs),
      input.cursor,
      'COUNT',
      String(input.count),
    )) as typeof reply
  } catch (err) {
    if (!isNoGroup(err)) throw toQueueError(err)
    await ensureSystemEventGroup(redis, keys)
    return { events: [], malformed: [], cursor: '0-0' }
  }
  const parsed = parseEntries(reply[1].filter((e) => e !== null && e[1] !== null))
  return { ...parsed, cursor: reply[0] }
}

/** XACK + XDEL: the entries are handled (their starts committed). Returns how many were deleted. */
export async function ackSystemEvents(
  redis: Redis,
  keys: QueueKeys,
  streamIds: readonly string[],
): Promise<number> {
  if (streamIds.length === 0) return 0
  return Number(await loadScripts(redis).ackEvents([keys.events], [EVENT_GROUP, ...streamIds]))
}

/** Deletes the group's consumers that hold nothing and have been idle at least idleMs. */
export async function pruneSystemEventConsumers(
  redis: Redis,
  keys: QueueKeys,
  idleMs: number,
): Promise<number> {
  if (!Number.isInteger(idleMs) || idleMs < 0) {
    throw new QueueError('QUEUE_ERR_INVALID_INPUT', 'idleMs must be a non-negative integer')
  }
  return Number(await loadScripts(redis).pruneEventConsumers([keys.events], [EVENT_GROUP, String(idleMs)]))
}
