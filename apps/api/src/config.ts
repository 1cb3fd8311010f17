import { parseEnv } from '@punctual/core'
import { type Static, Type } from 'typebox'

export const ApiConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.String({
    pattern: '^postgres(ql)?://',
    default: 'postgres://postgres@127.0.0.1:5432/punctual',
  }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379/0' }),
  REDIS_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.:-]+$', default: 'punctual' }),
  JWT_SECRET: Type.String({ minLength: 16, default: 'dev-secret-change-me-in-production' }),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  API_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 6000 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
})
export type ApiConfig = Static<typeof ApiConfigSchema>

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  return parseEnv(ApiConfigSchema, env)
}
