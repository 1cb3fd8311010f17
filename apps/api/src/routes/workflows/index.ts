import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError, IdParams, Page, PageQuery, Workflow, WorkflowCreate, WorkflowPatch } from '@punctual/core'
import { createWorkflowsRepo } from '@punctual/db'
import { Type } from 'typebox'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { toWorkflowDto } from '../../services/workflows.ts'
import { deleteRoute, errors } from '../route-helpers.ts'

const ListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

const workflowRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.services.workflows
  const repo = createWorkflowsRepo(app.deps.db)

  app.post(
    '',
    { schema: { tags: ['workflows'], body: WorkflowCreate, response: { 201: Workflow, ...errors } } },
    async (request, reply) =>
      reply.code(201).send(toWorkflowDto(await service.create(request.user, request.body))),
  )
  app.get(
    '',
    { schema: { tags: ['workflows'], querystring: ListQuery, response: { 200: Page(Workflow), ...errors } } },
    async (request) => {
      const rows = await repo.page(request.user.tenant, {
        limit: request.query.limit ?? 50,
        after: decodeCursor(request.query.cursor),
      })
      return sizedPage(rows, toWorkflowDto)
    },
  )
  app.get(
    '/:id',
    { schema: { tags: ['workflows'], params: IdParams, response: { 200: Workflow, ...errors } } },
    async (request) => {
      const row = await repo.get(request.user.tenant, request.params.id)
      if (!row) throw notFound(request.params.id)
      return toWorkflowDto(row)
    },
  )
  app.put(
    '/:id',
    {
      schema: {
        tags: ['workflows'],
        description: 'Replaces the workflow (fields left out are cleared).',
        params: IdParams,
        body: WorkflowCreate,
        response: { 200: Workflow, ...errors },
      },
    },
    async (request) =>
      toWorkflowDto(await service.update(request.user, request.params.id, request.body, true)),
  )
  app.patch(
    '/:id',
    {
      schema: {
        tags: ['workflows'],
        params: IdParams,
        body: WorkflowPatch,
        response: { 200: Workflow, ...errors },
      },
    },
    async (request) =>
      toWorkflowDto(await service.update(request.user, request.params.id, request.body, false)),
  )
  deleteRoute(app, {
    tag: 'workflows',
    description: 'Deleting a workflow that schedules or triggers still use is 409.',
    remove: (p, id) => service.remove(p, id),
  })
}

function notFound(id: string) {
  return new AppError('SCHED_ERR_NOT_FOUND', `No workflow ${id}`)
}

export default workflowRoutes
