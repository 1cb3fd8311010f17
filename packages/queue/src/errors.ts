import { AppError, type ErrorCode } from '@punctual/core'
import { ReplyError } from 'ioredis'

/**
 * Errors of the Redis side. Each is an AppError, so the API's one error handler maps it to problem+json
 * (Redis unavailable → 503); `queueCode` says what went wrong at this layer, for logs and tests.
 */
export const QueueErrorCodes = {
  QUEUE_ERR_REDIS_UNAVAILABLE: {
    appCode: 'SCHED_ERR_DEPENDENCY_DOWN',
    message: 'Redis is unavailable',
  },
  QUEUE_ERR_SCRIPT_FAILED: { appCode: 'SCHED_ERR_INTERNAL', message: 'A Redis script failed' },
  QUEUE_ERR_UNEXPECTED_REPLY: {
    appCode: 'SCHED_ERR_INTERNAL',
    message: 'Unexpected reply from a Redis script',
  },
  QUEUE_ERR_INVALID_INPUT: { appCode: 'SCHED_ERR_INTERNAL', message: 'Invalid input to a queue operation' },
} as const satisfies Record<string, { appCode: ErrorCode; message: string }>

export type QueueErrorCode = keyof typeof QueueErrorCodes

export class QueueError extends AppError {
  readonly queueCode: QueueErrorCode
  constructor(queueCode: QueueErrorCode, detail?: string, options?: { cause?: unknown }) {
    const { appCode, message } = QueueErrorCodes[queueCode]
    super(appCode, detail ? `${message}: ${detail}` : message, undefined, options)
    this.name = 'QueueError'
    this.queueCode = queueCode
  }
}

/** Result codes returned by the Lua scripts (first element of the reply, or one per item of a batch). */
export const ScriptCodes = {
  OK: 1,
  STALE_VERSION: 0,
  KEY_MISMATCH: -1,
  /** The execution is not in the queue at all (acked, cancelled, removed, never enqueued). */
  NOT_FOUND: -2,
  /** The execution is queued, but not under this worker's (and claim's) lease: reclaimed, re-claimed. */
  LEASE_LOST: -3,
  /** enqueue: the id is already ready, delayed or running. */
  ALREADY_QUEUED: -4,
  /** cancel: the execution is running; the caller must abort it. */
  RUNNING: -5,
  /** completeClaim: the index holds another version than the claim's. */
  SUPERSEDED: -6,
  /** completeClaim / releaseClaim: no claim of this worker (at this version). */
  NOT_CLAIMED: -7,
  /** completeClaim: the schedule was removed from the index meanwhile. */
  REMOVED: -8,
  /** repairSchedule / forceRepairSchedule: Redis already matches. */
  UNCHANGED: 2,
  /** repairSchedule / forceRepairSchedule: claimed at this version, or Redis is ahead at this version. */
  SKIPPED: 3,
} as const

// Redis error prefixes that mean "the server cannot serve this now", not "the command is wrong".
const UNAVAILABLE_REPLY_CODES = new Set([
  'LOADING',
  'BUSY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'READONLY',
  'NOREPLICAS',
  'OOM',
])

/**
 * Classifies anything ioredis rejects with. A ReplyError is Redis answering (a bug in a script or a
 * command, unless its code says the server is busy/loading/failing over); everything else — "Stream isn't
 * writeable" before the first connect or while reconnecting, "Command timed out", a connection lost with
 * the command in flight (MaxRetriesPerRequestError) — means Redis is unavailable.
 */
export function toQueueError(err: unknown): QueueError {
  if (err instanceof QueueError) return err
  if (err instanceof ReplyError) {
    const reply = err as Error
    const replyCode = reply.message.split(' ', 1)[0] ?? ''
    if (UNAVAILABLE_REPLY_CODES.has(replyCode)) {
      return new QueueError('QUEUE_ERR_REDIS_UNAVAILABLE', reply.message, { cause: err })
    }
    return new QueueError('QUEUE_ERR_SCRIPT_FAILED', reply.message, { cause: err })
  }
  const detail = err instanceof Error ? err.message : String(err)
  return new QueueError('QUEUE_ERR_REDIS_UNAVAILABLE', detail, { cause: err })
}

export function isRedisUnavailableError(err: unknown): boolean {
  return err instanceof QueueError && err.queueCode === 'QUEUE_ERR_REDIS_UNAVAILABLE'
}
