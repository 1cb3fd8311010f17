/**
 * The end-to-end fixture for Redis Cluster and Sentinel (issue 19): a database, the real API app on a Redis
 * client of the given mode, built from environment variables exactly as the API's server builds it
 * (loadApiConfig → redisConnectionFromConfig → createRedis), real worker processes given the same variables,
 * and a local HTTP target the workflows' http steps call. Shared by redis-cluster.test.ts,
 * redis-sentinel.test.ts (failover-scenario.ts holds what both check) and redis-auth/redis-tls.test.ts.
 * `apiProcess`: the API runs as a real process (src/server.ts) given the same variables instead of in this
 * process — needed when they include NODE_EXTRA_CA_CERTS, which Node reads only at a process's start.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type App, buildApp, loadApiConfig } from '@punctual/api'
import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
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

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface TopologyFleet {
  database: TestDatabase
  keys: QueueKeys
  /** What a worker process needs: the database, the Redis mode's variables, the prefix. */
  env: Record<string, string>
  /** Requests the http steps made: path → times hit. */
  hits: Map<string, number>
  targetUrl: string
  workers: WorkerProcess[]
  /** The API as a process (`apiProcess`), else undefined (the API runs in this process). */
  apiProcess: ApiProcess | undefined
  /** An authenticated API request (an admin of tenant acme). */
  request(method: Method, url: string, payload?: object): Promise<{ status: number; body: unknown }>
  startWorker(extra?: Record<string, string>): WorkerProcess
  close(): Promise<void>
}

export async function createTopologyFleet(
  redisEnv: Record<string, string>,
  opts: { apiProcess?: boolean } = {},
): Promise<TopologyFleet> {
  const database = await createTestDatabase()
  const prefix = `t${randomBytes(6).toString('hex')}`
  const env = { DATABASE_URL: database.url, REDIS_PREFIX: prefix, ...redisEnv }
  const api = opts.apiProcess ? await processApi(env) : await inProcessApi(env, database)
  const hits = new Map<string, number>()
  const target: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    hits.set(path, (hits.get(path) ?? 0) + 1)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  const workers: WorkerProcess[] = []
  return {
    database,
    keys: createKeys(prefix),
    env,
    hits,
    targetUrl: `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
    workers,
    apiProcess: api.process,
    request: api.request,
    startWorker(extra = {}) {
      const w = startWorkerProcess({ ...env, ...extra })
      workers.push(w)
      return w
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')))
      await api.close()
      await new Promise((r) => target.close(r))
      await database.close()
    },
  }
}

interface FleetApi {
  process: ApiProcess | undefined
  request: TopologyFleet['request']
  close(): Promise<void>
}

/** The API app in this process, on its own Redis client built from `env`. */
async function inProcessApi(env: Record<string, string>, database: TestDatabase): Promise<FleetApi> {
  const config = loadApiConfig({ LOG_LEVEL: 'silent', JWT_SECRET, ...env })
  const redis: Redis = createRedis(redisConnectionFromConfig(config), { name: 'e2e-api' })
  await waitForReady(redis, 10_000)
  const app: App = await buildApp({
    config,
    db: database.db,
    sql: database.sql,
    pingDb: () => ping(database.sql),
    redis,
    keys: createKeys(config.REDIS_PREFIX),
    logger: false,
  })
  await app.ready()
  const token = app.jwt.sign({ sub: 'test', tenant: 'acme', role: 'admin' }, { expiresIn: '1h' })
  return {
    process: undefined,
    async request(method, url, payload) {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      })
      return { status: res.statusCode, body: res.body ? res.json() : undefined }
    },
    async close() {
      await app.close().catch(() => {})
      redis.disconnect()
    },
  }
}

/** The API as a real process given `env` (with NODE_EXTRA_CA_CERTS when the test CA must be trusted). */
async function processApi(env: Record<string, string>): Promise<FleetApi> {
  const api = await startApiProcess({ LOG_LEVEL: 'warn', JWT_SECRET, ...env })
  await api.ready(30_000)
  const now = Math.floor(Date.now() / 1000)
  const token = hs256({ sub: 'test', tenant: 'acme', role: 'admin', iat: now, exp: now + 3600 })
  return {
    process: api,
    async request(method, url, payload) {
      const res = await fetch(`${api.url}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : undefined }
    },
    async close() {
      await api.stop('SIGKILL')
    },
  }
}

function hs256(payload: object): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`
  return `${head}.${createHmac('sha256', JWT_SECRET).update(head).digest('base64url')}`
}

export async function call<T = Record<string, unknown>>(
  fleet: TopologyFleet,
  method: Method,
  url: string,
  payload?: object,
): Promise<{ status: number; body: T }> {
  const res = await fleet.request(method, url, payload)
  return { status: res.status, body: res.body as T }
}
