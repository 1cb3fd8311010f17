import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { ConfigError, safeLogOptions } from '@punctual/core'
import { createDb, guardUnhandledConnectionLoss } from '@punctual/db'
import {
  createKeys,
  createRedis,
  redisConnectionFromConfig,
  redisMisconfiguration,
  watchBootMisconfiguration,
} from '@punctual/queue'
import pino from 'pino'
import { loadWorkerConfig, type WorkerConfig, workerHttpPort } from './config.ts'
import { createWorker } from './lifecycle.ts'
import { serveWorkerHttp } from './maintenance/http.ts'
import { createWorkerMetrics } from './maintenance/metrics.ts'

let config: WorkerConfig
let worker: ReturnType<typeof createWorker>
// Redaction and the error serializer keep secrets, bodies and query parameters out of every line (core log-safety).
const logger = pino({
  level: 'info',
  base: { service: 'punctual-worker' },
  ...safeLogOptions(),
})
guardUnhandledConnectionLoss(logger)
try {
  config = loadWorkerConfig()
  logger.level = config.LOG_LEVEL
  const workerId = config.WORKER_ID ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`
  const redisConnection = redisConnectionFromConfig(config)
  const redis = createRedis(redisConnection, {
    name: `punctual-worker-${workerId}`,
    onError: (err) => {
      // After boot (e.g. a password rotated on the server only), an error: the client retries, but in vain.
      const problem = redisMisconfiguration(err)
      if (problem) logger.error({ problem }, 'redis refused the connection')
      else logger.debug({ err: err.message }, 'redis connection problem')
    },
  })
  // Wrong credentials or an untrusted certificate never fix themselves: stop at boot with what to check (never
  // a value), as for a configuration error, instead of waiting for Redis forever.
  watchBootMisconfiguration(redis, redisConnection, (problem) => {
    console.error(problem)
    process.exit(1)
  })
  const metrics = createWorkerMetrics()
  worker = createWorker({
    config,
    // statement_timeout bounds a statement stuck server-side; the loops also bound each call themselves.
    database: createDb(config.DATABASE_URL, {
      schema: config.DATABASE_SCHEMA,
      max: config.DATABASE_POOL_SIZE,
      statementTimeoutMs: 30_000,
    }),
    // Execution starts commit asynchronously (no WAL flush wait on the critical path of a fire): a start lost
    // to a Postgres crash leaves its row queued and the execution is claimed again when its lease expires,
    // as after a worker crash. Fire recording, ends and everything else stay synchronous.
    startDatabase: createDb(config.DATABASE_URL, {
      schema: config.DATABASE_SCHEMA,
      max: 3,
      statementTimeoutMs: 30_000,
      synchronousCommit: false,
      applicationName: 'punctual-worker-start',
    }),
    redis,
    keys: createKeys(config.REDIS_PREFIX),
    logger,
    workerId,
    metrics,
  })
  const httpPort = workerHttpPort(config)
  if (httpPort !== undefined) {
    const w = worker
    const server = await serveWorkerHttp({
      metrics,
      readiness: () => w.readiness(),
      port: httpPort,
      host: config.WORKER_HTTP_HOST,
    })
    server.unref()
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    worker.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'stop failed')
        process.exit(1)
      },
    )
  })
}

await worker.start()
