import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { createSecretBox, type SecretBox, safeLogOptions } from '@punctual/core'
import type { DbExecutor, Sql } from '@punctual/db'
import type { QueueKeys, Redis } from '@punctual/queue'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { ApiConfig } from './config.ts'
import auth from './plugins/auth.ts'
import consoleUi from './plugins/console.ts'
import errors, { sendFrameworkError } from './plugins/errors.ts'
import jsonBody from './plugins/json-body.ts'
import metrics from './plugins/metrics.ts'
import rateLimit from './plugins/rate-limit.ts'
import requestId, { requestIdOf } from './plugins/request-id.ts'
import swagger from './plugins/swagger.ts'
import { createValidatorCompiler } from './plugins/validation.ts'
import apiRoutes from './routes/api.ts'
import healthRoutes from './routes/health/index.ts'
import hookRoutes from './routes/hooks/index.ts'
import { createApiKeyAuthenticator } from './services/api-keys.ts'
import { createServices, type Services } from './services/index.ts'
import { createTriggerStarts } from './services/trigger-starts.ts'

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
    services: Services
    /** Seals and opens webhook secrets with the key ring (SECRETS_ENCRYPTION_KEYS; services/trigger-secrets.ts). */
    secretBox: SecretBox
  }
}

export type App = FastifyInstance

/** Builds the whole API; the server and the tests both call it (one build function). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const now = deps.now ?? (() => new Date())
  const app = Fastify({
    logger: loggerOptions(deps),
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    ajv: undefined,
    return503OnClosing: true,
    requestTimeout: 30_000,
    // TRUST_PROXY: behind a load balancer, request.ip (the failed-authentication limit per address, the audit
    // actor of webhook deliveries) is the client's address from X-Forwarded-For, only through trusted proxies.
    trustProxy: deps.config.trustProxy,
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
  const secretBox = createSecretBox(deps.config.secretKeys.keys, {
    acceptV1: deps.config.secretKeys.acceptV1,
  })
  app.decorate('secretBox', secretBox)
  const starter = createTriggerStarts({
    sql: deps.sql,
    redis: deps.redis,
    keys: deps.keys,
    now,
    log: app.log,
  })
  const apiKeyAuth = createApiKeyAuthenticator({ db: deps.db, now, log: app.log })
  app.decorate('services', createServices(app, app.deps, starter, apiKeyAuth))

  await app.register(requestId)
  await app.register(errors)
  // Before metrics: the document lists the routes registered after it (/metrics included).
  await app.register(swagger)
  await app.register(metrics)
  await app.register(rateLimit, {
    redis: deps.redis,
    keys: deps.keys,
    perMinute: deps.config.API_RATE_LIMIT_PER_MINUTE,
    unauthPerMinute: deps.config.API_UNAUTH_RATE_LIMIT_PER_MINUTE,
  })
  await app.register(auth, {
    secret: deps.config.JWT_SECRET,
    publicKey: deps.config.JWT_PUBLIC_KEY,
    jwksUrl: deps.config.JWT_JWKS_URL,
    issuer: deps.config.JWT_ISSUER,
    audience: deps.config.JWT_AUDIENCE,
    maxTtlSeconds: deps.config.JWT_MAX_TTL_SECONDS,
    apiKeys: apiKeyAuth,
    onFailure: (request, reply) => app.limitFailedAuthentication(request, reply),
  })

  // Trigger starts answered before Redis acknowledged their enqueue: let those enqueues finish first.
  app.addHook('onClose', async () => {
    await starter.idle()
  })

  await app.register(healthRoutes)
  await app.register(hookRoutes, { prefix: '/hooks', bodyLimit: deps.config.BODY_LIMIT_BYTES })
  await app.register(apiRoutes, { prefix: '/api' })
  await app.register(consoleUi, { dir: deps.config.CONSOLE_DIR })
  return app
}

/**
 * The logger: LOG_LEVEL, or the caller's options (tests read the lines through a stream), always with the
 * redaction and the error serializer of core log-safety.
 */
function loggerOptions(deps: AppDeps): FastifyServerOptions['logger'] {
  if (deps.logger === false) return false
  const given = typeof deps.logger === 'object' ? deps.logger : { level: deps.config.LOG_LEVEL }
  const safe = safeLogOptions()
  // Fastify types its `err` serializer as taking a FastifyError; ours takes anything thrown.
  const serializers = { ...given.serializers, ...safe.serializers } as unknown as typeof given.serializers
  return { ...given, redact: safe.redact, serializers }
}
