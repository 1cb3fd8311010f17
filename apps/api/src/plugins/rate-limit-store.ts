import { type Redis, rateLimitIncr } from '@punctual/queue'

type Callback = (err: Error | null, result?: { current: number; ttl: number }) => void

interface Counter {
  /** The window's count in Redis as of our last round trip (all replicas). */
  global: number
  /** Requests this process admitted and has not yet added to Redis. */
  pending: number
  resetAt: number
}

export interface BatchedStoreOptions {
  redis: Redis
  /** How often local counts are added to Redis. */
  flushMs?: number
}

/**
 * A @fastify/rate-limit store that keeps the count in Redis, shared by every replica, without a Redis round
 * trip per request. Far from the limit a request is counted locally and the local counts are added to Redis
 * every `flushMs` (one INCRBY per tenant); within 10 % of the limit (or on a tenant's first request of a
 * window) every request is counted in Redis at once, so the limit itself is exact up to what other replicas
 * admitted in their last `flushMs`. Redis errors reach the plugin, which fails open (skipOnError).
 * The ids it counts are whole Redis keys, built by the caller's key generator with keys.ts (rateLimitTenant,
 * rateLimitUnauth, rateLimitHook).
 */
export function createBatchedRedisStore(opts: BatchedStoreOptions) {
  const flushMs = opts.flushMs ?? 20
  const counters = new Map<string, Counter>()
  let timer: NodeJS.Timeout | undefined

  function learn(key: string, current: number, ttlMs: number, pendingSince: number) {
    const counter = counters.get(key)
    const resetAt = Date.now() + ttlMs
    if (counter && counter.resetAt > Date.now()) {
      counter.global = Math.max(counter.global, current)
      counter.resetAt = resetAt
    } else {
      counters.set(key, { global: current, pending: pendingSince, resetAt })
    }
  }

  function flush() {
    timer = undefined
    const now = Date.now()
    for (const [key, counter] of counters) {
      if (counter.resetAt <= now) {
        counters.delete(key)
        continue
      }
      if (counter.pending === 0) continue
      const n = counter.pending
      counter.pending = 0
      rateLimitIncr(opts.redis, key, n, Math.max(1, counter.resetAt - now)).then(
        ({ current, ttlMs }) => learn(key, current, ttlMs, 0),
        () => {
          // Redis is away: these requests stay uncounted (the limiter fails open while Redis is down).
        },
      )
    }
  }

  function scheduleFlush() {
    if (timer) return
    timer = setTimeout(flush, flushMs)
    timer.unref()
  }

  class BatchedRedisStore {
    incr(key: string, cb: Callback, timeWindow: number, max: number) {
      const now = Date.now()
      let counter = counters.get(key)
      if (counter && counter.resetAt <= now) {
        counters.delete(key)
        counter = undefined
      }
      const margin = Math.max(1, Math.ceil(max * 0.1))
      if (counter && counter.global + counter.pending + 1 < max - margin) {
        counter.pending += 1
        scheduleFlush()
        cb(null, { current: counter.global + counter.pending, ttl: counter.resetAt - now })
        return
      }
      // Near the limit, or the first request of a window: count in Redis now, with what is pending locally.
      const n = (counter?.pending ?? 0) + 1
      if (counter) counter.pending = 0
      rateLimitIncr(opts.redis, key, n, timeWindow).then(
        ({ current, ttlMs }) => {
          learn(key, current, ttlMs, 0)
          cb(null, { current, ttl: ttlMs })
        },
        (err: Error) => cb(err),
      )
    }

    child() {
      return this
    }
  }
  return BatchedRedisStore
}
