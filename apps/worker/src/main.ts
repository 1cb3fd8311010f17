import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { ConfigError } from '@punctual/core'
import { createDb } from '@punctual/db'
import { createRedis } from '@punctual/queue'
import pino from 'pino'
import { loadWorkerConfig, type WorkerConfig } from './config.ts'
import { createWorker } from './lifecycle.ts'

let config: WorkerConfig
try {
  config = loadWorkerConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

const logger = pino({ level: config.LOG_LEVEL, base: { service: 'punctual-worker' } })
const workerId = config.WORKER_ID ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`
const redis = createRedis(config.REDIS_URL, { name: `punctual-worker-${workerId}` })
redis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection problem'))
const worker = createWorker({ database: createDb(config.DATABASE_URL), redis, logger, workerId })

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
