// The peer for the API benchmark: a bare Fastify server doing the same storage work as our routes with
// postgres.js and ioredis directly and nothing else (no auth, no validation beyond parsing, no rate limit).
//   GET  /bare/schedules/:id  → SELECT by primary key
//   POST /bare/schedules      → BEGIN, SELECT the workflow, INSERT, ZADD, COMMIT
//   POST /bare/hooks/:id      → raw body, the same Standard Webhooks HMAC check as ours (env BARE_HOOK_SECRET),
//                               JSON.parse, 202 (no storage: the webhook ingest peer)
import { randomUUID } from 'node:crypto'
import { verifyStandardWebhook } from '@punctual/core'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import postgres from 'postgres'

const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.DATABASE_POOL_SIZE),
  connection: { search_path: process.env.DATABASE_SCHEMA ?? 'punctual' },
})
const redis = new Redis(process.env.REDIS_URL!)
const dueKey = `{${process.env.REDIS_PREFIX}}:bare-due`
const app = Fastify({ logger: false })

app.get<{ Params: { id: string } }>('/bare/schedules/:id', async (request, reply) => {
  const [row] = await sql`select * from schedules where id = ${request.params.id}`
  if (!row) return reply.code(404).send({})
  return row
})

app.post<{ Body: { workflowId: string; name: string; cronExpression: string } }>(
  '/bare/schedules',
  async (request, reply) => {
    const body = request.body
    const row = await sql.begin(async (tx) => {
      const [wf] = await tx`select id from workflows where id = ${body.workflowId}`
      if (!wf) throw new Error('no workflow')
      const id = randomUUID()
      const next = new Date(Date.now() + 60_000)
      const [created] = await tx`
        insert into schedules (id, tenant, workflow_id, name, cron_expression, next_run_at)
        values (${id}, 'bench', ${body.workflowId}, ${body.name}, ${body.cronExpression}, ${next})
        returning *`
      await redis.zadd(dueKey, next.getTime(), id)
      return created
    })
    return reply.code(201).send(row)
  },
)

const hookSecret = process.env.BARE_HOOK_SECRET ?? ''
await app.register(async (hooks) => {
  hooks.removeAllContentTypeParsers()
  hooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
  hooks.post<{ Params: { id: string }; Body: Buffer }>('/bare/hooks/:id', async (request, reply) => {
    const h = request.headers as Record<string, string | undefined>
    const verdict = verifyStandardWebhook({
      secrets: [hookSecret],
      id: h['webhook-id'],
      timestamp: h['webhook-timestamp'],
      signature: h['webhook-signature'],
      body: request.body,
      nowMs: Date.now(),
    })
    if (!verdict.ok) return reply.code(401).send({ reason: verdict.reason })
    const value = JSON.parse(request.body.toString('utf8')) as unknown
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return reply.code(400).send({})
    return reply.code(202).send({ executionId: randomUUID() })
  })
})

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
