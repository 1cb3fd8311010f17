import {
  baseConfigFields,
  ConfigError,
  isProduction,
  loadSecretKeyRing,
  parseEnv,
  secretKeyConfigFields,
} from '@punctual/core'
import { REDIS_PREFIX_PATTERN, redisConnectionFromConfig } from '@punctual/queue'
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
  /** How long a batch claimed ahead waits for busy slots before it goes back to the queue (runner/claim-loop.ts). */
  WORKER_CLAIM_AHEAD_HOLD_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 250 }),
  /** No claim-ahead while runs have lately held their slots longer than this on average (ms). */
  WORKER_CLAIM_AHEAD_MAX_RUN_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 50 }),
  WORKER_LEASE_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000 }),
  WORKER_SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 30_000 }),
  /** GET /healthz, /readyz and /metrics on this port when set (maintenance/http.ts). */
  WORKER_HTTP_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  WORKER_HTTP_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** The older name of WORKER_HTTP_PORT, still read. */
  WORKER_METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  // 2.5 s, not a whole number of seconds: cron fires fall on whole seconds, so the fires of second T + 2 are
  // recorded half-way between the bursts of T - 1 and T instead of during the burst of T (firing-lag bench:
  // p99 212 → 147 ms at 1,000 fires per second).
  WORKER_LOOKAHEAD_MS: Type.Integer({ minimum: 0, maximum: 14_000, default: 2500 }),
  WORKER_RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000 }),
  /** How often each worker deletes webhook and event receipts past their 24 h window (maintenance/receipt-purge.ts). */
  WORKER_RECEIPT_PURGE_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 600_000 }),
  /** Retention (maintenance/retention.ts): how long finished rows are kept, and how often a worker tries a pass. */
  EXECUTION_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36_500, default: 30 }),
  DEAD_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36_500, default: 90 }),
  AUDIT_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 36_500, default: 365 }),
  WORKER_RETENTION_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 600_000 }),
  /** The pace of a retention pass: rows deleted per second, at most. */
  WORKER_RETENTION_ROWS_PER_SECOND: Type.Integer({ minimum: 100, maximum: 1_000_000, default: 5000 }),
  /** How often a worker refreshes the optimizer's execution patterns (maintenance/patterns.ts); at most a minute. */
  WORKER_PATTERNS_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 50_000, default: 30_000 }),
  WORKER_HEARTBEAT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
  WORKER_MAX_CPU_PERCENT: Type.Number({ minimum: 1, maximum: 1000, default: 90 }),
  WORKER_MAX_EVENT_LOOP_LAG_MS: Type.Number({ minimum: 1, maximum: 60_000, default: 200 }),
  WORKER_EVENT_REDELIVER_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  OUTBOUND_ALLOW_PRIVATE: Type.Boolean({ default: false }),
  OUTBOUND_ALLOWLIST: Type.Optional(Type.String()),
  /**
   * false: http step requests are not signed — for measuring (the secrets bench's baseline) and development
   * only: the contract signs every request, so NODE_ENV=production refuses it.
   */
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
  // How the Redis variables combine (one mode; host:port lists) is checked here, at boot.
  redisConnectionFromConfig(config)
  loadSecretKeyRing(config)
  if (!config.OUTBOUND_SIGNING && isProduction(config.NODE_ENV)) {
    throw new ConfigError(
      'OUTBOUND_SIGNING',
      'cannot be false when NODE_ENV=production: every http step request is signed',
      'false',
    )
  }
  const { WORKER_HTTP_PORT: port, WORKER_METRICS_PORT: older } = config
  if (port !== undefined && older !== undefined && port !== older) {
    throw new ConfigError(
      'WORKER_HTTP_PORT',
      `differs from WORKER_METRICS_PORT (${older}), its older name: set only WORKER_HTTP_PORT`,
      String(port),
    )
  }
  return config
}

/** The port of the worker's HTTP endpoints: WORKER_HTTP_PORT, else its older name WORKER_METRICS_PORT. */
export function workerHttpPort(config: WorkerConfig): number | undefined {
  return config.WORKER_HTTP_PORT ?? config.WORKER_METRICS_PORT
}
