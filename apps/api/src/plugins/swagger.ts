import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { finishDocument, transformRoute } from './openapi/document.ts'

/** OpenAPI 3 generated from the same TypeBox schemas that validate requests; served at /openapi.json and /docs. */
async function swaggerPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    transform: transformRoute as never,
    transformObject: finishDocument as never,
    openapi: {
      openapi: '3.0.3',
      servers: [
        { url: 'http://127.0.0.1:3000', description: 'A local API started with `pnpm start` (PORT, HOST)' },
      ],
      info: {
        title: 'Punctual API',
        version: '0.1.0',
        description: [
          'Workflow scheduling: cron schedules exact on time zones and DST, exactly-once fires, durable executions.',
          'Errors are RFC 9457 problem details (application/problem+json) with the failing fields in `errors` (at most',
          '20; `detail` says when there were more) and the `requestId` that the `X-Request-Id` response header carries',
          "(the request's own when it is 1-128 characters of [A-Za-z0-9._:-], else generated). No problem body is larger",
          'than 16 KiB. A JSON body nested deeper than 32 levels, or holding a key or string with a NUL (\\u0000)',
          'or an unpaired UTF-16 surrogate, is 400 `SCHED_ERR_JSON_UNSUPPORTED` naming the path, on every route.',
          'Rate limits (429 with Retry-After): per tenant, API_RATE_LIMIT_PER_MINUTE, counting every authenticated',
          '/api request whatever its answer (checked after authentication, before the role and the body); failed',
          'authentications per client address, API_UNAUTH_RATE_LIMIT_PER_MINUTE: past it a request whose credentials',
          'fail gets 429 instead of 401, while valid credentials are never refused by it.',
          'Lists are cursor-paginated (`limit` 1-500, default 50; `cursor` from `nextCursor`); a page also stops at',
          '1 MiB of JSON, before the item that would take it past (it always holds at least one item).',
          'Schedules: PUT and PATCH are both partial updates. A paused, completed or expired schedule has',
          '`nextRunAt: null` and an empty `nextRuns` in its status; resuming fires next at the first time after the resume.',
          '`warnings` on create/update list other schedules of the same workflow firing within a minute of this one',
          "in the next 24 h (at most 10 ids plus the exact total), computed from each schedule's minute-of-day profile",
          'taken at its last write.',
        ].join('\n'),
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT or API key',
            description:
              'A JWT (HS256 with JWT_SECRET, or RS256/ES256 with JWT_PUBLIC_KEY or JWT_JWKS_URL) or an API key (`pk_…`)',
          },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'workflows', description: 'What schedules and triggers start' },
        { name: 'schedules', description: 'Cron schedules' },
        { name: 'triggers', description: 'Event and webhook triggers' },
        { name: 'cron', description: 'Cron expression tools' },
        { name: 'events', description: 'Publishing events to event triggers' },
        { name: 'webhooks', description: 'Signed webhook deliveries (no JWT)' },
        { name: 'executions', description: 'Executions, the queue and the dead-letter queue' },
        { name: 'workers', description: 'Live worker processes' },
        { name: 'operations', description: 'Health, readiness and metrics' },
        { name: 'auth', description: 'Who the credential acts as' },
        { name: 'audit', description: 'Who did what (admin)' },
        { name: 'api-keys', description: 'API keys: credentials acting for the tenant with a role (admin)' },
        {
          name: 'secrets',
          description: 'Tenant secrets for http steps, and the outbound signing secret (admin)',
        },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}

export default fp(swaggerPlugin, { name: 'swagger' })
