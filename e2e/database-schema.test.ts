import { type App, buildApp, loadApiConfig } from '@punctual/api'
import { waitFor } from '@punctual/core/testing'
import { createDb, type DbHandle, migrate, ping } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createKeys } from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// A second deployment in the same database under DATABASE_SCHEMA=deploy_b (issue 18): its API and worker
// process find their tables there, and the default schema's tables see none of its work.
const JWT_SECRET = 'e2e-test-secret-0123456789'
let database: TestDatabase
let redis: TestRedis
let deployB: DbHandle
let api: App
let worker: WorkerProcess | undefined

beforeAll(async () => {
  database = await createTestDatabase()
  redis = await createTestRedis({ ownDb: true })
  await migrate(database.url, { schema: 'deploy_b' })
  deployB = createDb(database.url, { schema: 'deploy_b', max: 4 })
  const config = loadApiConfig({
    LOG_LEVEL: 'silent',
    JWT_SECRET,
    REDIS_PREFIX: redis.prefix,
    DATABASE_SCHEMA: 'deploy_b',
  })
  api = await buildApp({
    config,
    db: deployB.db,
    sql: deployB.sql,
    pingDb: () => ping(deployB.sql),
    redis: redis.redis,
    keys: createKeys(redis.prefix),
    logger: false,
  })
  await api.ready()
})
afterAll(async () => {
  await worker?.stop('SIGKILL')
  await api?.close()
  await deployB?.close()
  await redis?.cleanup()
  await database?.close()
})

describe('DATABASE_SCHEMA', () => {
  it("a worker process started with DATABASE_SCHEMA runs that schema's schedules and writes there only", async () => {
    const token = api.jwt.sign({ sub: 'test', tenant: 'acme', role: 'admin' }, { expiresIn: '1h' })
    const call = (url: string, payload: object) =>
      api.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload })
    const wf = await call('/api/workflows', { name: 'noop', steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    expect(wf.statusCode).toBe(201)
    const schedule = await call('/api/schedules', {
      workflowId: wf.json().id,
      name: 'every-second',
      cronExpression: '* * * * * *',
    })
    expect(schedule.statusCode).toBe(201)

    worker = startWorkerProcess({
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: 'deploy_b',
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
    })
    await worker.waitForLog('ready')
    await waitFor(
      'two succeeded fires in deploy_b',
      async () => {
        const [row] = await deployB.sql<{ n: number }[]>`
          select count(*)::int as n from executions where status = 'succeeded' and kind = 'fire'`
        return row!.n >= 2
      },
      { timeoutMs: 20_000 },
    )
    // The default schema (the test database's own `punctual`) holds none of it.
    const [inDefault] = await database.sql<{ n: number }[]>`select count(*)::int as n from executions`
    const [schedulesInDefault] = await database.sql<{ n: number }[]>`select count(*)::int as n from schedules`
    expect([inDefault, schedulesInDefault]).toEqual([{ n: 0 }, { n: 0 }])
  })
})
