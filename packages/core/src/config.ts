import { type Static, type TObject, Type } from 'typebox'
import { Value } from 'typebox/value'

/**
 * A refused setting. The message names the variable and the rule, never the value (it may be a secret, or a
 * URL holding a password); `shown` is an already safe form the caller may add (a URL with its password masked).
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
    shown?: string,
  ) {
    super(`Invalid configuration: ${variable}${shown === undefined ? '' : ` (${shown})`} ${reason}`)
    this.name = 'ConfigError'
  }
}

/**
 * A URL as it may be shown in a message or a log line: its password replaced by `***`, its query string (which
 * may carry one: `?password=`, `?sslkey=`) and fragment dropped. Not a URL: `<not a URL>`.
 */
export function maskUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return '<not a URL>'
  }
  if (url.password) url.password = '***'
  url.search = ''
  url.hash = ''
  return url.href
}

/**
 * Parses environment variables once, at boot, against a TypeBox schema: strings are converted to the
 * schema's types, defaults filled, and the first bad value is reported by variable name. Unknown
 * variables are ignored (the environment holds much more than our settings).
 */
export function parseEnv<T extends TObject>(schema: T, env: Record<string, string | undefined>): Static<T> {
  const picked: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const raw = env[key]
    if (raw !== undefined && raw !== '') picked[key] = raw
  }
  const value = Value.Default(schema, Value.Convert(schema, picked)) as Record<string, unknown>
  for (const error of Value.Errors(schema, value)) {
    const variable = error.instancePath.replace(/^\//, '').split('/')[0] || 'environment'
    const raw = picked[variable]
    // Only a URL is shown (masked): any other value could be a secret.
    const shown = variable.endsWith('_URL') && typeof raw === 'string' ? maskUrl(raw) : undefined
    throw new ConfigError(variable, error.message, shown)
  }
  return value as Static<T>
}

/**
 * The Postgres schema that holds every table and drizzle's bookkeeping (DATABASE_SCHEMA): a plain lower-case
 * identifier, so it needs no quoting in `search_path` or DDL.
 */
export const DATABASE_SCHEMA_PATTERN = '^[a-z_][a-z0-9_]{0,62}$'
export const DEFAULT_DATABASE_SCHEMA = 'punctual'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * The variables the API and the worker both read, declared once; each adds its own in its schema
 * (apps/api/src/config.ts, apps/worker/src/config.ts). REDIS_PREFIX follows the key builder's rule,
 * REDIS_PREFIX_PATTERN of packages/queue/src/keys.ts, which each app hands in (core does not depend on the
 * queue package), so a prefix one process accepts the other accepts too, and one the keys refuse is refused at
 * boot naming the variable. `databasePoolSize` is the process's default DATABASE_POOL_SIZE.
 */
export function baseConfigFields(opts: { redisPrefixPattern: string; databasePoolSize: number }) {
  return {
    DATABASE_URL: Type.String({
      pattern: '^postgres(ql)?://',
      default: 'postgres://postgres@127.0.0.1:5432/punctual',
    }),
    DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: opts.databasePoolSize }),
    DATABASE_SCHEMA: Type.String({ pattern: DATABASE_SCHEMA_PATTERN, default: DEFAULT_DATABASE_SCHEMA }),
    REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379/0' }),
    REDIS_PREFIX: Type.String({ pattern: opts.redisPrefixPattern, default: 'punctual' }),
    // Redis Cluster or Sentinel instead of REDIS_URL (the contract's "Workers and operations"); the queue
    // package's redisConnectionFromConfig checks how they combine and parses the host:port lists.
    REDIS_CLUSTER_NODES: Type.Optional(Type.String({ minLength: 1 })),
    REDIS_SENTINELS: Type.Optional(Type.String({ minLength: 1 })),
    REDIS_SENTINEL_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** The sentinels' own password, when they have one (REDIS_PASSWORD is the data nodes'). */
    REDIS_SENTINEL_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
    REDIS_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
    REDIS_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
    REDIS_TLS: Type.Boolean({ default: false }),
    LOG_LEVEL: Type.Union(
      LOG_LEVELS.map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    /**
     * How long a trigger read by /hooks, /api/events or the worker's event consumer is reused before it is
     * read again (0: never reused).
     */
    TRIGGER_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1000 }),
  }
}
