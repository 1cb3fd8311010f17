import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import { AppError } from '@punctual/core'
import type { QueueKeys, Redis } from '@punctual/queue'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createBatchedRedisStore } from './rate-limit-store.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Counts one failed authentication of the request's address; past API_UNAUTH_RATE_LIMIT_PER_MINUTE it
     * throws the 429 (with Retry-After) that replaces the 401. Redis down: counts nothing (fails open).
     */
    limitFailedAuthentication: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

export interface RateLimitOptions {
  redis: Redis
  /** Builds the counters' keys (rateLimitTenant, rateLimitUnauth). */
  keys: QueueKeys
  /** Per tenant, every authenticated /api request. */
  perMinute: number
  /** Per client address, failed authentications on /api. */
  unauthPerMinute: number
}

/**
 * Two limits on /api/*, counted in Redis so that every API replica shares them (batched: see
 * rate-limit-store.ts), both failing open while Redis is down:
 * - per tenant, as an onRequest hook right after authentication (`app.rateLimit()`), before the role, the body
 *   and the schema are looked at: every authenticated request counts, those answered 4xx included;
 * - per client address, failed authentications only (`app.limitFailedAuthentication`, called by the auth
 *   plugin): past the limit the answer is 429 instead of 401. A request with valid credentials never touches
 *   this count, so it is never refused by it.
 */
async function rateLimitPlugin(app: FastifyInstance, opts: RateLimitOptions) {
  await app.register(rateLimit, {
    global: false,
    max: opts.perMinute,
    timeWindow: 60_000,
    store: createBatchedRedisStore({ redis: opts.redis }),
    skipOnError: true,
    keyGenerator: (request) => opts.keys.rateLimitTenant(request.user?.tenant ?? request.ip),
    errorResponseBuilder: (_request, context) => {
      const err = new AppError(
        'SCHED_ERR_RATE_LIMITED',
        `Rate limit of ${context.max} requests per minute for this tenant exceeded; retry in ${context.after}`,
      )
      return Object.assign(err, { statusCode: 429 })
    },
  })

  const countFailure = app.createRateLimit({
    max: opts.unauthPerMinute,
    // An IPv6 client is counted by its /56 (the plugin's default grouping): one host has many addresses.
    keyGenerator: (request) => opts.keys.rateLimitUnauth(normalizeIP(request.ip)),
  })
  app.decorate('limitFailedAuthentication', async (request: FastifyRequest, reply: FastifyReply) => {
    const count = await countFailure(request)
    if (count.isAllowed || !count.isExceeded) return
    const retryAfter = Math.max(1, count.ttlInSeconds)
    reply.header('retry-after', String(retryAfter))
    throw new AppError(
      'SCHED_ERR_RATE_LIMITED',
      `Over ${count.max} failed authentications per minute from this address; retry in ${retryAfter} s`,
    )
  })
}

export default fp(rateLimitPlugin, { name: 'rate-limit' })
