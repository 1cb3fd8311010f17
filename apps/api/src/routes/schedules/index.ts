import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  IdParams,
  nextRuns,
  Page,
  PauseBody,
  Schedule,
  ScheduleCreate,
  ScheduleListQuery,
  SchedulePatch,
  ScheduleStatus,
  ScheduleWithWarnings,
} from '@punctual/core'
import { createExecutionsRepo, createSchedulesRepo, type ScheduleView } from '@punctual/db'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { toExecutionDto } from '../../services/executions.ts'
import { notFound, toScheduleDto } from '../../services/schedules.ts'
import { deleteRoute, errors, optionalBody, type TypeBoxApp } from '../route-helpers.ts'
import scheduleExecutionRoutes from './executions.ts'
import optimizerRoutes from './optimizer.ts'

/** /api/schedules: one function per route, registered in this order (the OpenAPI document follows it). */
const scheduleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // trigger, history and /stats (static, so registered before the /:id routes it would otherwise look like).
  await app.register(scheduleExecutionRoutes)
  await app.register(optimizerRoutes)
  createRoute(app)
  listRoute(app)
  getRoute(app)
  updateRoutes(app)
  deleteRoute(app, {
    tag: 'schedules',
    description:
      'No fire starts after the 204 returns: fires whose time had come but that had not started (waiting for jitter, held by buffer_one, in a backlog, claimed ahead by a worker) end `skipped` with `error.reason: "deleted"`; an execution already running goes on (cancel it to stop it).',
    remove: (p, id) => app.services.schedules.remove(p, id),
  })
  pauseRoute(app)
  resumeRoute(app)
  statusRoute(app)
}

export default scheduleRoutes

function createRoute(app: TypeBoxApp) {
  app.post(
    '',
    {
      schema: {
        tags: ['schedules'],
        description: 'Creates a schedule. `warnings` lists conflicts without refusing the create.',
        body: ScheduleCreate,
        response: { 201: ScheduleWithWarnings, ...errors },
      },
    },
    async (request, reply) => {
      const { schedule, warnings } = await app.services.schedules.create(request.user, request.body)
      return reply.code(201).send({ ...toScheduleDto(schedule), warnings })
    },
  )
}

function listRoute(app: TypeBoxApp) {
  const repo = createSchedulesRepo(app.deps.db)
  app.get(
    '',
    {
      schema: {
        tags: ['schedules'],
        querystring: ScheduleListQuery,
        response: { 200: Page(Schedule), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, cursor, workflowId, state, search } = request.query
      const rows = await repo.page(request.user.tenant, {
        limit,
        after: decodeCursor(cursor),
        workflowId,
        state,
        search,
      })
      return sizedPage(rows, toScheduleDto)
    },
  )
}

function getRoute(app: TypeBoxApp) {
  const repo = createSchedulesRepo(app.deps.db)
  app.get(
    '/:id',
    { schema: { tags: ['schedules'], params: IdParams, response: { 200: Schedule, ...errors } } },
    async (request) => {
      const row = await repo.find(request.user.tenant, request.params.id)
      if (!row) throw notFound(request.params.id)
      return toScheduleDto(row)
    },
  )
}

/** PUT and PATCH alike. */
function updateRoutes(app: TypeBoxApp) {
  const update = {
    schema: {
      tags: ['schedules'],
      description:
        'Partial update (PUT and PATCH alike). A changed expression, zone or dates recompute nextRunAt at once. Setting `enabled: false` stops like a pause: no fire starts after the 200, and fires whose time had come but that had not started end `skipped` with `error.reason: "paused"`.',
      params: IdParams,
      body: SchedulePatch,
      response: { 200: ScheduleWithWarnings, ...errors },
    },
  }
  for (const method of ['put', 'patch'] as const) {
    app[method]('/:id', update, async (request) => {
      const { schedule, warnings } = await app.services.schedules.update(
        request.user,
        request.params.id,
        request.body,
      )
      return { ...toScheduleDto(schedule), warnings }
    })
  }
}

function pauseRoute(app: TypeBoxApp) {
  app.post(
    '/:id/pause',
    {
      schema: {
        tags: ['schedules'],
        description:
          'No fire starts after the 200 returns; fires that fall in the pause are neither run nor recorded, and fires whose time had come but that had not started (waiting for jitter, held by buffer_one, in a backlog, claimed ahead by a worker) end `skipped` with `error.reason: "paused"`. An execution already running goes on, retries included (cancel it to stop it).',
        params: IdParams,
        body: PauseBody,
        response: { 200: Schedule, ...errors },
      },
      // The body is optional: a bare POST pauses without a note.
      preValidation: optionalBody,
    },
    async (request) =>
      toScheduleDto(await app.services.schedules.pause(request.user, request.params.id, request.body?.note)),
  )
}

function resumeRoute(app: TypeBoxApp) {
  app.post(
    '/:id/resume',
    {
      schema: {
        tags: ['schedules'],
        description: 'The next fire is the first one after the resume.',
        params: IdParams,
        response: { 200: Schedule, ...errors },
      },
    },
    async (request) => toScheduleDto(await app.services.schedules.resume(request.user, request.params.id)),
  )
}

function statusRoute(app: TypeBoxApp) {
  const repo = createSchedulesRepo(app.deps.db)
  const executions = createExecutionsRepo(app.deps.db)
  app.get(
    '/:id/status',
    {
      schema: {
        tags: ['schedules'],
        description: [
          '`lastExecution`: the newest execution of any kind. `successRate`: succeeded / (succeeded + dead +',
          'cancelled) over fire and manual executions (skipped and missed fires never ran and are not counted;',
          'redrives are not counted), null when none finished. `averageDurationMs`: mean finishedAt − startedAt',
          'of the succeeded fire and manual executions. `executionCount`: fires that started running.',
        ].join(' '),
        params: IdParams,
        response: { 200: ScheduleStatus, ...errors },
      },
    },
    async (request) => {
      const [row, summary] = await Promise.all([
        repo.find(request.user.tenant, request.params.id),
        executions.scheduleSummary(request.user.tenant, request.params.id),
      ])
      if (!row) throw notFound(request.params.id)
      return {
        state: row.state,
        nextRuns: upcomingRuns(row),
        lastExecution: summary.last ? toExecutionDto(summary.last) : null,
        executionCount: row.executionCount,
        successRate: summary.finished > 0 ? summary.succeeded / summary.finished : null,
        averageDurationMs: summary.averageDurationMs,
        missedCount: row.missedCount,
      }
    },
  )
}

/** The next five fires of an active schedule, from its pending one, none past its end date. */
function upcomingRuns(row: ScheduleView): string[] {
  if (row.state !== 'active' || !row.nextRunAt) return []
  const first = row.nextRunAt
  const rest = nextRuns(row.cronExpression, { timezone: row.timezone, from: first, count: 4 })
  return [first, ...rest]
    .filter((d) => !row.endDate || d.getTime() <= row.endDate.getTime())
    .map((d) => d.toISOString())
}
