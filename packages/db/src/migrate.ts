import { fileURLToPath } from 'node:url'
import { DEFAULT_DATABASE_SCHEMA } from '@punctual/core'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { checkSchemaName } from './client.ts'
import { type LayoutUpgrade, upgradeLayout } from './schema-upgrade.ts'

/** drizzle/ at the repository root, found from this file so the cwd does not matter. */
export const migrationsFolder = fileURLToPath(new URL('../../../drizzle/', import.meta.url))

/**
 * Advisory lock keys, (namespace, id) pairs. 0x70756e63 is 'punc'. Advisory locks are scoped to one database.
 * MIGRATE serialises migrations of a database: two processes migrating at once would otherwise race on drizzle's
 * CREATE SCHEMA/TABLE IF NOT EXISTS and both apply the same migration.
 */
export const advisoryLocks = {
  namespace: 0x70756e63,
  migrate: 1,
  /** Taken in the `postgres` database by the test fixture while it builds a template database. */
  testTemplate: 2,
  /** Held by the one worker running a retention pass (apps/worker maintenance/retention.ts). */
  retention: 3,
  /** Held by the one worker refreshing schedule_patterns (apps/worker maintenance/patterns.ts). */
  patterns: 4,
} as const

export interface MigrateOptions {
  /** The schema the tables and drizzle's bookkeeping go in (DATABASE_SCHEMA). Default `punctual`. */
  schema?: string
  /** Defaults to the repository's drizzle/ folder. */
  migrationsFolder?: string
  /** Give up opening the connection after this long. Default 10. */
  connectTimeoutSeconds?: number
}

export interface MigrateResult {
  /** Migrations applied by this call (0 when the database was already up to date). */
  applied: number
  /** Migrations recorded in the database afterwards. */
  total: number
  /** What the upgrade from the layout before DATABASE_SCHEMA moved and copied (zeros when nothing). */
  layout: LayoutUpgrade
}

/**
 * Applies pending drizzle migrations in `schema` (tables and bookkeeping; the SQL names no schema, the
 * connection's search_path does). A database laid out before DATABASE_SCHEMA is upgraded first
 * (schema-upgrade.ts). Safe to run twice and concurrently: each run holds a Postgres advisory lock on the
 * target database for its whole duration (as graphile-worker does), so a second run waits, then finds nothing
 * to do.
 */
export async function migrate(url: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = checkSchemaName(opts.schema ?? DEFAULT_DATABASE_SCHEMA)
  const folder = opts.migrationsFolder ?? migrationsFolder
  // max: 1 pins every statement, including drizzle's transaction, to the connection that holds the lock.
  const sql = postgres(url, {
    max: 1,
    connect_timeout: opts.connectTimeoutSeconds ?? 10,
    onnotice: () => {},
    connection: { application_name: 'punctual-migrate', search_path: schema },
  })
  try {
    await sql`select pg_advisory_lock(${advisoryLocks.namespace}, ${advisoryLocks.migrate})`
    try {
      await sql.unsafe(`create schema if not exists ${schema}`)
      const layout = await upgradeLayout(sql, schema, folder)
      const before = await countApplied(sql, schema)
      await drizzleMigrate(drizzle(sql), { migrationsFolder: folder, migrationsSchema: schema })
      const total = await countApplied(sql, schema)
      return { applied: total - before, total, layout }
    } finally {
      // Ending the connection releases the lock anyway; unlocking first lets a waiting run go on at once.
      await sql`select pg_advisory_unlock(${advisoryLocks.namespace}, ${advisoryLocks.migrate})`.catch(
        () => {},
      )
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

async function countApplied(sql: postgres.Sql, schema: string): Promise<number> {
  // Two steps: a single statement referencing the table would fail to parse while it does not exist yet.
  const [table] = await sql`select to_regclass(${`${schema}.__drizzle_migrations`}) is not null as present`
  if (!table?.['present']) return 0
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(schema)}.__drizzle_migrations`
  return row?.n ?? 0
}

/** The database name in a postgres:// URL. */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  if (!name) throw new Error('the database URL names no database')
  return name
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${encodeURIComponent(database)}`
  return u.toString()
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * Creates the database named in `url` unless it exists, connecting to the server's `postgres` database.
 * Returns true if this call created it. A concurrent create of the same name is not an error.
 */
export async function ensureDatabase(
  url: string,
  opts: { connectTimeoutSeconds?: number } = {},
): Promise<boolean> {
  const name = databaseName(url)
  const admin = postgres(withDatabase(url, 'postgres'), {
    max: 1,
    connect_timeout: opts.connectTimeoutSeconds ?? 10,
    onnotice: () => {},
    connection: { application_name: 'punctual-migrate' },
  })
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`
    if (exists) return false
    try {
      await admin.unsafe(`create database ${quoteIdent(name)}`)
      return true
    } catch (err) {
      // 42P04 duplicate_database; 23505 when the other create wins the race on pg_database's unique index.
      const code = (err as { code?: string }).code
      if (code === '42P04' || code === '23505') return false
      throw err
    }
  } finally {
    await admin.end({ timeout: 5 })
  }
}
