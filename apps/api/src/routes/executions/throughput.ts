import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ExecutionThroughput, ThroughputQuery } from '@punctual/core'
import type { ExecutionsRepo } from '@punctual/db'
import { errors } from '../route-helpers.ts'

type TypeBoxApp = Parameters<FastifyPluginAsyncTypebox>[0]

/** `GET /api/executions/throughput`: executions ended per minute (the console's overview chart). */
export function throughputRoute(app: TypeBoxApp, repo: ExecutionsRepo) {
  app.get(
    '/throughput',
    {
      schema: {
        tags: ['executions'],
        description: [
          "How many of the tenant's executions ended (succeeded, dead, cancelled) in each of the last `minutes`",
          'whole minutes (default 60, at most 1440), the current minute last, zeros included: the figure the',
          "console's overview charts. Counted by `finishedAt` among executions created at most 2 h before the window.",
        ].join(' '),
        querystring: ThroughputQuery,
        response: { 200: ExecutionThroughput, ...errors },
      },
    },
    async (request) => {
      const minutes = request.query.minutes ?? 60
      const now = app.deps.now()
      const to = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000)
      const from = new Date(to.getTime() - minutes * 60_000)
      const rows = await repo.throughputPerMinute(request.user.tenant, from, to)
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        minutes: rows.map((r) => ({ ...r, at: r.at.toISOString() })),
      }
    },
  )
}
