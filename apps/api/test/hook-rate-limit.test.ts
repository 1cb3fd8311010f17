import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHookRateLimiter } from '../src/services/hook-rate-limit.ts'

let r: TestRedis
beforeAll(async () => {
  r = await createTestRedis()
})
afterAll(() => r?.cleanup())

describe('per-trigger webhook rate limit', () => {
  it('counts exactly across limiters sharing Redis, also for deliveries arriving together', async () => {
    const a = createHookRateLimiter({ redis: r.redis, keys: r.keys })
    const b = createHookRateLimiter({ redis: r.redis, keys: r.keys })
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).hit('trigger-exact', 17)),
    )
    expect(decisions.filter((d) => d.allowed)).toHaveLength(17)
    const refused = decisions.find((d) => !d.allowed)
    expect(refused).toEqual({ allowed: false, retryAfterSec: expect.any(Number) })
    expect((refused as { retryAfterSec: number }).retryAfterSec).toBeGreaterThanOrEqual(1)
    expect((refused as { retryAfterSec: number }).retryAfterSec).toBeLessThanOrEqual(60)
    // Another trigger has its own window.
    expect(await a.hit('trigger-other', 1)).toEqual({ allowed: true })
    // Counted in Redis under the trigger's key (keys.ts rateLimitHook), every delivery included.
    expect(await r.redis.get(r.keys.rateLimitHook('trigger-exact'))).toBe('30')
  })

  it('counts high limits in local batches, still refusing past the limit', async () => {
    const limiter = createHookRateLimiter({ redis: r.redis, keys: r.keys, exactUpTo: 0 })
    const decisions: boolean[] = []
    for (let i = 0; i < 40; i++) decisions.push((await limiter.hit('trigger-batched', 30)).allowed)
    expect(decisions.filter(Boolean)).toHaveLength(30)
    expect(decisions.slice(30).every((d) => !d)).toBe(true)
    // The same key as the exact count: a trigger whose limit crosses EXACT_RATE_LIMIT_UP_TO keeps its window.
    expect(Number(await r.redis.get(r.keys.rateLimitHook('trigger-batched')))).toBeGreaterThanOrEqual(30)
  })

  it('fails open while Redis is unreachable', async () => {
    const dead = createTestRedis()
    const gone = await dead
    await gone.cleanup() // closes its client: every command now fails
    const limiter = createHookRateLimiter({ redis: gone.redis, keys: gone.keys })
    expect(await limiter.hit('trigger-down', 1)).toEqual({ allowed: true })
    expect(await limiter.hit('trigger-down', 1)).toEqual({ allowed: true })
  })
})
