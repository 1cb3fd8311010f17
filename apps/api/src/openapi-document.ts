import { createDb } from '@punctual/db'
import { createKeys } from '@punctual/queue'
import { Redis } from 'ioredis'
import { buildApp } from './app.ts'
import { loadApiConfig } from './config.ts'

/**
 * The OpenAPI document the API serves at /openapi.json, built without a database or Redis (neither is
 * contacted: the clients connect lazily and nothing is asked of them). The typed client (packages/client) is
 * generated from it.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = loadApiConfig({ LOG_LEVEL: 'silent' })
  const database = createDb('postgres://postgres@127.0.0.1:1/unused', { max: 1 })
  const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0 })
  const app = await buildApp({
    config,
    db: database.db,
    sql: database.sql,
    pingDb: async () => {},
    redis,
    keys: createKeys(config.REDIS_PREFIX),
    logger: false,
  })
  try {
    return (await app.inject({ url: '/openapi.json' })).json()
  } finally {
    await app.close()
    redis.disconnect()
    await database.close(0)
  }
}
