import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { WorkerList } from '@punctual/core'
import { errors } from '../route-helpers.ts'

const workerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.services.executions

  app.get(
    '',
    {
      schema: {
        tags: ['workers'],
        description: [
          'The live worker processes of the deployment (not per tenant), from their heartbeats in Redis:',
          'workers beat every 5 s and one silent for 15 s is left out. Any role may read it; 503 while Redis',
          'is unreachable.',
        ].join(' '),
        response: { 200: WorkerList, ...errors },
      },
    },
    async () => ({ items: await service.workers() }),
  )
}

export default workerRoutes
