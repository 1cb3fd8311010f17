import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SigningSecret } from '@punctual/core'
import { errors } from '../route-helpers.ts'

/** /api/signing-secret (admin only): the tenant's outbound signing secret, and its rotation. */
const signingSecretRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.services.secrets
  app.get(
    '',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['secrets'],
        description: [
          'The secret every http step request of the tenant is signed with (Standard Webhooks: `webhook-id` =',
          '`<execution id>.<step name>`, `webhook-timestamp`, `webhook-signature`), created on first use.',
          'Receivers verify with it; after a rotation the previous one also signs for 24 h.',
        ].join(' '),
        response: { 200: SigningSecret, ...errors },
      },
    },
    async (request) => ({ secret: await service.signingSecret(request.user) }),
  )
  app.post(
    '/rotate',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['secrets'],
        description: [
          'A new signing secret, answered here. For 24 h both the new and the previous secret sign (two',
          'signatures in `webhook-signature`); a second rotation within them drops the older one. Workers pick',
          'up a rotation within WORKER_SECRET_CACHE_TTL_MS. Audited as `signing_secret.rotated`.',
        ].join(' '),
        response: { 200: SigningSecret, ...errors },
      },
    },
    async (request) => ({ secret: await service.rotateSigningSecret(request.user) }),
  )
}

export default signingSecretRoutes
