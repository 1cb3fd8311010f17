import type { Static, TObject } from 'typebox'
import { Value } from 'typebox/value'

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
    value: unknown,
  ) {
    super(`Invalid configuration: ${variable}=${JSON.stringify(value)} ${reason}`)
    this.name = 'ConfigError'
  }
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
    throw new ConfigError(variable, error.message, picked[variable])
  }
  return value as Static<T>
}
