import { sleep } from '@punctual/core/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { createSigner } from 'fast-jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiProcess, startApiProcess } from '../src/testing.ts'

// Two API processes on one database: a key created through one works through the other, and a key revoked
// through one is refused by the other within 5 s (the contract), Postgres being all they share about keys.
const JWT_SECRET = 'replicas-secret-0123456789abcdef'
let database: TestDatabase
let redis: TestRedis
const apis: ApiProcess[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  redis = await createTestRedis()
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
  }
  apis.push(await startApiProcess(env), await startApiProcess(env))
  await Promise.all(apis.map((a) => a.ready()))
})
afterAll(async () => {
  await Promise.all(apis.map((a) => a.stop()))
  await redis?.cleanup()
  await database?.close()
})

const admin = createSigner({ key: JWT_SECRET, algorithm: 'HS256', expiresIn: 600_000 })({
  sub: 'root',
  tenant: 'acme',
  role: 'admin',
})

const call = (api: ApiProcess, method: string, path: string, authorization: string, body?: object) =>
  fetch(`${api.url}${path}`, {
    method,
    headers: { authorization, ...(body && { 'content-type': 'application/json' }) },
    ...(body && { body: JSON.stringify(body) }),
  })

describe('API keys across two API processes', () => {
  it('a key made on one works on the other; revoked on one, the other refuses it within 5 s', async () => {
    const [a, b] = apis as [ApiProcess, ApiProcess]
    const created = await call(a, 'POST', '/api/api-keys', `Bearer ${admin}`, { name: 'ci', role: 'editor' })
    expect(created.status).toBe(201)
    const { id, key } = (await created.json()) as { id: string; key: string }
    const bearer = `Bearer ${key}`
    // Warm both caches: each process has read the key and trusts it.
    for (const api of [a, b]) expect((await call(api, 'GET', '/api/workflows', bearer)).status).toBe(200)

    expect((await call(a, 'DELETE', `/api/api-keys/${id}`, `Bearer ${admin}`)).status).toBe(204)
    expect((await call(a, 'GET', '/api/workflows', bearer)).status).toBe(401)
    await sleep(5000)
    for (const api of [b, a]) {
      const res = await call(api, 'GET', '/api/workflows', bearer)
      expect(res.status).toBe(401)
    }
  }, 40_000)
})
