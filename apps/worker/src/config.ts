import { parseEnv } from '@punctual/core'
import { type Static, Type } from 'typebox'

export const WorkerConfigSchema = Type.Object({
  DATABASE_URL: Type.String({
    pattern: '^postgres(ql)?://',
    default: 'postgres://postgres@127.0.0.1:5432/punctual',
  }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379/0' }),
  REDIS_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.:-]+$', default: 'punctual' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  WORKER_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
})
export type WorkerConfig = Static<typeof WorkerConfigSchema>

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(WorkerConfigSchema, env)
}
