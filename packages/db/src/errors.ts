/**
 * Classify database errors by SQLSTATE and constraint name, never by message text.
 * drizzle wraps driver errors in DrizzleQueryError (the postgres.js error is its `cause`), so every helper
 * walks the `cause` chain.
 */

export interface PgErrorFields {
  code: string
  constraint_name?: string
  table_name?: string
  column_name?: string
  detail?: string
}

const maxCauseDepth = 8

/** The first error in the `cause` chain that carries a SQLSTATE-like `code`, or undefined. */
export function findPgError(err: unknown): PgErrorFields | undefined {
  let current: unknown = err
  for (let depth = 0; depth < maxCauseDepth && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return current as PgErrorFields
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

function hasSqlState(err: unknown, sqlState: string, constraint?: string): boolean {
  const pg = findPgError(err)
  if (pg?.code !== sqlState) return false
  return constraint === undefined || pg.constraint_name === constraint
}

/** 23505 unique_violation, optionally of one named constraint or unique index (e.g. `schedules_tenant_name_uq`). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return hasSqlState(err, '23505', constraint)
}

/** 23503 foreign_key_violation: an unknown referenced row, or deleting a row still referenced (RESTRICT). */
export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  return hasSqlState(err, '23503', constraint)
}

const unavailableCodes = new Set([
  // postgres.js / Node socket errors
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'PING_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // server: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, query_canceled
  // (statement_timeout), lock_not_available (lock_timeout)
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
  '55P03',
])

/**
 * The database is down, unreachable or too slow: the API answers 503 (and retries later), not 500.
 * Includes the whole SQLSTATE class 08 (connection exceptions).
 */
export function isUnavailableError(err: unknown): boolean {
  const pg = findPgError(err)
  if (!pg) return false
  return unavailableCodes.has(pg.code) || pg.code.startsWith('08')
}
