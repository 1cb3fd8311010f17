import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Caller } from '@punctual/core'
import { errors } from '../route-helpers.ts'

/** `GET /api/me`: whom the credential acts for, so a client (the console) can offer only what the role allows. */
const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '',
    {
      schema: {
        tags: ['auth'],
        description:
          'The tenant, role and subject of the credential sent (a JWT or an API key): any role may read it. The console signs in with it.',
        response: { 200: Caller, ...errors },
      },
    },
    async (request) => ({ tenant: request.user.tenant, role: request.user.role, sub: request.user.sub }),
  )
}

export default meRoutes
