import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { QueueItem, QueueQuery } from '@punctual/core'
import { Type } from 'typebox'
import { errors } from '../route-helpers.ts'

const queueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '',
    {
      schema: {
        tags: ['executions'],
        description: [
          "The tenant's waiting executions: first the ready ones in the order workers take them (priority 9",
          'first, then the earliest `scheduledFor`), then the delayed ones (retry backoff, jitter, fires recorded',
          'ahead) by `availableAt`. `blockedBy` marks a ready one that waits for a slot: its workflow at',
          '`maxConcurrency` (`workflow_concurrency`), the tenant at `TENANT_MAX_RUNNING`',
          "(`tenant_concurrency`), or a fire held by its schedule's `buffer_one` overlap policy (`buffer_one`).",
          'Cursor-paginated (`limit` default 50, max 500).',
        ].join(' '),
        querystring: QueueQuery,
        response: {
          200: Type.Object({
            items: Type.Array(QueueItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => app.services.executions.queue(request.user, request.query, request.log),
  )
}

export default queueRoutes
