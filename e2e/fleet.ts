/**
 * The end-to-end fixture: one database, one Redis keyspace, the real API app built on both (the same buildApp
 * as the server), and the environment real worker processes (`@punctual/worker/testing`) need to join them.
 */
import { type App, buildApp, loadApiConfig } from '@punctual/api'
import { ping } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createKeys } from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'

const JWT_SECRET = 'e2e-test-secret-0123456789'

export interface Fleet {
  database: TestDatabase
  redis: TestRedis
  api: App
  env: Record<string, string>
  token: string
  close(): Promise<void>
}

/** A database, a Redis keyspace (own DB number: tests may FLUSHDB it) and the real API app on both. */
export async function createFleet(): Promise<Fleet> {
  const database = await createTestDatabase()
  const redis = await createTestRedis({ ownDb: true })
  const config = loadApiConfig({ LOG_LEVEL: 'silent', JWT_SECRET, REDIS_PREFIX: redis.prefix })
  const api = await buildApp({
    config,
    db: database.db,
    sql: database.sql,
    pingDb: () => ping(database.sql),
    redis: redis.redis,
    keys: createKeys(redis.prefix),
    logger: false,
  })
  await api.ready()
  const token = api.jwt.sign({ sub: 'test', tenant: 'acme', role: 'admin' }, { expiresIn: '1h' })
  return {
    database,
    redis,
    api,
    token,
    env: { DATABASE_URL: database.url, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix },
    async close() {
      await api.close()
      await redis.cleanup()
      await database.close()
    },
  }
}

/** An admin token of another tenant (the fleet's own `token` is tenant `acme`'s). */
export function tenantToken(fleet: Fleet, tenant: string): string {
  return fleet.api.jwt.sign({ sub: `test-${tenant}`, tenant, role: 'admin' }, { expiresIn: '1h' })
}

export async function apiCall<T = Record<string, unknown>>(
  fleet: Fleet,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  token = fleet.token,
): Promise<{ status: number; body: T }> {
  const res = await fleet.api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  })
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T }
}
