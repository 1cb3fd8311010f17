import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EventAccepted, EventBody, EventDeduplicated } from '@punctual/core'
import { errors } from '../route-helpers.ts'

const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.services.events

  app.post(
    '',
    {
      schema: {
        tags: ['events'],
        description: [
          'Publishes an event in the tenant (editor). Every enabled event trigger whose eventType selects `type`',
          '(exact, `prefix.*` glob or `*`) and whose filter matches `data` starts its workflow with `input` = `data`,',
          "with the trigger's priority and retry policy: 202 `{ eventId, executions }` once the executions are",
          'committed in Postgres (with no matching trigger `executions` is empty). An `id` already published in the',
          'last 24 h starts nothing and answers 200 with the executions the first one started and',
          '`deduplicated: true`; ids are remembered in Postgres, so this survives the loss of Redis, and a receipt',
          'older than 24 h no longer deduplicates. Trigger changes reach this route within TRIGGER_CACHE_TTL_MS',
          '(default 1 s; a disabled or deleted trigger never starts anything once its change is acknowledged).',
          "422 `SCHED_ERR_EVENT_TOO_COSTLY`: matching `data` against the tenant's triggers would spend the matching",
          "work budget (its arrays × the filters' multi-key sub-patterns, e.g. elements each listing many anchor",
          'values); nothing is started and no receipt kept, so the same `id` may be sent again.',
        ].join(' '),
        body: EventBody,
        response: { 200: EventDeduplicated, 202: EventAccepted, ...errors },
      },
    },
    async (request, reply) => {
      const result = await service.publish(request.user, request.body)
      return reply.code(result.status).send(result.body)
    },
  )
}

export default eventRoutes
