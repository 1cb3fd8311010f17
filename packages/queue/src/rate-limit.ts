import type { Redis } from './redis.ts'
import { loadScripts } from './script-loader.ts'

export interface RateLimitCount {
  /** Requests counted in the current window, this call's included. */
  current: number
  /** Time left in the window. */
  ttlMs: number
}

/** Adds `n` requests to the fixed-window counter `key` (created with a `windowMs` expiry) in one round trip. */
export async function rateLimitIncr(
  redis: Redis,
  key: string,
  n: number,
  windowMs: number,
): Promise<RateLimitCount> {
  const reply = (await loadScripts(redis).rateLimitIncr([key], [n, windowMs])) as [number, number]
  return { current: Number(reply[0]), ttlMs: Number(reply[1]) }
}
