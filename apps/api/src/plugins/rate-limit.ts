import rateLimit from '@fastify/rate-limit'
import { AppError } from '@punctual/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { createBatchedRedisStore } from './rate-limit-store.ts'

export interface RateLimitOptions {
  redis: Redis
  nameSpace: string
  perMinute: number
}

/**
 * Per-tenant limit on /api/*, counted in Redis so that every API replica shares it (batched: see
 * rate-limit-store.ts). It runs after authentication (preHandler) so the key is the token's tenant; with Redis
 * down it fails open.
 */
async function rateLimitPlugin(app: FastifyInstance, opts: RateLimitOptions) {
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    max: opts.perMinute,
    timeWindow: 60_000,
    store: createBatchedRedisStore({ redis: opts.redis, prefix: opts.nameSpace }),
    skipOnError: true,
    keyGenerator: (request) => `tenant:${request.user?.tenant ?? request.ip}`,
    errorResponseBuilder: (_request, context) => {
      const err = new AppError(
        'SCHED_ERR_RATE_LIMITED',
        `Rate limit of ${context.max} requests per minute for this tenant exceeded; retry in ${context.after}`,
      )
      return Object.assign(err, { statusCode: 429 })
    },
  })
}

export default fp(rateLimitPlugin, { name: 'rate-limit' })
