import { baseConfigFields, loadSecretKeyRing, parseEnv, secretKeyConfigFields } from '@punctual/core'
import { REDIS_PREFIX_PATTERN } from '@punctual/queue'
import { type Static, Type } from 'typebox'

export const WorkerConfigSchema = Type.Object({
  ...baseConfigFields({ redisPrefixPattern: REDIS_PREFIX_PATTERN, databasePoolSize: 10 }),
  WORKER_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^|]+$' })),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 10_000, default: 10 }),
  /**
   * Executions of one tenant running at once across every worker (unset: no cap). Every worker must be given
   * the same value: each enforces it in its own claims, atomically against the slots all workers hold.
   */
  TENANT_MAX_RUNNING: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  WORKER_LEASE_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000 }),
  WORKER_SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 30_000 }),
  WORKER_METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  // 2.5 s, not a whole number of seconds: cron fires fall on whole seconds, so the fires of second T + 2 are
  // recorded half-way between the bursts of T - 1 and T instead of during the burst of T (firing-lag bench:
  // p99 212 → 147 ms at 1,000 fires per second).
  WORKER_LOOKAHEAD_MS: Type.Integer({ minimum: 0, maximum: 14_000, default: 2500 }),
  WORKER_RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000 }),
  /** How often each worker deletes webhook and event receipts past their 24 h window (maintenance/receipt-purge.ts). */
  WORKER_RECEIPT_PURGE_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 600_000 }),
  WORKER_HEARTBEAT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
  WORKER_MAX_CPU_PERCENT: Type.Number({ minimum: 1, maximum: 1000, default: 90 }),
  WORKER_MAX_EVENT_LOOP_LAG_MS: Type.Number({ minimum: 1, maximum: 60_000, default: 200 }),
  WORKER_EVENT_REDELIVER_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  OUTBOUND_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  OUTBOUND_ALLOWLIST: Type.Optional(Type.String()),
  /** false: http step requests are not signed (receivers that do not verify; the secrets bench's baseline). */
  OUTBOUND_SIGNING: Type.Boolean({ default: true }),
  /** How long a worker keeps opened tenant secrets and signing keys: a PUT, DELETE or rotation is seen within it. */
  WORKER_SECRET_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 300_000, default: 5000 }),
  // The worker opens tenant secrets and the outbound signing secret: with NODE_ENV=production it refuses to
  // start on a missing or public key, as the API does (the contract's Authentication section).
  ...secretKeyConfigFields(),
})
export type WorkerConfig = Static<typeof WorkerConfigSchema>

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const config = parseEnv(WorkerConfigSchema, env)
  loadSecretKeyRing(config)
  return config
}
