import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError, HookAccepted, HookAnswered, HookParams } from '@punctual/core'
import { sendProblem } from '../../plugins/errors.ts'
import { errors } from '../route-helpers.ts'

/**
 * POST /hooks/:triggerId: no JWT, the webhook signature authenticates each delivery (see services/hooks.ts for
 * the order of the checks). The body is taken as raw bytes whatever its content type, with the API's body
 * limit applied while it is read, so an oversize body is refused (413) before any signature work.
 */
const hookRoutes: FastifyPluginAsyncTypebox<{ bodyLimit: number }> = async (app, opts) => {
  const service = app.services.hooks
  // Encapsulated: only this plugin's routes take the body as a Buffer.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (_request, body, done) => {
    done(null, body)
  })

  app.post(
    '/:triggerId',
    {
      bodyLimit: opts.bodyLimit,
      schema: {
        tags: ['webhooks'],
        security: [],
        description: [
          'Receives a signed webhook delivery for a webhook trigger; no JWT. Body: any JSON object (max 1 MiB), verified',
          'over its raw bytes. `standard` scheme: headers `webhook-id`, `webhook-timestamp` (unix seconds, within 5',
          'minutes of now) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, several',
          'space-separated allowed). `github` scheme: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`',
          'keyed with the whole secret, and `X-GitHub-Delivery`. During the grace period after a rotation the',
          'previous secret is accepted too.',
          'Checked in this order: 413 over the body limit (nothing verified), 404 unknown, disabled or non-webhook',
          'trigger (or a malformed id), 401 missing/wrong signature or stale timestamp (counted in',
          'punctual_api_webhook_verifications_total and audited without the body), 415 a declared content type',
          'other than JSON, 400 a body that is not JSON, 400 `SCHED_ERR_JSON_UNSUPPORTED` naming the path of JSON',
          'nested deeper than 32 levels or holding a NUL or an unpaired surrogate (counted in',
          'punctual_api_webhook_body_rejections_total by reason), 400 a body that is not a JSON object, 429 over',
          "the trigger's rateLimitPerMinute (with Retry-After; only verified deliveries count), then the delivery id:",
          'accepted in the last 24 h → 200',
          '`{ deduplicated: true }`, nothing started (remembered in Postgres). A delivery whose event name (GitHub:',
          "`X-GitHub-Event`; standard: the body's top-level string `type`) the trigger's `eventType` does not select,",
          "or whose body does not match the trigger's filter → 200 `{ filtered: true }`, nothing started (its id is",
          'remembered); one too costly to',
          'match against it (the matching work budget) → 422 `SCHED_ERR_EVENT_TOO_COSTLY`, nothing started or',
          'remembered, counted in punctual_api_webhook_body_rejections_total{reason="too-costly"}.',
          "A trigger's `inputTemplate` is resolved once here (422 `SCHED_ERR_INPUT_TOO_LARGE` when its input would",
          'pass 1 MiB, nothing started or remembered). Otherwise 202',
          '`{ executionId }` once the execution (kind `webhook`, input = the body or the resolved template) is committed in Postgres as',
          '`queued` and its Redis enqueue sent (its reply is not awaited); if Redis is down at that moment it is',
          'still 202 and the reconciler queues it.',
        ].join(' '),
        params: HookParams,
        response: { 200: HookAnswered, 202: HookAccepted, ...errors },
      },
    },
    async (request, reply) => {
      const result = await service.deliver({
        triggerId: request.params.triggerId,
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        headers: request.headers,
        contentType: request.headers['content-type'],
        ip: request.ip,
        log: request.log,
      })
      if (result.status === 429) {
        reply.header('retry-after', String(result.retryAfterSec))
        return sendProblem(
          reply,
          new AppError(
            'SCHED_ERR_RATE_LIMITED',
            `Rate limit of ${result.perMinute} deliveries per minute for this trigger exceeded; retry in ${result.retryAfterSec} s`,
          ),
        )
      }
      return reply.code(result.status).send(result.body)
    },
  )
}

export default hookRoutes
