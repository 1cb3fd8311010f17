import {
  Execution,
  ExecutionAccepted,
  ExecutionPatch,
  IdParams,
  RedriveBody,
  RedriveResult,
  RetryBody,
} from '@punctual/core'
import { toExecutionDto } from '../../services/executions.ts'
import { errors, optionalBody, type TypeBoxApp } from '../route-helpers.ts'

/** The dead-letter routes (single retry, bulk redrive) and the priority change of a waiting execution. */
export function deadLetterRoutes(app: TypeBoxApp) {
  const service = app.services.executions
  const deadLetter = app.services.deadLetter
  app.post(
    '/:id/retry',
    {
      schema: {
        tags: ['executions'],
        description: [
          'Redrives a `dead` execution as a new `redrive` execution: same workflow, input, priority, retry',
          'policy and schedule/trigger, `retryOf` = the dead one, `scheduledFor` = the request time; its first',
          'attempt is 1. Any other status is 409. Like a trigger, the answer is 202 once the row is committed,',
          'even if Redis cannot take it at that moment (the reconciler queues it).',
        ].join(' '),
        params: IdParams,
        body: RetryBody,
        response: { 202: ExecutionAccepted, ...errors },
      },
      // The body is optional: none at all is `{}` (no input given).
      preValidation: optionalBody,
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(await deadLetter.redrive(request.user, request.params.id, request.body ?? {}, request.log)),
  )

  app.post(
    '/redrive',
    {
      schema: {
        tags: ['executions'],
        description: [
          'The dead-letter queue in bulk: a `redrive` execution for each `dead` one the filter matches that was',
          'never redriven before (by this route or by `retry`; marked on the dead row, so deleting or losing the',
          'redrive changes nothing), oldest first, at most 10,000 a call. `matched` counts all such before the',
          'call; `finishedTo` defaults to the request time and is echoed: repeating the call with it works',
          'through the backlog until `matched` is 0 (redrives that die later finish after it). A filter with no',
          'field is 400. `dryRun: true` answers 200 and only counts (`executionIds` empty). Audited with the',
          'count (`execution.bulk_redriven`).',
        ].join(' '),
        body: RedriveBody,
        response: { 200: RedriveResult, 202: RedriveResult, ...errors },
      },
    },
    async (request, reply) => {
      const { dryRun, ...result } = await deadLetter.redriveMany(request.user, request.body, request.log)
      return reply.code(dryRun ? 200 : 202).send(result)
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['executions'],
        description: [
          'Re-prioritises a `queued` or `retrying` execution (0-9, higher first): written to Postgres and to the',
          'Redis queue in one step (Redis down: 503, nothing changed); a ready one takes its new place in its',
          "tenant's line at once, a waiting one uses it when it becomes ready. Any other status is 409.",
        ].join(' '),
        params: IdParams,
        body: ExecutionPatch,
        response: { 200: Execution, ...errors },
      },
    },
    async (request) =>
      toExecutionDto(await service.setPriority(request.user, request.params.id, request.body.priority)),
  )
}
