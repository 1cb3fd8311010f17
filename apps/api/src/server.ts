import { ConfigError } from '@punctual/core'
import { createDb, guardUnhandledConnectionLoss, ping } from '@punctual/db'
import {
  checkEvictionPolicy,
  createKeys,
  createRedis,
  evictionPolicyReport,
  redisConnectionFromConfig,
  redisMisconfiguration,
  watchBootMisconfiguration,
} from '@punctual/queue'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { loadApiConfig, usesDevJwtSecret, usesDevSecretsKey } from './config.ts'
import { startReceiptPurge } from './receipt-purge.ts'
import { startReseal } from './secrets-reseal.ts'

let config: ReturnType<typeof loadApiConfig>
try {
  config = loadApiConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

// Unreachable Postgres or Redis at boot is not a configuration error: we start, report not ready, and retry.
const database = createDb(config.DATABASE_URL, {
  schema: config.DATABASE_SCHEMA,
  max: config.DATABASE_POOL_SIZE,
})
const redisConnection = redisConnectionFromConfig(config)
const redis = createRedis(redisConnection, { name: 'punctual-api' })
// Wrong credentials or an untrusted certificate never fix themselves: stop at boot with what to check (never
// a value), as for a configuration error, instead of answering 503 forever.
watchBootMisconfiguration(redis, redisConnection, (problem) => {
  console.error(problem)
  process.exit(1)
})
const app = await buildApp({
  config,
  db: database.db,
  sql: database.sql,
  pingDb: () => ping(database.sql),
  redis,
  keys: createKeys(config.REDIS_PREFIX),
})
redis.on('error', (err) => {
  // After boot (e.g. a password rotated on the server only), an error: the client retries, but in vain.
  const problem = redisMisconfiguration(err)
  if (problem) app.log.error({ problem }, 'redis refused the connection')
  else app.log.warn({ err: err.message }, 'redis connection problem')
})
guardUnhandledConnectionLoss(app.log)
// Once Redis first answers: an error line and the metric when keys may be evicted (maxmemory-policy other than
// noeviction), a warning when the policy cannot be read (a managed Redis refusing CONFIG).
const reportEvictionPolicy = async () => {
  const check = await checkEvictionPolicy(redis)
  if (check.ok !== null) app.redisEvictionUnsafe.set({ policy: check.policy }, check.ok ? 0 : 1)
  const report = evictionPolicyReport(check)
  if (report) app.log[report.level](report.fields, report.msg)
}
if (redis.status === 'ready') void reportEvictionPolicy()
else redis.once('ready', reportEvictionPolicy)
if (usesDevSecretsKey(config)) {
  app.log.warn(
    'SECRETS_ENCRYPTION_KEYS is not set: webhook secrets are sealed with the public development key (set your own; see README)',
  )
}
if (usesDevJwtSecret(config)) {
  app.log.warn(
    'JWT_SECRET is not set: tokens are checked with the public development secret (set your own; see README)',
  )
}

// Values sealed under an older key of the ring, or in the first format, are sealed again under the newest key
// in the background (retried while Postgres is down).
const stopReseal = startReseal({ sql: database.sql, box: app.secretBox, log: app.log })

// Workers purge expired receipts; a deployment without workers sets API_RECEIPT_PURGE_INTERVAL_MS (README).
const stopReceiptPurge =
  config.API_RECEIPT_PURGE_INTERVAL_MS > 0
    ? startReceiptPurge({ db: database.db, intervalMs: config.API_RECEIPT_PURGE_INTERVAL_MS, log: app.log })
    : () => {}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error')
  else app.log.info({ signal }, 'closing')
  stopReceiptPurge()
  stopReseal()
  await app.close()
  redis.disconnect()
  await database.close()
})

await app.listen({ port: config.PORT, host: config.HOST })
