import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiKey, ApiKeyCreate, ApiKeyListQuery, ApiKeyWithSecret, Page } from '@punctual/core'
import { toApiKeyDto } from '../../services/api-keys.ts'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { deleteRoute, errors } from '../route-helpers.ts'

/** /api/api-keys (admin only): create (the key shown once), list (never the key), revoke. */
const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.services.apiKeys
  app.post(
    '',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['api-keys'],
        description: [
          'Creates an API key acting for the tenant with `role` (send it as `Authorization: Bearer <key>`).',
          'The `key` is shown only in this answer; the API keeps only its SHA-256. A name already used in the',
          'tenant is 409; an `expiresAt` in the past is 400. Audited as `apikey.created`.',
        ].join(' '),
        body: ApiKeyCreate,
        response: { 201: ApiKeyWithSecret, ...errors },
      },
    },
    async (request, reply) => {
      const { row, key } = await service.create(request.user, request.body)
      return reply.code(201).send({ ...toApiKeyDto(row), key })
    },
  )
  app.get(
    '',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['api-keys'],
        description: "The tenant's API keys, oldest first (never a key itself).",
        querystring: ApiKeyListQuery,
        response: { 200: Page(ApiKey), ...errors },
      },
    },
    async (request) => {
      const page = await service.page(request.user, {
        limit: request.query.limit ?? 50,
        after: decodeCursor(request.query.cursor),
      })
      return sizedPage(page, toApiKeyDto)
    },
  )
  deleteRoute(app, {
    tag: 'api-keys',
    description:
      'Revokes the key: every API replica refuses it within 5 s (401, as any bad credential). Audited as `apikey.revoked`.',
    remove: (p, id) => service.remove(p, id),
    minRole: 'admin',
  })
}

export default apiKeyRoutes
