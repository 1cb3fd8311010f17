import { DATABASE_SCHEMA_PATTERN, DEFAULT_DATABASE_SCHEMA } from '@punctual/core'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from './schema/index.ts'

export type Schema = typeof schema
export type Db = PostgresJsDatabase<Schema>
/** A transaction handle, as passed to `db.transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
/** What a repository function takes: the database or a transaction. */
export type DbOrTx = Db | Tx
export type Sql = postgres.Sql

export interface CreateDbOptions {
  /**
   * The Postgres schema the tables live in (DATABASE_SCHEMA), set as every connection's `search_path`: the SQL
   * names no schema. Default `punctual`.
   */
  schema?: string
  /** Pool size. Default 10. */
  max?: number
  /** Give up opening a connection after this long. Default 2. */
  connectTimeoutSeconds?: number
  /** Server-side `statement_timeout` for every connection. Default: none. */
  statementTimeoutMs?: number
  /** Close connections idle this long, so a pool does not keep sockets a restarted server has forgotten. Default 30. */
  idleTimeoutSeconds?: number
  /** Recycle connections after this long. Default 30 min. */
  maxLifetimeSeconds?: number
  /** Longest wait before re-opening a connection after a failed one. Default 0.5. */
  maxReconnectDelaySeconds?: number
  /** `application_name`, shown in pg_stat_activity. Default `punctual`. */
  applicationName?: string
  /**
   * false: this pool's transactions commit without waiting for their WAL to reach disk (`synchronous_commit =
   * off`). Visibility and locking are unchanged; a Postgres crash may lose the last ~0.6 s of such commits,
   * and a later synchronous commit on any connection makes them durable. Only for writes whose loss on a
   * server crash is harmless (the worker's execution starts). Default true.
   */
  synchronousCommit?: boolean
  /** Server notices (`RAISE NOTICE`, "already exists, skipping"). Default: ignored. */
  onnotice?: (notice: postgres.Notice) => void
}

export interface DbHandle {
  db: Db
  /**
   * The postgres.js client under `db` (same pool). drizzle installs pass-through date/JSON codecs on it, so with
   * raw `sql` queries: timestamptz come back as strings ('2026-03-08 07:00:00+00'), Date and `sql.json()`
   * parameters throw; pass `date.toISOString()` and `JSON.stringify(value)` instead. jsonb results still parse.
   */
  sql: Sql
  /** Ends the pool: waits up to `timeoutSeconds` (default 5) for running queries, then closes the sockets. */
  close(timeoutSeconds?: number): Promise<void>
}

/**
 * A drizzle database over its own postgres.js pool (no singleton: the caller owns and closes it).
 *
 * Failure behaviour: connections are opened lazily, per query. While Postgres is unreachable a query fails
 * within `connectTimeoutSeconds` (at once on a refused connection), and the first query after Postgres
 * returns opens a fresh connection: no restart needed. postgres.js' default reconnect backoff grows to 20 s
 * after repeated failures, which would make queries wait long past the connect timeout and delay recovery,
 * so it is capped at `maxReconnectDelaySeconds`. A socket that stays open but never answers is not covered by
 * connect_timeout: bound such waits with `statementTimeoutMs` (server side) and `ping`'s own timeout.
 */
export function createDb(url: string, opts: CreateDbOptions = {}): DbHandle {
  const schemaName = checkSchemaName(opts.schema ?? DEFAULT_DATABASE_SCHEMA)
  const maxDelay = opts.maxReconnectDelaySeconds ?? 0.5
  const sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeoutSeconds ?? 2,
    idle_timeout: opts.idleTimeoutSeconds ?? 30,
    max_lifetime: opts.maxLifetimeSeconds ?? 30 * 60,
    backoff: (retries: number) => Math.min(maxDelay, 0.05 * 2 ** retries),
    onnotice: opts.onnotice ?? (() => {}),
    connection: {
      application_name: opts.applicationName ?? 'punctual',
      search_path: schemaName,
      ...(opts.statementTimeoutMs !== undefined ? { statement_timeout: opts.statementTimeoutMs } : {}),
      ...(opts.synchronousCommit === false ? { synchronous_commit: 'off' } : {}),
    },
  })
  const db = drizzle(sql, { schema })
  return { db, sql, close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }) }
}

/** `name` when it is a plain schema identifier (DATABASE_SCHEMA_PATTERN); throws otherwise. */
export function checkSchemaName(name: string): string {
  if (!new RegExp(DATABASE_SCHEMA_PATTERN).test(name))
    throw new Error(`the schema name must match ${DATABASE_SCHEMA_PATTERN}`)
  return name
}

export interface PingOptions {
  /** Fail if no answer arrives within this long (covers a socket that is open but silent). Default 2000. */
  timeoutMs?: number
}

/** `SELECT 1` for readiness checks: resolves when Postgres answers, rejects otherwise (never hangs). */
export async function ping(sql: Sql, opts: PingOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 2000
  const query = sql`select 1 as ok`
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Best effort: a cancel needs its own connection, which may not open either.
      Promise.resolve()
        .then(() => query.cancel())
        .catch(() => {})
      reject(
        Object.assign(new Error(`Postgres did not answer within ${timeoutMs} ms`), { code: 'PING_TIMEOUT' }),
      )
    }, timeoutMs)
  })
  try {
    await Promise.race([query, timeout])
  } finally {
    clearTimeout(timer)
  }
}
