import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Execution, ExecutionListQuery, IdParams, Page } from '@punctual/core'
import { createExecutionsRepo } from '@punctual/db'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { notFound, toExecutionDto } from '../../services/executions.ts'
import { errors } from '../route-helpers.ts'
import { deadLetterRoutes } from './dead-letter.ts'
import { throughputRoute } from './throughput.ts'

const executionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.services.executions
  const repo = createExecutionsRepo(app.deps.db)

  app.get(
    '',
    {
      schema: {
        tags: ['executions'],
        description:
          "The tenant's executions, newest first (ids are UUIDv7), paginated by id; filters combine.",
        querystring: ExecutionListQuery,
        response: { 200: Page(Execution), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, cursor, status, scheduleId, triggerId } = request.query
      const rows = await repo.page(request.user.tenant, {
        limit,
        before: decodeCursor(cursor),
        status,
        scheduleId,
        triggerId,
      })
      return sizedPage(rows, toExecutionDto)
    },
  )

  throughputRoute(app, repo)

  app.get(
    '/:id',
    { schema: { tags: ['executions'], params: IdParams, response: { 200: Execution, ...errors } } },
    async (request) => {
      const row = await repo.find(request.user.tenant, request.params.id)
      if (!row) throw notFound(request.params.id)
      return toExecutionDto(row)
    },
  )

  app.post(
    '/:id/cancel',
    {
      schema: {
        tags: ['executions'],
        description: [
          'A `queued` or `retrying` execution becomes `cancelled` at once (answered with its new state).',
          'A `running` one is answered as it is: the request is recorded and sent to the worker running it,',
          'which aborts the in-flight step (HTTP request cut, delay ended) and marks it `cancelled`; if Redis',
          'cannot carry that message the request is undone and answered 503. Cancelling it again while it',
          'runs is harmless. A finished execution (succeeded, dead, skipped, missed, cancelled) is 409.',
        ].join(' '),
        params: IdParams,
        response: { 202: Execution, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(toExecutionDto(await service.cancel(request.user, request.params.id, request.log))),
  )

  deadLetterRoutes(app)
}

export default executionRoutes
