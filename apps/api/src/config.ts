import { baseConfigFields, ConfigError, parseEnv, parseSecretKey, type TenantQuotas } from '@punctual/core'
import { REDIS_PREFIX_PATTERN } from '@punctual/queue'
import { type Static, Type } from 'typebox'

export const ApiConfigSchema = Type.Object({
  ...baseConfigFields({ redisPrefixPattern: REDIS_PREFIX_PATTERN, databasePoolSize: 20 }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  JWT_SECRET: Type.String({ minLength: 16, default: 'dev-secret-change-me-in-production' }),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  API_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 6000 }),
  /** Per-tenant quotas: a create or update past one is 422 SCHED_ERR_QUOTA_EXCEEDED. */
  TENANT_MAX_SCHEDULES: Type.Integer({ minimum: 1, default: 100_000 }),
  TENANT_MAX_TRIGGERS: Type.Integer({ minimum: 1, default: 10_000 }),
  TENANT_MAX_FILTER_MATCHERS: Type.Integer({ minimum: 1, default: 100_000 }),
  /** Bounds matching a 1 MiB event against sub-patterns answered per array element (core countUnanchoredSubpatterns). */
  TENANT_MAX_UNANCHORED_SUBPATTERNS: Type.Integer({ minimum: 0, default: 12 }),
  /** Bounds the multi-key sub-patterns one array element tries through one exact value (core subpatternAnchors). */
  TENANT_MAX_SUBPATTERNS_PER_ANCHOR: Type.Integer({ minimum: 1, default: 12 }),
  /** Failed authentications on /api per client address; past it they are answered 429 instead of 401. */
  API_UNAUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 600 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** 32 bytes as base64 or 64 hex characters; seals webhook secrets at rest (AES-256-GCM). */
  SECRETS_ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 1 })),
  /** How long a rotated-out webhook secret keeps verifying deliveries. */
  WEBHOOK_SECRET_GRACE_MS: Type.Integer({ minimum: 0, maximum: 30 * 86_400_000, default: 86_400_000 }),
  /** 0: the workers purge expired receipts. A deployment without workers sets it (src/receipt-purge.ts). */
  API_RECEIPT_PURGE_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 0 }),
  NODE_ENV: Type.Optional(Type.String()),
})
export type ApiConfig = Static<typeof ApiConfigSchema> & { SECRETS_ENCRYPTION_KEY: string }

/**
 * The public development key (README): lets `pnpm start` work with no setup. Anyone can read secrets sealed
 * with it, so with NODE_ENV=production the API refuses to start without a key of its own.
 */
export const DEV_SECRETS_ENCRYPTION_KEY = 'cHVuY3R1YWwtZGV2LWtleS1OT1QtZm9yLXByb2QhISE='

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const config = parseEnv(ApiConfigSchema, env)
  const key = config.SECRETS_ENCRYPTION_KEY ?? DEV_SECRETS_ENCRYPTION_KEY
  // The value is a secret: error messages never repeat it.
  if (!parseSecretKey(key)) {
    throw new ConfigError(
      'SECRETS_ENCRYPTION_KEY',
      'must be 32 bytes written as base64 (openssl rand -base64 32) or as 64 hex characters',
      '<hidden>',
    )
  }
  if (config.NODE_ENV === 'production' && key === DEV_SECRETS_ENCRYPTION_KEY) {
    throw new ConfigError(
      'SECRETS_ENCRYPTION_KEY',
      'must be set to a key of your own when NODE_ENV=production (the development default is public)',
      config.SECRETS_ENCRYPTION_KEY === undefined ? undefined : '<hidden>',
    )
  }
  return { ...config, SECRETS_ENCRYPTION_KEY: key }
}

/** Whether webhook secrets are sealed with the public development key (the server warns at boot). */
export function usesDevSecretsKey(config: ApiConfig): boolean {
  return config.SECRETS_ENCRYPTION_KEY === DEV_SECRETS_ENCRYPTION_KEY
}

export function tenantQuotas(config: ApiConfig): TenantQuotas {
  return {
    maxSchedules: config.TENANT_MAX_SCHEDULES,
    maxTriggers: config.TENANT_MAX_TRIGGERS,
    maxFilterMatchers: config.TENANT_MAX_FILTER_MATCHERS,
    maxUnanchoredSubpatterns: config.TENANT_MAX_UNANCHORED_SUBPATTERNS,
    maxSubpatternsPerAnchor: config.TENANT_MAX_SUBPATTERNS_PER_ANCHOR,
  }
}
