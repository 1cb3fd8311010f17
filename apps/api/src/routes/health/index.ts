import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  postgres: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  redis: Type.Union([Type.Literal('up'), Type.Literal('down')]),
})

async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs)
  })
  try {
    return await Promise.race([check().then(() => 'up' as const), timeout])
  } catch {
    return 'down'
  } finally {
    clearTimeout(timer)
  }
}

export default async function healthRoutes(app: FastifyInstance) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/readyz',
    { schema: { tags: ['operations'], security: [], response: { 200: Readiness, 503: Readiness } } },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        probe(() => app.deps.pingDb(), 2000),
        probe(() => app.deps.redis.ping(), 2000),
      ])
      const ready = postgres === 'up' && redis === 'up'
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', postgres, redis })
    },
  )
}
