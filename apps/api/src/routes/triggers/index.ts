import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  IdParams,
  Page,
  Trigger,
  TriggerCreate,
  TriggerListQuery,
  TriggerPatch,
  type TriggerType,
  TriggerWithSecret,
} from '@punctual/core'
import { createTriggersRepo, type TriggerRow } from '@punctual/db'
import type { FastifyRequest } from 'fastify'
import { attachedValidationErrors, validationFailed } from '../../plugins/errors.ts'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { triggerRuleErrors } from '../../services/trigger-rules.ts'
import { notFound, toTriggerDto } from '../../services/triggers.ts'
import { deleteRoute, errors, type TypeBoxApp } from '../route-helpers.ts'

/**
 * One 400 listing every problem: the schema's field errors plus the checks it cannot express (eventType
 * syntax and the per-type fields), so a client fixes everything in one round.
 */
function assertBodyValid(request: FastifyRequest, type: TriggerType | undefined, requireEventType: boolean) {
  const schema = attachedValidationErrors(request)
  // A field the schema already refused is not reported twice.
  const refused = new Set(schema.map((e) => e.path))
  const rules = triggerRuleErrors(request.body, type, { requireEventType }).filter(
    (e) => !refused.has(e.path),
  )
  const found = [...schema, ...rules]
  if (found.length > 0) throw validationFailed(found)
}

function typeOf(body: unknown): TriggerType | undefined {
  const type = (body as { type?: unknown } | null)?.type
  return type === 'event' || type === 'webhook' ? type : undefined
}

const CREATE_DESCRIPTION = [
  'Creates an event trigger (`eventType` required) or a webhook trigger (`eventType` optional, matched',
  "against the delivery's event name; `scheme`, `rateLimitPerMinute`). Both take an `inputTemplate` that shapes",
  'the workflow input. A webhook trigger answers its `url` and its signing `secret`, shown',
  'only here and by rotate-secret. A malformed `filter` is 422 naming each `/filter/...` JSON pointer;',
  'an eventType of bad syntax is 422 `SCHED_ERR_EVENT_TYPE_INVALID`; a template with an unknown placeholder',
  'root, an excluded header, over 64 KiB or 32 levels is 422 `SCHED_ERR_TEMPLATE_INVALID` naming the path;',
  'an unknown `workflowId` is 422; a name already used in the tenant is 409. Past a quota',
  '(TENANT_MAX_TRIGGERS, TENANT_MAX_FILTER_MATCHERS, TENANT_MAX_UNANCHORED_SUBPATTERNS,',
  'TENANT_MAX_SUBPATTERNS_PER_ANCHOR: see `filter`)',
  'the create is 422 `SCHED_ERR_QUOTA_EXCEEDED` naming the quota, and nothing is written.',
].join(' ')

/** /api/triggers: one function per route, registered in this order (the OpenAPI document follows it). */
const triggerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // A trigger written through this process is seen at once by its /hooks and /api/events caches (other
  // processes see it within TRIGGER_CACHE_TTL_MS). onSend runs before the answer leaves; registered here, it
  // runs for the trigger routes only (not on every /hooks delivery).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.method !== 'GET' && reply.statusCode < 300 && request.user) {
      app.services.events.invalidate(request.user.tenant)
      const id = (request.params as { id?: string } | undefined)?.id
      if (id) app.services.hooks.invalidate(id)
    }
    done(null, payload)
  })
  const service = app.services.triggers
  const dto = (row: TriggerRow) => toTriggerDto(row, service.hookUrl)
  createRoute(app, dto)
  listRoute(app, dto)
  getRoute(app, dto)
  putRoute(app, dto)
  patchRoute(app, dto)
  deleteRoute(app, {
    tag: 'triggers',
    description: 'Deliveries and events after the 204 start nothing; past executions stay in the history.',
    remove: (p, id) => service.remove(p, id),
  })
  rotateSecretRoute(app, dto)
}

export default triggerRoutes

/** The outside view of a row (toTriggerDto with this app's hook URL). */
type Dto = (row: TriggerRow) => Trigger

function createRoute(app: TypeBoxApp, dto: Dto) {
  app.post(
    '',
    {
      attachValidation: true,
      schema: {
        tags: ['triggers'],
        description: CREATE_DESCRIPTION,
        body: TriggerCreate,
        response: { 201: TriggerWithSecret, ...errors },
      },
    },
    async (request, reply) => {
      assertBodyValid(request, typeOf(request.body), true)
      const { row, secret } = await app.services.triggers.create(request.user, request.body)
      return reply.code(201).send(secret === undefined ? dto(row) : { ...dto(row), secret })
    },
  )
}

function listRoute(app: TypeBoxApp, dto: Dto) {
  const repo = createTriggersRepo(app.deps.db)
  app.get(
    '',
    {
      schema: {
        tags: ['triggers'],
        description:
          'Oldest first, cursor-paginated; `type` and `workflowId` filter. Secrets are never listed.',
        querystring: TriggerListQuery,
        response: { 200: Page(Trigger), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, cursor, type, workflowId } = request.query
      const rows = await repo.page(request.user.tenant, {
        limit,
        after: decodeCursor(cursor),
        type,
        workflowId,
      })
      return sizedPage(rows, dto)
    },
  )
}

function getRoute(app: TypeBoxApp, dto: Dto) {
  const repo = createTriggersRepo(app.deps.db)
  app.get(
    '/:id',
    {
      schema: {
        tags: ['triggers'],
        description: 'The trigger without its secret.',
        params: IdParams,
        response: { 200: Trigger, ...errors },
      },
    },
    async (request) => {
      const row = await repo.get(request.user.tenant, request.params.id)
      if (!row) throw notFound(request.params.id)
      return dto(row)
    },
  )
}

function putRoute(app: TypeBoxApp, dto: Dto) {
  app.put(
    '/:id',
    {
      attachValidation: true,
      schema: {
        tags: ['triggers'],
        description: [
          'Replaces the definition: fields left out return to their defaults (filter, inputTemplate and a webhook',
          "trigger's eventType none, scheme standard,",
          'rateLimitPerMinute 600, default retryPolicy, priority 5, enabled). `type` must be the trigger’s own',
          '(422 otherwise); the secret is kept.',
        ].join(' '),
        params: IdParams,
        body: TriggerCreate,
        response: { 200: Trigger, ...errors },
      },
    },
    async (request) => {
      assertBodyValid(request, typeOf(request.body), true)
      return dto(await app.services.triggers.update(request.user, request.params.id, request.body, true))
    },
  )
}

function patchRoute(app: TypeBoxApp, dto: Dto) {
  app.patch(
    '/:id',
    {
      attachValidation: true,
      schema: {
        tags: ['triggers'],
        description:
          "Changes the fields given (not `type`). `filter: null` removes the filter, `inputTemplate: null` the template, `eventType: null` a webhook trigger's eventType.",
        params: IdParams,
        body: TriggerPatch,
        response: { 200: Trigger, ...errors },
      },
    },
    async (request) => {
      // The per-type checks need the stored type: the service makes them under the row lock.
      assertBodyValid(request, undefined, false)
      return dto(await app.services.triggers.update(request.user, request.params.id, request.body, false))
    },
  )
}

function rotateSecretRoute(app: TypeBoxApp, dto: Dto) {
  app.post(
    '/:id/rotate-secret',
    {
      schema: {
        tags: ['triggers'],
        description: [
          'Webhook triggers: generates a new signing secret and answers it (once). The previous secret keeps',
          'verifying deliveries until `previousSecretExpiresAt` (WEBHOOK_SECRET_GRACE_MS, default 24 h), so',
          'senders can switch without downtime; rotating again inside that window retires the older one at',
          'once. An event trigger has no secret: 409.',
        ].join(' '),
        params: IdParams,
        response: { 200: TriggerWithSecret, ...errors },
      },
    },
    async (request) => {
      const { row, secret } = await app.services.triggers.rotateSecret(request.user, request.params.id)
      return { ...dto(row), secret }
    },
  )
}
