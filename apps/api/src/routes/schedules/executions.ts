import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Execution,
  ExecutionAccepted,
  executionStatuses,
  IdParams,
  Nullable,
  Page,
  ScheduleHistoryQuery,
  TriggerBody,
} from '@punctual/core'
import { createExecutionsRepo, createSchedulesRepo, scheduleStates } from '@punctual/db'
import { Type } from 'typebox'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { toExecutionDto } from '../../services/executions.ts'
import { notFound } from '../../services/schedules.ts'
import { errors, optionalBody, type TypeBoxApp } from '../route-helpers.ts'

const count = Type.Integer({ minimum: 0 })
const countOrNull = Nullable(count)
const ByStatus = Type.Object(Object.fromEntries(executionStatuses.map((s) => [s, count])))

export const ScheduleStats = Type.Object({
  schedules: Type.Object(Object.fromEntries(scheduleStates.map((s) => [s, count]))),
  lastHour: ByStatus,
  lastDay: ByStatus,
  queue: Type.Object({
    due: Type.Union([count, Type.Null()], {
      description: "the tenant's active schedules with a next fire (from Postgres)",
    }),
    overdue: Type.Union([count, Type.Null()], {
      description: 'of those, the ones whose next fire time has passed and that have not fired yet',
    }),
    ready: Type.Union([count, Type.Null()], {
      description:
        "the tenant's executions waiting for a worker (held back by a cap included); null with Redis down",
    }),
    running: Type.Union([count, Type.Null()], {
      description: "the tenant's executions leased to a worker (claimed ahead included): the slots it holds",
    }),
    retrying: Type.Union([count, Type.Null()], {
      description:
        "the tenant's delayed executions: retries in backoff, and jittered or look-ahead fires not yet due",
    }),
    dead: Type.Integer({ minimum: 0, description: "the tenant's dead executions (all time), from Postgres" }),
  }),
  firingLagMs: Nullable(
    Type.Object(
      { p50: Type.Number(), p95: Type.Number(), p99: Type.Number() },
      {
        description: 'startedAt − scheduledFor of fire executions created in the last hour (jitter included)',
      },
    ),
  ),
  workersAlive: countOrNull,
  generatedAt: Type.String({ format: 'date-time' }),
})

/**
 * The execution side of schedules: run now, history, tenant-wide stats. Registered by the schedules plugin
 * before its `/:id` routes.
 */
const scheduleExecutionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  statsRoute(app)
  triggerRoute(app)
  historyRoute(app)
}

export default scheduleExecutionRoutes

function statsRoute(app: TypeBoxApp) {
  app.get(
    '/stats',
    {
      schema: {
        tags: ['schedules'],
        description: [
          "Tenant-wide figures. `schedules`: the tenant's schedules by state. `lastHour` / `lastDay`: the tenant's",
          'executions created in that window, by status. `firingLagMs`: percentiles of startedAt − scheduledFor',
          'of fire executions created in the last hour (null when none started).',
          "`queue`: the tenant's own depths, nothing of other tenants: `due`, `overdue` and `dead` from its rows in",
          'Postgres; `ready`, `running` and `retrying` from its own counters in Redis (read without scanning other',
          "tenants' entries). `workersAlive`: workers whose heartbeat is under 15 s old (the deployment's).",
          'With Redis unreachable the Redis-side figures are null and the rest is still answered.',
        ].join(' '),
        response: { 200: ScheduleStats, ...errors },
      },
    },
    async (request) => app.services.executions.stats(request.user, request.log),
  )
}

function triggerRoute(app: TypeBoxApp) {
  app.post(
    '/:id/trigger',
    {
      schema: {
        tags: ['schedules'],
        description: [
          "Runs the schedule's workflow now, outside the cron, as a `manual` execution: `scheduledFor` = the",
          "request time, `input` shallow-merged over the schedule's input, priority and retry policy from the",
          'schedule. It ignores overlapPolicy and does not count toward maxExecutions; a paused, completed or',
          'expired schedule may be triggered too. 202 once the execution row is committed in Postgres: if Redis',
          'cannot take it at that moment the answer is still 202, and the reconciler queues the row when Redis',
          'is back.',
        ].join(' '),
        params: IdParams,
        body: TriggerBody,
        response: { 202: ExecutionAccepted, ...errors },
      },
      // The body is optional: a bare POST runs with the schedule's input.
      preValidation: optionalBody,
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await app.services.executions.trigger(
            request.user,
            request.params.id,
            request.body ?? {},
            request.log,
          ),
        ),
  )
}

function historyRoute(app: TypeBoxApp) {
  const executions = createExecutionsRepo(app.deps.db)
  const schedules = createSchedulesRepo(app.deps.db)
  app.get(
    '/:id/history',
    {
      schema: {
        tags: ['schedules'],
        description: [
          "The schedule's executions of every kind (fire, manual, redrive), newest first, paginated by id.",
          '404 when the schedule does not exist in the tenant (the history of a deleted schedule stays',
          'readable through GET /api/executions?scheduleId=).',
        ].join(' '),
        params: IdParams,
        querystring: ScheduleHistoryQuery,
        response: { 200: Page(Execution), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, cursor, status } = request.query
      const before = decodeCursor(cursor)
      const { tenant } = request.user
      const [schedule, rows] = await Promise.all([
        schedules.find(tenant, request.params.id),
        executions.page(tenant, { limit, before, status, scheduleId: request.params.id }),
      ])
      if (!schedule) throw notFound(request.params.id)
      return sizedPage(rows, toExecutionDto)
    },
  )
}
