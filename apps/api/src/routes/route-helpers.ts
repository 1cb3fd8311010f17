import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, Problem } from '@punctual/core'
import { Type } from 'typebox'
import type { Principal, Role } from '../plugins/auth.ts'

/** What the route files share: the app as a route plugin sees it, the error responses, the DELETE route. */

/** The app with TypeBox types, as a route plugin receives it (route files register one route per function). */
export type TypeBoxApp = Parameters<FastifyPluginAsyncTypebox>[0]

/** Every route answers its errors as problem+json (plugins/errors.ts). */
export const errors = { '4xx': Problem, '5xx': Problem }

/** `DELETE /:id` of a resource: 204 with no body once `remove` resolves; its errors are `remove`'s. */
export function deleteRoute(
  app: TypeBoxApp,
  opts: {
    tag: string
    description: string
    remove: (p: Principal, id: string) => Promise<void>
    /** Default: editor. */
    minRole?: Role
  },
) {
  app.delete(
    '/:id',
    {
      ...(opts.minRole && { config: { minRole: opts.minRole } }),
      schema: {
        tags: [opts.tag],
        description: opts.description,
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await opts.remove(request.user, request.params.id)
      return reply.code(204).send(null)
    },
  )
}

/** preValidation of a route whose JSON body is optional: none at all (or `null`) is `{}`. */
export async function optionalBody(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {}
}
