import { type Redis, rateLimitIncr } from '@punctual/queue'

const WINDOW_MS = 60_000

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSec: number }

interface Waiting {
  perMinute: number
  resolve: (d: RateLimitDecision) => void
}

/**
 * Per-trigger limit of /hooks/:triggerId (the trigger's rateLimitPerMinute): a fixed one-minute window
 * counted in Redis, so every API process shares it exactly. Deliveries of one trigger that arrive while a
 * count is in flight are added together in the next one (INCRBY n): the i-th of them holds place
 * `current - n + i` of the window and passes while that is within the limit, so batching costs no accuracy.
 * With Redis unreachable it fails open, as the contract says.
 */
export function createHookRateLimiter(opts: { redis: Redis; prefix: string }) {
  const waiting = new Map<string, Waiting[]>()
  const inFlight = new Set<string>()

  function count(triggerId: string) {
    const batch = waiting.get(triggerId)
    if (!batch || batch.length === 0) {
      inFlight.delete(triggerId)
      return
    }
    waiting.delete(triggerId)
    inFlight.add(triggerId)
    rateLimitIncr(opts.redis, `${opts.prefix}hook:${triggerId}`, batch.length, WINDOW_MS).then(
      ({ current, ttlMs }) => {
        const first = current - batch.length + 1
        const retryAfterSec = Math.max(1, Math.ceil(ttlMs / 1000))
        batch.forEach((w, i) => {
          w.resolve(first + i <= w.perMinute ? { allowed: true } : { allowed: false, retryAfterSec })
        })
        count(triggerId)
      },
      () => {
        for (const w of batch) w.resolve({ allowed: true })
        count(triggerId)
      },
    )
  }

  return {
    hit(triggerId: string, perMinute: number): Promise<RateLimitDecision> {
      return new Promise((resolve) => {
        const batch = waiting.get(triggerId)
        if (batch) batch.push({ perMinute, resolve })
        else waiting.set(triggerId, [{ perMinute, resolve }])
        if (!inFlight.has(triggerId)) count(triggerId)
      })
    },
  }
}
export type HookRateLimiter = ReturnType<typeof createHookRateLimiter>
