import { AppError } from '@punctual/core'
import type { FastifyInstance } from 'fastify'
import { sendProblem } from '../plugins/errors.ts'
import apiKeyRoutes from './api-keys/index.ts'
import auditRoutes from './audit/index.ts'
import cronRoutes from './cron/index.ts'
import eventRoutes from './events/index.ts'
import executionRoutes from './executions/index.ts'
import meRoutes from './me/index.ts'
import queueRoutes from './queue/index.ts'
import scheduleRoutes from './schedules/index.ts'
import secretRoutes from './secrets/index.ts'
import signingSecretRoutes from './signing-secret/index.ts'
import triggerRoutes from './triggers/index.ts'
import workerRoutes from './workers/index.ts'
import workflowRoutes from './workflows/index.ts'

/** Everything under /api: authenticated, rate-limited per tenant, authorised by role. */
export default async function apiRoutes(api: FastifyInstance) {
  // In this order, before the body is read: who (401, or 429 past the failed-authentication limit of the
  // address), the tenant's rate limit (so every authenticated request counts, whatever it is answered), the
  // role (403). The 404 of an unknown /api route goes through the same hooks.
  api.addHook('onRequest', api.authenticate)
  api.addHook('onRequest', api.rateLimit())
  api.addHook('onRequest', api.authorize)
  api.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new AppError('SCHED_ERR_NOT_FOUND', `No route ${request.method} ${request.url}`)),
  )
  await api.register(meRoutes, { prefix: '/me' })
  await api.register(workflowRoutes, { prefix: '/workflows' })
  await api.register(scheduleRoutes, { prefix: '/schedules' })
  await api.register(triggerRoutes, { prefix: '/triggers' })
  await api.register(cronRoutes, { prefix: '/cron' })
  await api.register(executionRoutes, { prefix: '/executions' })
  await api.register(queueRoutes, { prefix: '/queue' })
  await api.register(workerRoutes, { prefix: '/workers' })
  await api.register(auditRoutes, { prefix: '/audit' })
  await api.register(eventRoutes, { prefix: '/events' })
  await api.register(apiKeyRoutes, { prefix: '/api-keys' })
  await api.register(secretRoutes, { prefix: '/secrets' })
  await api.register(signingSecretRoutes, { prefix: '/signing-secret' })
}
