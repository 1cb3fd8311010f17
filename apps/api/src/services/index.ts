import type { ExecutionStarter } from '@punctual/db'
import { createExecutionQueue } from '@punctual/queue'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app.ts'
import { tenantQuotas } from '../config.ts'
import { type ApiKeyAuthenticator, type ApiKeyService, createApiKeyService } from './api-keys.ts'
import { createDeadLetterService, type DeadLetterService } from './dead-letter.ts'
import { createEventService, type EventService } from './events.ts'
import { createExecutionContext, createExecutionService, type ExecutionService } from './executions.ts'
import { createHookRateLimiter } from './hook-rate-limit.ts'
import { createHookService, type HookService } from './hooks.ts'
import { createOptimizerService, type OptimizerService } from './optimizer.ts'
import { createScheduleService, type ScheduleService } from './schedules.ts'
import { createSecretService, type SecretService } from './secrets.ts'
import { createTriggerService, type TriggerService } from './triggers.ts'
import { createWorkflowService, type WorkflowService } from './workflows.ts'

/** The operations behind the routes, one service per resource (`app.services`). */
export interface Services {
  schedules: ScheduleService
  /** The fleet optimizer: hotspots, suggestions, patterns, apply. */
  optimizer: OptimizerService
  workflows: WorkflowService
  executions: ExecutionService
  /** Redrive of dead executions (the dead-letter queue). */
  deadLetter: DeadLetterService
  triggers: TriggerService
  events: EventService
  hooks: HookService
  apiKeys: ApiKeyService
  /** Tenant secrets and the outbound signing secret. */
  secrets: SecretService
}

/**
 * Builds every service of one app from its dependencies. `app` gives the log and the webhook counters (read
 * when a delivery is checked: the metrics plugin registers them after the services are built).
 */
export function createServices(
  app: FastifyInstance,
  deps: AppDeps & { now: () => Date },
  starter: ExecutionStarter,
  apiKeyAuth: ApiKeyAuthenticator,
): Services {
  const { config, now } = deps
  const executions = createExecutionContext({
    db: deps.db,
    sql: deps.sql,
    redis: deps.redis,
    keys: deps.keys,
    now,
    log: app.log,
    tenantMaxRunning: config.TENANT_MAX_RUNNING ?? 0,
  })
  const schedules = createScheduleService({
    db: deps.db,
    sql: deps.sql,
    redis: deps.redis,
    keys: deps.keys,
    now,
    quotas: tenantQuotas(config),
  })
  return {
    schedules,
    optimizer: createOptimizerService({ sql: deps.sql, schedules, now }),
    workflows: createWorkflowService({
      db: deps.db,
      queue: createExecutionQueue(deps.redis, deps.keys),
      now,
      log: app.log,
    }),
    executions: createExecutionService(executions),
    deadLetter: createDeadLetterService(executions),
    triggers: createTriggerService({
      db: deps.db,
      box: app.secretBox,
      now,
      graceMs: config.WEBHOOK_SECRET_GRACE_MS,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      quotas: tenantQuotas(config),
    }),
    events: createEventService({ db: deps.db, starter, cacheTtlMs: config.TRIGGER_CACHE_TTL_MS }),
    hooks: createHookService({
      db: deps.db,
      starter,
      limiter: createHookRateLimiter({ redis: deps.redis, keys: deps.keys }),
      now,
      log: app.log,
      box: app.secretBox,
      cacheTtlMs: config.TRIGGER_CACHE_TTL_MS,
      onVerification: (scheme, result) => app.webhookVerifications.inc({ scheme, result }),
      onBodyRejected: (reason) => app.webhookBodyRejections.inc({ reason }),
    }),
    apiKeys: createApiKeyService({ db: deps.db, now, onRevoked: (id) => apiKeyAuth.forget(id) }),
    secrets: createSecretService({ db: deps.db, sql: deps.sql, box: app.secretBox, now }),
  }
}
