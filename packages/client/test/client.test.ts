import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatedFile, generatedSource } from '../scripts/source.ts'
import { createClient, type Schedule, type Workflow } from '../src/index.ts'

const JWT_SECRET = 'client-test-secret-0123456789abcdef'

/** An HS256 JWT as `pnpm run token` mints it. */
function token(tenant: string, role: string): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'client-test', tenant, role, iat: now, exp: now + 600 })}`
  return `${body}.${createHmac('sha256', JWT_SECRET).update(body).digest('base64url')}`
}

describe('the committed client', () => {
  it('is what the served OpenAPI document generates (run `pnpm --filter @punctual/client generate`)', async () => {
    expect(readFileSync(generatedFile, 'utf8')).toBe(await generatedSource())
  })
})

describe('the typed client against a real API process', () => {
  let database: TestDatabase
  let redis: TestRedis
  let api: ApiProcess
  beforeAll(async () => {
    database = await createTestDatabase()
    redis = await createTestRedis()
    api = await startApiProcess({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      JWT_SECRET,
      LOG_LEVEL: 'warn',
    })
    await api.ready()
  })
  afterAll(async () => {
    await api?.stop()
    await redis?.cleanup()
    await database?.close()
  })

  it('creates, reads and lists with typed bodies, and types a refusal as the problem body', async () => {
    const client = createClient({ baseUrl: `${api.url}/`, token: token('acme', 'editor') })
    const wf = await client.POST('/api/workflows', {
      body: { name: 'noop', steps: [{ name: 'wait', type: 'delay', ms: 0 }] },
    })
    expect(wf.response.status).toBe(201)
    const workflow: Workflow = wf.data!
    const created = await client.POST('/api/schedules', {
      body: {
        workflowId: workflow.id,
        name: 'nightly',
        cronExpression: '0 30 2 * * *',
        timezone: 'Europe/Paris',
      },
    })
    expect(created.response.status).toBe(201)
    const got = await client.GET('/api/schedules/{id}', { params: { path: { id: created.data!.id } } })
    const schedule: Schedule = got.data!
    expect(schedule).toMatchObject({ name: 'nightly', timezone: 'Europe/Paris', state: 'active' })
    const page = await client.GET('/api/schedules', { params: { query: { limit: 10 } } })
    expect(page.data!.items.map((s) => s.id)).toEqual([schedule.id])

    const refused = await client.POST('/api/schedules', {
      body: { workflowId: workflow.id, name: 'bad', cronExpression: '61 * * * *' },
    })
    expect(refused.response.status).toBe(422)
    expect(refused.response.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect(refused.error).toMatchObject({ code: 'SCHED_ERR_CRON_INVALID', status: 422 })

    const anonymous = await createClient({ baseUrl: api.url }).GET('/api/workflows')
    expect(anonymous.response.status).toBe(401)
    expect(anonymous.error).toMatchObject({ code: 'SCHED_ERR_UNAUTHORIZED' })
  })
})
