import { isIP } from 'node:net'
import {
  baseConfigFields,
  ConfigError,
  isProduction,
  loadSecretKeyRing,
  parseEnv,
  type SecretKeyRing,
  secretKeyConfigFields,
  type TenantQuotas,
} from '@punctual/core'
import { REDIS_PREFIX_PATTERN, redisConnectionFromConfig } from '@punctual/queue'
import { type Static, Type } from 'typebox'

export const ApiConfigSchema = Type.Object({
  ...baseConfigFields({ redisPrefixPattern: REDIS_PREFIX_PATTERN, databasePoolSize: 20 }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** HS256 key; unset outside production: the public DEV_JWT_SECRET (refused with NODE_ENV=production). */
  JWT_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  /** Keys from this JWKS (RS256/ES256, `kid` required), cached; an unknown kid refreshes it at most every 30 s. */
  JWT_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** Enforced `iss` / `aud` when set. */
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  /** A token whose `exp` lies further than this after its `iat` (or after now, without `iat`) is refused. */
  JWT_MAX_TTL_SECONDS: Type.Integer({ minimum: 1, default: 604_800 }),
  API_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 6000 }),
  /** Per-tenant quotas: a create or update past one is 422 SCHED_ERR_QUOTA_EXCEEDED. */
  TENANT_MAX_SCHEDULES: Type.Integer({ minimum: 1, default: 100_000 }),
  TENANT_MAX_TRIGGERS: Type.Integer({ minimum: 1, default: 10_000 }),
  TENANT_MAX_FILTER_MATCHERS: Type.Integer({ minimum: 1, default: 100_000 }),
  /** The workers' cap of a tenant's running executions, read by GET /api/queue for `blockedBy` (unset: none). */
  TENANT_MAX_RUNNING: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  /** Bounds matching a 1 MiB event against sub-patterns answered per array element (core countUnanchoredSubpatterns). */
  TENANT_MAX_UNANCHORED_SUBPATTERNS: Type.Integer({ minimum: 0, default: 12 }),
  /** Bounds the multi-key sub-patterns one array element tries through one exact value (core subpatternAnchors). */
  TENANT_MAX_SUBPATTERNS_PER_ANCHOR: Type.Integer({ minimum: 1, default: 12 }),
  /** Failed authentications on /api per client address; past it they are answered 429 instead of 401. */
  API_UNAUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 600 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** The key ring that seals webhook secrets at rest (AES-256-GCM): core secretKeyConfigFields. */
  ...secretKeyConfigFields(),
  /** How long a rotated-out webhook secret keeps verifying deliveries. */
  WEBHOOK_SECRET_GRACE_MS: Type.Integer({ minimum: 0, maximum: 30 * 86_400_000, default: 86_400_000 }),
  /** 0: the workers purge expired receipts. A deployment without workers sets it (src/receipt-purge.ts). */
  API_RECEIPT_PURGE_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 0 }),
  /**
   * Which proxies' X-Forwarded-For to believe (Fastify's trustProxy): `true` (every hop) or comma-separated
   * addresses / CIDRs of the proxies. Unset or `false`: the peer's address is the client's.
   */
  TRUST_PROXY: Type.Optional(Type.String({ minLength: 1 })),
  /** The built web console served at /ui (plugins/console.ts); default: apps/console/dist of this checkout. */
  CONSOLE_DIR: Type.Optional(Type.String({ minLength: 1 })),
})
export type ApiConfig = Static<typeof ApiConfigSchema> & {
  JWT_SECRET: string
  /** TRUST_PROXY parsed (Fastify's trustProxy option); false when unset. */
  trustProxy: TrustProxy
  /** Parsed from SECRETS_ENCRYPTION_KEYS or SECRETS_ENCRYPTION_KEY (core loadSecretKeyRing). */
  secretKeys: SecretKeyRing
}

export { DEV_SECRETS_ENCRYPTION_KEY } from '@punctual/core'

/** The public development JWT secret (README): `pnpm start` works with no setup; refused in production. */
export const DEV_JWT_SECRET = 'dev-secret-change-me-in-production'
const MIN_PRODUCTION_SECRET_BYTES = 32

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const config = parseEnv(ApiConfigSchema, env)
  // How the Redis variables combine (one mode; host:port lists) is checked here, at boot.
  redisConnectionFromConfig(config)
  if (config.JWT_JWKS_URL && config.JWT_PUBLIC_KEY) {
    throw new ConfigError(
      'JWT_JWKS_URL',
      'cannot be set together with JWT_PUBLIC_KEY (choose one key source)',
    )
  }
  const secret = config.JWT_SECRET
  // Tokens verified with a public key or a JWKS: JWT_SECRET is not used to verify anything.
  if (isProduction(config.NODE_ENV) && !config.JWT_PUBLIC_KEY && !config.JWT_JWKS_URL) {
    if (secret === undefined) {
      throw new ConfigError(
        'JWT_SECRET',
        'must be set when NODE_ENV=production (or JWT_PUBLIC_KEY or JWT_JWKS_URL)',
      )
    }
    if (secret.trim() === DEV_JWT_SECRET) {
      throw new ConfigError(
        'JWT_SECRET',
        'is the public development secret: set one of your own when NODE_ENV=production',
      )
    }
    if (Buffer.byteLength(secret, 'utf8') < MIN_PRODUCTION_SECRET_BYTES) {
      throw new ConfigError(
        'JWT_SECRET',
        `must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production`,
      )
    }
  }
  return {
    ...config,
    JWT_SECRET: secret ?? DEV_JWT_SECRET,
    secretKeys: loadSecretKeyRing(config),
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
  }
}

export type TrustProxy = boolean | string[]

/**
 * TRUST_PROXY as Fastify's trustProxy: true / false, or the proxies' addresses and CIDRs. No hop count: this
 * Fastify ignores the forwarded address for a hop count (it cannot check the peer), so one would only mislead.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? ''
  if (text === '' || text === 'false') return false
  if (text === 'true') return true
  const entries = text.split(',').map((e) => e.trim())
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/')
    const family = isIP(address ?? '')
    const maxBits = family === 6 ? 128 : 32
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits)
    if (family === 0 || !bitsOk || extra !== undefined) {
      throw new ConfigError(
        'TRUST_PROXY',
        'must be true, false, or comma-separated IP addresses or CIDRs of the proxies',
        entry,
      )
    }
  }
  return entries
}

/** Whether webhook secrets are sealed with the public development key (the server warns at boot). */
export function usesDevSecretsKey(config: ApiConfig): boolean {
  return config.secretKeys.usesDevKey
}

/** Whether HS256 tokens are checked with the public development secret (the server warns at boot). */
export function usesDevJwtSecret(config: ApiConfig): boolean {
  return !config.JWT_PUBLIC_KEY && !config.JWT_JWKS_URL && config.JWT_SECRET === DEV_JWT_SECRET
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
