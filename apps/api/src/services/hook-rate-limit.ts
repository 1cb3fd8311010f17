import { type QueueKeys, type Redis, rateLimitIncr } from '@punctual/queue'
import { createBatchedRedisStore } from '../plugins/rate-limit-store.ts'

const WINDOW_MS = 60_000
/** Limits up to this many per minute (100/s) are counted exactly; above it, in local batches. */
export const EXACT_RATE_LIMIT_UP_TO = 6000

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSec: number }

interface Waiting {
  perMinute: number
  resolve: (d: RateLimitDecision) => void
}

/**
 * Per-trigger limit of /hooks/:triggerId (the trigger's rateLimitPerMinute): a fixed one-minute window
 * counted in Redis, so every API process shares it exactly. Deliveries of one trigger that arrive in the same
 * turn of the event loop are added together (one INCRBY n): the i-th of them holds place `current - n + i` of
 * the window and passes while that is within the limit, so batching costs no accuracy.
 * A trigger allowed more than EXACT_RATE_LIMIT_UP_TO deliveries a minute is counted like the /api/* limit
 * instead (rate-limit-store.ts): locally, added to Redis every 20 ms, one by one within 10 % of the limit —
 * at such rates exactness to the delivery is not worth a Redis round trip per event-loop turn.
 * With Redis unreachable it fails open, as the contract says.
 */
export function createHookRateLimiter(opts: {
  redis: Redis
  /** Builds each trigger's counter key (rateLimitHook). */
  keys: QueueKeys
  /** Limits up to this many per minute are counted exactly (default EXACT_RATE_LIMIT_UP_TO). */
  exactUpTo?: number
}) {
  const exactUpTo = opts.exactUpTo ?? EXACT_RATE_LIMIT_UP_TO
  let waiting = new Map<string, Waiting[]>()
  let scheduled = false
  const Batched = createBatchedRedisStore({ redis: opts.redis })
  const batched = new Batched()

  function count(triggerId: string, batch: Waiting[]) {
    rateLimitIncr(opts.redis, opts.keys.rateLimitHook(triggerId), batch.length, WINDOW_MS).then(
      ({ current, ttlMs }) => {
        const first = current - batch.length + 1
        const retryAfterSec = Math.max(1, Math.ceil(ttlMs / 1000))
        batch.forEach((w, i) => {
          w.resolve(first + i <= w.perMinute ? { allowed: true } : { allowed: false, retryAfterSec })
        })
      },
      () => {
        for (const w of batch) w.resolve({ allowed: true })
      },
    )
  }

  function flush() {
    scheduled = false
    const batches = waiting
    waiting = new Map()
    for (const [triggerId, batch] of batches) count(triggerId, batch)
  }

  return {
    hit(triggerId: string, perMinute: number): Promise<RateLimitDecision> {
      if (perMinute > exactUpTo) {
        return new Promise((resolve) => {
          batched.incr(
            opts.keys.rateLimitHook(triggerId),
            (err, result) => {
              if (err || !result || result.current <= perMinute) return resolve({ allowed: true })
              resolve({ allowed: false, retryAfterSec: Math.max(1, Math.ceil(result.ttl / 1000)) })
            },
            WINDOW_MS,
            perMinute,
          )
        })
      }
      return new Promise((resolve) => {
        const batch = waiting.get(triggerId)
        if (batch) batch.push({ perMinute, resolve })
        else waiting.set(triggerId, [{ perMinute, resolve }])
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      })
    },
  }
}
export type HookRateLimiter = ReturnType<typeof createHookRateLimiter>
