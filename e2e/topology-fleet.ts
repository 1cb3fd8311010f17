/**
 * The end-to-end fixture for Redis Cluster and Sentinel (issue 19): a database, the real API app on a Redis
 * client of the given mode, built from environment variables exactly as the API's server builds it
 * (loadApiConfig → redisConnectionFromConfig → createRedis), real worker processes given the same variables,
 * and a local HTTP target the workflows' http steps call. Shared by redis-cluster.test.ts and
 * redis-sentinel.test.ts (failover-scenario.ts holds what both check).
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type App, buildApp, loadApiConfig } from '@punctual/api'
import { ping } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import {
  createKeys,
  createRedis,
  type QueueKeys,
  type Redis,
  redisConnectionFromConfig,
  waitForReady,
} from '@punctual/queue'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'

const JWT_SECRET = 'e2e-test-secret-0123456789'

export interface TopologyFleet {
  database: TestDatabase
  redis: Redis
  keys: QueueKeys
  api: App
  token: string
  /** What a worker process needs: the database, the Redis mode's variables, the prefix. */
  env: Record<string, string>
  /** Requests the http steps made: path → times hit. */
  hits: Map<string, number>
  targetUrl: string
  workers: WorkerProcess[]
  startWorker(extra?: Record<string, string>): WorkerProcess
  close(): Promise<void>
}

export async function createTopologyFleet(redisEnv: Record<string, string>): Promise<TopologyFleet> {
  const database = await createTestDatabase()
  const prefix = `t${randomBytes(6).toString('hex')}`
  const apiEnv = { LOG_LEVEL: 'silent', JWT_SECRET, REDIS_PREFIX: prefix, ...redisEnv }
  const config = loadApiConfig(apiEnv)
  const redis = createRedis(redisConnectionFromConfig(config), { name: 'e2e-api' })
  await waitForReady(redis, 10_000)
  const keys = createKeys(prefix)
  const api = await buildApp({
    config,
    db: database.db,
    sql: database.sql,
    pingDb: () => ping(database.sql),
    redis,
    keys,
    logger: false,
  })
  await api.ready()
  const hits = new Map<string, number>()
  const target: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    hits.set(path, (hits.get(path) ?? 0) + 1)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  const env = { DATABASE_URL: database.url, REDIS_PREFIX: prefix, ...redisEnv }
  const workers: WorkerProcess[] = []
  return {
    database,
    redis,
    keys,
    api,
    token: api.jwt.sign({ sub: 'test', tenant: 'acme', role: 'admin' }, { expiresIn: '1h' }),
    env,
    hits,
    targetUrl: `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
    workers,
    startWorker(extra = {}) {
      const w = startWorkerProcess({ ...env, ...extra })
      workers.push(w)
      return w
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')))
      await api.close().catch(() => {})
      redis.disconnect()
      await new Promise((r) => target.close(r))
      await database.close()
    },
  }
}

export async function call<T = Record<string, unknown>>(
  fleet: TopologyFleet,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
): Promise<{ status: number; body: T }> {
  const res = await fleet.api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${fleet.token}` },
    ...(payload ? { payload } : {}),
  })
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T }
}
