import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Page, SecretItem, SecretListQuery, SecretNameParams, SecretPut } from '@punctual/core'
import { Type } from 'typebox'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { toSecretDto } from '../../services/secrets.ts'
import { errors } from '../route-helpers.ts'

/** /api/secrets (admin only): put (create or replace), list (never a value), delete (409 while used). */
const secretRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.services.secrets
  app.put(
    '/:name',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['secrets'],
        description: [
          'Creates or replaces the tenant secret `name`, usable in http steps as `{{secrets.NAME}}` (url, header',
          'values, body), resolved by workers at run time only. The value is sealed at rest and never shown again;',
          'with `allowedHosts` it is sent to those hosts only. Audited as `secret.created` / `secret.updated`.',
        ].join(' '),
        params: SecretNameParams,
        body: SecretPut,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await service.put(request.user, request.params.name, request.body)
      return reply.code(204).send(null)
    },
  )
  app.get(
    '',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['secrets'],
        description: "The tenant's secrets, oldest first: names and allowedHosts, never a value.",
        querystring: SecretListQuery,
        response: { 200: Page(SecretItem), ...errors },
      },
    },
    async (request) => {
      const page = await service.page(request.user, {
        limit: request.query.limit ?? 50,
        after: decodeCursor(request.query.cursor),
      })
      return sizedPage(page, toSecretDto)
    },
  )
  app.delete(
    '/:name',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['secrets'],
        description:
          'Deletes the secret: 409 while a workflow refers to it (change those workflows first). Audited as `secret.deleted`.',
        params: SecretNameParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await service.remove(request.user, request.params.name)
      return reply.code(204).send(null)
    },
  )
}

export default secretRoutes
