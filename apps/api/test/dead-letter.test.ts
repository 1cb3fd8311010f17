// The dead-letter service alone (no HTTP): redrive of a dead execution on a real database and Redis keyspace.
// The route's contract (status codes, roles, the problem bodies) is tested in executions.test.ts.
import { AppError, uuidv7 } from '@punctual/core'
import { createExecutionsRepo, createWorkflowsRepo } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createRedis } from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../src/plugins/auth.ts'
import { createDeadLetterService } from '../src/services/dead-letter.ts'
import { createExecutionContext } from '../src/services/executions.ts'

let database: TestDatabase
let redis: TestRedis
let workflowId: string
const editor: Principal = { sub: 'editor@acme', tenant: 'acme', role: 'editor' }
const lines: string[] = []
// A real logger (Fastify's pino) writing to memory: the Redis-down path must say what it left to the reconciler.
const log = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } } }).log

beforeAll(async () => {
  ;[database, redis] = await Promise.all([createTestDatabase(), createTestRedis()])
  workflowId = uuidv7()
  await createWorkflowsRepo(database.db).insert({ id: workflowId, tenant: 'acme', name: 'wf', steps: [] })
})
afterAll(async () => {
  await Promise.allSettled([redis?.cleanup(), database?.close()])
})

function service(r = redis.redis, now = () => new Date()) {
  const ctx = createExecutionContext({
    db: database.db,
    sql: database.sql,
    redis: r,
    keys: redis.keys,
    now,
    log,
  })
  return { ctx, deadLetter: createDeadLetterService(ctx) }
}

async function execution(status: 'dead' | 'succeeded' | 'retrying', tenant = 'acme') {
  const id = uuidv7()
  await createExecutionsRepo(database.db).insert({
    id,
    tenant,
    kind: 'webhook',
    triggerId: null,
    workflowId,
    scheduledFor: new Date(Date.now() - 60_000),
    status,
    attempt: 3,
    priority: 2,
    input: { order: 7 },
    retryPolicy: { maxAttempts: 3, initialDelayMs: 5, backoffMultiplier: 1, maxDelayMs: 5, jitter: 'none' },
  })
  return id
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal')
    },
    (err: unknown) => err as AppError,
  )

describe('dead-letter service', () => {
  it('redrives a dead execution as a new queued one, committed then enqueued; the dead one stays dead', async () => {
    const at = new Date('2031-02-03T04:05:06.000Z')
    const { ctx, deadLetter } = service(redis.redis, () => at)
    const dead = await execution('dead')
    const { executionId } = await deadLetter.redrive(editor, dead)
    expect(await ctx.executions.find('acme', executionId)).toMatchObject({
      kind: 'redrive',
      status: 'queued',
      attempt: 0,
      retryOf: dead,
      workflowId,
      priority: 2,
      input: { order: 7 },
      retryPolicy: { maxAttempts: 3, initialDelayMs: 5, backoffMultiplier: 1, maxDelayMs: 5, jitter: 'none' },
      scheduledFor: at,
      availableAt: at,
    })
    expect(await ctx.queue.get(executionId)).toMatchObject({ kind: 'redrive', priority: 2 })
    expect((await ctx.executions.find('acme', dead))?.status).toBe('dead')
  })

  it('refuses an execution that is not dead, or not in the tenant, and writes nothing', async () => {
    const { deadLetter } = service()
    for (const status of ['succeeded', 'retrying'] as const) {
      const err = await rejection(deadLetter.redrive(editor, await execution(status)))
      expect(err).toBeInstanceOf(AppError)
      expect(err.code).toBe('SCHED_ERR_INVALID_STATE')
    }
    const foreign = await execution('dead', 'globex')
    expect((await rejection(deadLetter.redrive(editor, foreign))).code).toBe('SCHED_ERR_NOT_FOUND')
    const rows = await database.sql`select count(*)::int as c from executions where kind = 'redrive'
                                      and retry_of in (select id from executions where status <> 'dead' or tenant = 'globex')`
    expect(rows[0]!.c).toBe(0)
  })

  it('answers once the row is committed even when Redis cannot take it (the reconciler queues it)', async () => {
    const down = createRedis('redis://127.0.0.1:1/0', { name: 'dead-letter-down' })
    down.on('error', () => {})
    try {
      const { ctx, deadLetter } = service(down)
      const { executionId } = await deadLetter.redrive(editor, await execution('dead'))
      expect((await ctx.executions.find('acme', executionId))?.status).toBe('queued')
      const warned = lines.map((l) => JSON.parse(l)).find((l) => l.executionId === executionId)
      expect(warned?.msg).toBe('execution committed but not enqueued; left to the reconciler')
    } finally {
      down.disconnect()
    }
  })
})
