import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CronPreview, CronPreviewBody, isWildcard, nextRuns } from '@punctual/core'
import { assertTimingValid } from '../../services/schedule-rules.ts'
import { errors } from '../route-helpers.ts'

const cronRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/preview',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['cron'],
        description:
          'The next `count` fire instants strictly after `from` (default now), in UTC; 422 for an invalid expression or zone.',
        body: CronPreviewBody,
        response: { 200: CronPreview, ...errors },
      },
    },
    async (request) => {
      const { expression, timezone = 'UTC', count = 5 } = request.body
      const from = request.body.from ? new Date(request.body.from) : app.deps.now()
      assertTimingValid({ cronExpression: expression, timezone, startDate: null, endDate: null }, from, {
        cron: 'body.expression',
        timezone: 'body.timezone',
      })
      return {
        nextRuns: nextRuns(expression, { timezone, from, count }).map((d) => d.toISOString()),
        wildcard: isWildcard(expression),
      }
    },
  )
}

export default cronRoutes
