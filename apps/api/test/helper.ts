import { createDb, ping } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createKeys, createRedis, type Redis } from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { type App, type AppDeps, buildApp } from '../src/app.ts'
import { loadApiConfig } from '../src/config.ts'
import type { Role } from '../src/plugins/auth.ts'

export const JWT_SECRET = 'test-secret-0123456789abcdef'

export interface TestContext {
  app: App
  database: TestDatabase
  redis: TestRedis
  token(tenant?: string, role?: Role, extra?: Record<string, unknown>): string
  auth(tenant?: string, role?: Role): { authorization: string }
  close(): Promise<void>
}

export interface SetupOptions {
  env?: Record<string, string>
  now?: () => Date
  /** Point the app at another Redis (a TCP proxy for fault tests) while keeping the file's key prefix. */
  redisUrl?: (base: TestRedis) => string
  /** Point the app at another Postgres URL (a dead port or a proxy). */
  databaseUrl?: (base: TestDatabase) => string
  /** Use another context's Redis key prefix: a second API replica sharing the first one's Redis state. */
  shareRedisWith?: TestContext
  /** Give the file a Redis DB number of its own (1..15), so a test may FLUSHDB it. */
  ownRedisDb?: boolean
  /** Fastify logger options (default: no logging), e.g. `{ level: 'debug', stream }` to read the log lines. */
  logger?: AppDeps['logger']
}

/** Builds the real app (same buildApp as the server) on this file's own database and Redis key prefix. */
export async function setup(opts: SetupOptions = {}): Promise<TestContext> {
  const database = await createTestDatabase()
  const redis = await createTestRedis({ ownDb: opts.ownRedisDb ?? false })
  const config = loadApiConfig({ LOG_LEVEL: 'silent', JWT_SECRET, ...opts.env })
  let appRedis: Redis = redis.redis
  let ownRedis: Redis | undefined
  if (opts.redisUrl) {
    ownRedis = createRedis(opts.redisUrl(redis), { name: 'api-test' })
    ownRedis.on('error', () => {})
    appRedis = ownRedis
  }
  let appDb = database
  let ownDb: ReturnType<typeof createDb> | undefined
  if (opts.databaseUrl) {
    ownDb = createDb(opts.databaseUrl(database), { connectTimeoutSeconds: 2 })
    appDb = { ...database, db: ownDb.db, sql: ownDb.sql }
  }
  const app = await buildApp({
    config,
    db: appDb.db,
    sql: appDb.sql,
    pingDb: () => ping(appDb.sql),
    redis: appRedis,
    keys: createKeys(opts.shareRedisWith?.redis.prefix ?? redis.prefix),
    logger: opts.logger ?? false,
    ...(opts.now && { now: opts.now }),
  })
  await app.ready()
  const token = (tenant = 'acme', role: Role = 'admin', extra: Record<string, unknown> = {}) =>
    app.jwt.sign({ sub: `${role}@${tenant}`, tenant, role, ...extra }, { expiresIn: '1h' })
  return {
    app,
    database,
    redis,
    token,
    auth: (tenant, role) => ({ authorization: `Bearer ${token(tenant, role)}` }),
    async close() {
      await app.close()
      ownRedis?.disconnect()
      await ownDb?.close()
      await redis.cleanup()
      await database.close()
    },
  }
}

export const httpStep = (name = 'call', url = 'https://example.com/hook') => ({
  name,
  type: 'http' as const,
  method: 'POST',
  url,
})

export async function createWorkflow(ctx: TestContext, tenant = 'acme', name = `wf-${Math.random()}`) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/workflows',
    headers: ctx.auth(tenant, 'editor'),
    payload: { name, steps: [httpStep()] },
  })
  if (res.statusCode !== 201) throw new Error(`workflow create failed: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; name: string }
}

/** The served OpenAPI document with every `$ref` to `#/components/…` replaced by what it names. */
export function inlineRefs(spec: Record<string, unknown>): ReturnType<typeof JSON.parse> {
  const components = spec['components'] as Record<string, Record<string, unknown>>
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk)
    if (node === null || typeof node !== 'object') return node
    const ref = (node as { $ref?: unknown }).$ref
    if (typeof ref === 'string' && ref.startsWith('#/components/')) {
      const [, , kind, name] = ref.split('/')
      return walk(components[kind!]![name!])
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]))
  }
  return walk(spec)
}
