// The peer for the API benchmark: a bare Fastify server doing the same storage work as our routes with
// postgres.js and ioredis directly and nothing else (no auth, no validation beyond parsing, no rate limit).
//   GET  /bare/schedules/:id  → SELECT by primary key
//   POST /bare/schedules      → BEGIN, SELECT the workflow, INSERT, ZADD, COMMIT
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import postgres from 'postgres'

const sql = postgres(process.env.DATABASE_URL!, { max: Number(process.env.DATABASE_POOL_SIZE) })
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

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
