/**
 * What a log line may carry (issue 14): never SQL parameters, request or response bodies, step headers, tokens
 * or sealed values, at any level. Two layers, shared by the API's and the worker's pino loggers:
 * - LOG_REDACT_PATHS, pino `redact`: the known places such values sit in a logged object;
 * - serializeError, pino's `err` serializer (and safeErrorMessage where a line logs only a message): keeps
 *   what tells an operator what failed (the error's type, message, code, stack; for Postgres its SQLSTATE,
 *   constraint, table and column) and drops what carries data. drizzle's DrizzleQueryError writes the whole
 *   statement and its parameters into its message (`Failed query: … params: …`); a Postgres error's `detail`
 *   and `where` quote the values of the row (`Key (name)=(…)`, `JSON data, line 1: …`), and its message may
 *   quote one (`invalid input syntax for type uuid: "…"`).
 * Pure (no pino import): the apps pass these to pino.
 */

/** pino `redact` paths (censored, not removed, so a reader sees that something was there). */
export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers',
  '*.headers',
  'body',
  '*.body',
  'input',
  '*.input',
  'authorization',
  '*.authorization',
  'secret',
  '*.secret',
  'key',
  '*.key',
  'token',
  '*.token',
  'password',
  '*.password',
  'secretCiphertext',
  '*.secretCiphertext',
  'previousSecretCiphertext',
  '*.previousSecretCiphertext',
  'query',
  '*.query',
  'parameters',
  '*.parameters',
  'params',
  '*.params',
]

export const LOG_REDACT_CENSOR = '[redacted]'

const MAX_CAUSE_DEPTH = 4

interface ErrorLike {
  name?: unknown
  message?: unknown
  code?: unknown
  stack?: unknown
  cause?: unknown
  severity?: unknown
  constraint_name?: unknown
  table_name?: unknown
  column_name?: unknown
  schema_name?: unknown
}

function isDrizzleQueryError(e: ErrorLike): boolean {
  return (
    e.name === 'DrizzleQueryError' || (typeof e.message === 'string' && e.message.startsWith('Failed query:'))
  )
}

/** A server error of postgres.js (`PostgresError`, or anything carrying a SQLSTATE and a severity). */
function isPostgresError(e: ErrorLike): boolean {
  return (
    e.name === 'PostgresError' ||
    (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string')
  )
}

/** A Postgres message with its quoted values cut: `invalid input syntax for type uuid: "…"`. */
function scrubPostgresMessage(message: string): string {
  return message.replace(/"[^"]*"/g, '"…"').replace(/\(([^)]*)\)=\(([^)]*)\)/g, '($1)=(…)')
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** The stack without its first line (which repeats the message): the frames only. */
function frames(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined
  const at = stack.indexOf('\n    at ')
  return at >= 0 ? stack.slice(at + 1) : undefined
}

/** An error (or anything thrown) as a log line may carry it. */
export function serializeError(err: unknown, depth = 0): Record<string, unknown> {
  if (err === null || typeof err !== 'object') return { type: typeof err, message: String(err).slice(0, 200) }
  const e = err as ErrorLike
  if (isDrizzleQueryError(e) && e.cause && depth < MAX_CAUSE_DEPTH) {
    return {
      type: 'DrizzleQueryError',
      message: 'query failed (its text and parameters are not logged)',
      stack: frames(e.stack),
      cause: serializeError(e.cause, depth + 1),
    }
  }
  if (isPostgresError(e)) {
    return {
      type: 'PostgresError',
      code: e.code,
      severity: text(e.severity),
      message: scrubPostgresMessage(text(e.message) ?? ''),
      constraint: text(e.constraint_name),
      table: text(e.table_name),
      column: text(e.column_name),
      schema: text(e.schema_name),
      stack: frames(e.stack),
    }
  }
  const out: Record<string, unknown> = {
    type: text(e.name) ?? (err as object).constructor?.name ?? 'Error',
    message: isDrizzleQueryError(e)
      ? 'query failed (its text and parameters are not logged)'
      : text(e.message),
    stack: frames(e.stack),
  }
  if (typeof e.code === 'string' || typeof e.code === 'number') out['code'] = e.code
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) out['cause'] = serializeError(e.cause, depth + 1)
  return out
}

/** An error's message for a log field or a recorded error: safe as serializeError's (its name if empty). */
export function safeErrorMessage(err: unknown): string {
  const s = serializeError(err)
  const cause = s['cause'] as Record<string, unknown> | undefined
  if (s['type'] === 'DrizzleQueryError' && cause) {
    return `query failed: ${String(cause['message'] ?? '')}${cause['code'] ? ` (${String(cause['code'])})` : ''}`
  }
  const message = typeof s['message'] === 'string' && s['message'] !== '' ? s['message'] : String(s['type'])
  return s['type'] === 'PostgresError' ? `${message} (${String(s['code'])})` : message
}

/** The pino options both apps' loggers take (`pino({ level, ...safeLogOptions() })`, Fastify's `logger`). */
export function safeLogOptions() {
  return {
    redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR },
    serializers: { err: serializeError, error: serializeError },
  }
}
