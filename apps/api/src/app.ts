import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { AppError, createSecretBox, type SecretBox } from '@punctual/core'
import type { DbExecutor, Sql } from '@punctual/db'
import type { QueueKeys, Redis } from '@punctual/queue'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { type ApiConfig, tenantQuotas } from './config.ts'
import auth from './plugins/auth.ts'
import errors, { sendFrameworkError, sendProblem } from './plugins/errors.ts'
import jsonBody from './plugins/json-body.ts'
import metrics from './plugins/metrics.ts'
import rateLimit from './plugins/rate-limit.ts'
import requestId, { requestIdOf } from './plugins/request-id.ts'
import swagger from './plugins/swagger.ts'
import { createValidatorCompiler } from './plugins/validation.ts'
import auditRoutes from './routes/audit/index.ts'
import cronRoutes from './routes/cron/index.ts'
import eventRoutes from './routes/events/index.ts'
import executionRoutes from './routes/executions/index.ts'
import healthRoutes from './routes/health/index.ts'
import hookRoutes from './routes/hooks/index.ts'
import scheduleRoutes from './routes/schedules/index.ts'
import triggerRoutes from './routes/triggers/index.ts'
import workerRoutes from './routes/workers/index.ts'
import workflowRoutes from './routes/workflows/index.ts'
import { createEventService, type EventService } from './services/events.ts'
import { createExecutionService, type ExecutionService } from './services/executions.ts'
import { createHookRateLimiter } from './services/hook-rate-limit.ts'
import { createHookService, type HookService } from './services/hooks.ts'
import { createScheduleService, type ScheduleService } from './services/schedules.ts'
import { createTriggerStarts } from './services/trigger-starts.ts'
import { createTriggerService, type TriggerService } from './services/triggers.ts'
import { createWorkflowService, type WorkflowService } from './services/workflows.ts'

export interface AppDeps {
  config: ApiConfig
  db: DbExecutor
  /** The postgres.js client under `db`, for the hot paths written in plain SQL. */
  sql: Sql
  /** Readiness probe of Postgres (SELECT 1 with a bounded wait). */
  pingDb: () => Promise<void>
  redis: Redis
  keys: QueueKeys
  now?: () => Date
  logger?: FastifyServerOptions['logger']
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps & { now: () => Date }
    services: {
      schedules: ScheduleService
      workflows: WorkflowService
      executions: ExecutionService
      triggers: TriggerService
      events: EventService
      hooks: HookService
    }
    /** Seals and opens webhook secrets with SECRETS_ENCRYPTION_KEY (see services/trigger-secrets.ts). */
    secretBox: SecretBox
  }
}

export type App = FastifyInstance

/** Builds the whole API; the server and the tests both call it (one build function). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const now = deps.now ?? (() => new Date())
  const app = Fastify({
    logger: deps.logger ?? { level: deps.config.LOG_LEVEL },
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    ajv: undefined,
    return503OnClosing: true,
    requestTimeout: 30_000,
    // X-Request-Id: the client's when well-formed (plugins/request-id.ts), never taken unchecked from the header.
    requestIdHeader: false,
    genReqId: requestIdOf,
    frameworkErrors: sendFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.setValidatorCompiler(createValidatorCompiler())
  // JSON only: any other content type is 415 (Fastify would otherwise accept text/plain bodies).
  app.removeContentTypeParser('text/plain')
  await app.register(jsonBody)

  app.decorate('deps', { ...deps, now })
  const secretBox = createSecretBox(deps.config.SECRETS_ENCRYPTION_KEY)
  app.decorate('secretBox', secretBox)
  const starter = createTriggerStarts({
    sql: deps.sql,
    redis: deps.redis,
    keys: deps.keys,
    now,
    log: app.log,
  })
  app.decorate('services', {
    schedules: createScheduleService({
      db: deps.db,
      sql: deps.sql,
      redis: deps.redis,
      keys: deps.keys,
      now,
      quotas: tenantQuotas(deps.config),
    }),
    workflows: createWorkflowService({ db: deps.db, now }),
    executions: createExecutionService({
      db: deps.db,
      redis: deps.redis,
      keys: deps.keys,
      now,
      log: app.log,
    }),
    triggers: createTriggerService({
      db: deps.db,
      box: secretBox,
      now,
      graceMs: deps.config.WEBHOOK_SECRET_GRACE_MS,
      publicBaseUrl: deps.config.PUBLIC_BASE_URL,
      quotas: tenantQuotas(deps.config),
    }),
    events: createEventService({ db: deps.db, starter, cacheTtlMs: deps.config.TRIGGER_CACHE_TTL_MS }),
    hooks: createHookService({
      db: deps.db,
      starter,
      limiter: createHookRateLimiter({ redis: deps.redis, prefix: deps.keys.rateLimit }),
      now,
      log: app.log,
      box: secretBox,
      cacheTtlMs: deps.config.TRIGGER_CACHE_TTL_MS,
      onVerification: (scheme, result) => app.webhookVerifications.inc({ scheme, result }),
      onBodyRejected: (reason) => app.webhookBodyRejections.inc({ reason }),
    }),
  })

  await app.register(requestId)
  await app.register(errors)
  await app.register(metrics)
  await app.register(swagger)
  await app.register(rateLimit, {
    redis: deps.redis,
    nameSpace: deps.keys.rateLimit,
    perMinute: deps.config.API_RATE_LIMIT_PER_MINUTE,
    unauthPerMinute: deps.config.API_UNAUTH_RATE_LIMIT_PER_MINUTE,
  })
  await app.register(auth, {
    secret: deps.config.JWT_SECRET,
    publicKey: deps.config.JWT_PUBLIC_KEY,
    onFailure: (request, reply) => app.limitFailedAuthentication(request, reply),
  })

  // Trigger starts answered before Redis acknowledged their enqueue: let those enqueues finish first.
  app.addHook('onClose', async () => {
    await starter.idle()
  })

  await app.register(healthRoutes)
  await app.register(hookRoutes, { prefix: '/hooks', bodyLimit: deps.config.BODY_LIMIT_BYTES })
  await app.register(
    async (api) => {
      // In this order, before the body is read: who (401, or 429 past the failed-authentication limit of the
      // address), the tenant's rate limit (so every authenticated request counts, whatever it is answered), the
      // role (403). The 404 of an unknown /api route goes through the same hooks.
      api.addHook('onRequest', api.authenticate)
      api.addHook('onRequest', api.rateLimit())
      api.addHook('onRequest', api.authorize)
      api.setNotFoundHandler((request, reply) =>
        sendProblem(reply, new AppError('SCHED_ERR_NOT_FOUND', `No route ${request.method} ${request.url}`)),
      )
      await api.register(workflowRoutes, { prefix: '/workflows' })
      await api.register(scheduleRoutes, { prefix: '/schedules' })
      await api.register(triggerRoutes, { prefix: '/triggers' })
      await api.register(cronRoutes, { prefix: '/cron' })
      await api.register(executionRoutes, { prefix: '/executions' })
      await api.register(workerRoutes, { prefix: '/workers' })
      await api.register(auditRoutes, { prefix: '/audit' })
      await api.register(eventRoutes, { prefix: '/events' })
    },
    { prefix: '/api' },
  )
  return app
}
