// Test fixture: each test file gets its own database, cloned from a migrated template (pg-boss / graphile-worker
// style). Cloning takes tens of milliseconds; migrating from scratch per file would not.

import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { DEFAULT_DATABASE_SCHEMA } from '@punctual/core'
import { sleep } from '@punctual/core/testing'
import postgres from 'postgres'
import { type CreateDbOptions, createDb, type DbHandle } from './client.ts'
import { findPgError } from './errors.ts'
import { advisoryLocks, migrate, migrationsFolder, quoteIdent, withDatabase } from './migrate.ts'

/** Server used by tests, any database on it; the fixture connects to its `postgres` database. */
export const testServerUrl = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres'

const testDbPrefix = 'punctual_test_'
const templatePrefix = 'punctual_tpl_'
const staleAfterMs = 60 * 60 * 1000

export interface TestDatabase extends DbHandle {
  url: string
  name: string
  /** Ends the pool and drops the database. */
  close(): Promise<void>
}

function admin(serverUrl: string): postgres.Sql {
  return postgres(withDatabase(serverUrl, 'postgres'), {
    max: 1,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: 'punctual-test-fixture' },
  })
}

/**
 * sha256 over the migration journal and every migration file it lists: it changes whenever a migration is
 * added or edited (used to name the test template database).
 */
function migrationsHash(folder: string = migrationsFolder): string {
  const hash = createHash('sha256')
  // The layout migrate() gives a database (tables and bookkeeping in DATABASE_SCHEMA's default schema).
  hash.update(`schema:${DEFAULT_DATABASE_SCHEMA}\n`)
  const journal = readFileSync(`${folder}/meta/_journal.json`, 'utf8')
  hash.update(journal)
  const entries = (JSON.parse(journal) as { entries: { tag: string }[] }).entries
  for (const entry of entries) hash.update(readFileSync(`${folder}/${entry.tag}.sql`))
  return hash.digest('hex')
}

/** The template for the current migrations: its name changes whenever a migration file does. */
export function templateName(): string {
  return templatePrefix + migrationsHash().slice(0, 16)
}

/**
 * Makes sure the migrated template database `name` exists. Safe when many vitest workers start at once: the
 * build happens under an advisory lock in the `postgres` database, and a template counts as ready only once it
 * is flagged IS_TEMPLATE, which is the build's last step (a half-built one left by a crash is rebuilt).
 * The template also gets ALLOW_CONNECTIONS false: nobody may stay connected to it, or cloning fails.
 */
export async function ensureTemplate(name: string = templateName(), serverUrl: string = testServerUrl) {
  const sql = admin(serverUrl)
  try {
    if (await isReadyTemplate(sql, name)) return
    await sql`select pg_advisory_lock(${advisoryLocks.namespace}, ${advisoryLocks.testTemplate})`
    try {
      if (await isReadyTemplate(sql, name)) return
      await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`)
      await sql.unsafe(`create database ${quoteIdent(name)}`)
      await migrate(withDatabase(serverUrl, name))
      await sql.unsafe(`alter database ${quoteIdent(name)} with is_template true allow_connections false`)
      // Sessions that ended just now may linger for a moment; drop them now rather than fail the first clone.
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`
    } finally {
      await sql`select pg_advisory_unlock(${advisoryLocks.namespace}, ${advisoryLocks.testTemplate})`.catch(
        () => {},
      )
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

async function isReadyTemplate(sql: postgres.Sql, name: string): Promise<boolean> {
  const [row] = await sql`select 1 from pg_database where datname = ${name} and datistemplate`
  return row !== undefined
}

/**
 * Drops test databases older than an hour, left behind by killed runs. Their names carry the creation time
 * (`punctual_test_<base36 ms>_<random>`). Best effort: never fails a test run.
 */
export async function dropStaleTestDatabases(
  serverUrl: string = testServerUrl,
  now = Date.now(),
): Promise<string[]> {
  const sql = admin(serverUrl)
  const dropped: string[] = []
  try {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where datname like ${testDbPrefix.replaceAll('_', '\\_') + '%'}`
    for (const { datname } of rows) {
      const createdAt = parseInt(datname.slice(testDbPrefix.length).split('_')[0] ?? '', 36)
      if (!Number.isFinite(createdAt) || now - createdAt < staleAfterMs) continue
      try {
        await sql.unsafe(`drop database if exists ${quoteIdent(datname)} with (force)`)
        dropped.push(datname)
      } catch {
        // Another process is dropping it too.
      }
    }
  } catch {
    // Cleanup must never fail a test run.
  } finally {
    await sql.end({ timeout: 5 })
  }
  return dropped
}

let prepared: Promise<string> | undefined

/** Once per process: clean up stale databases, then make sure the template exists. */
function prepare(): Promise<string> {
  prepared ??= (async () => {
    const name = templateName()
    await dropStaleTestDatabases()
    await ensureTemplate(name)
    return name
  })().catch((err) => {
    prepared = undefined
    throw err
  })
  return prepared
}

/** CREATE DATABASE ... TEMPLATE, retrying while a session is still leaving the template (55006 object_in_use). */
export async function cloneDatabase(template: string, name: string, serverUrl: string = testServerUrl) {
  const sql = admin(serverUrl)
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await sql.unsafe(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`)
        return
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err
        await sleep(100)
      }
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Drops a database, disconnecting whoever is still on it. */
export async function dropDatabase(name: string, serverUrl: string = testServerUrl) {
  const sql = admin(serverUrl)
  try {
    await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** A fresh `punctual_test_*` name; it embeds the creation time so stale ones can be found later. */
export function testDatabaseName(): string {
  return `${testDbPrefix}${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`
}

/**
 * A private, migrated database for one test file:
 * ```ts
 * let t: TestDatabase
 * beforeAll(async () => { t = await createTestDatabase() })
 * afterAll(() => t.close())
 * ```
 */
export async function createTestDatabase(opts: CreateDbOptions = {}): Promise<TestDatabase> {
  const template = await prepare()
  const name = testDatabaseName()
  await cloneDatabase(template, name)
  const url = withDatabase(testServerUrl, name)
  const handle = createDb(url, { max: 5, ...opts })
  let closing: Promise<void> | undefined
  return {
    ...handle,
    url,
    name,
    close: () => {
      closing ??= (async () => {
        try {
          await handle.close()
        } finally {
          await dropDatabase(name)
        }
      })()
      return closing
    },
  }
}

/**
 * 23514 check_violation, optionally of one named constraint (e.g. `schedules_priority_ck`): the schema tests
 * assert that Postgres itself refuses a row (the API validates before writing, so it never needs this).
 */
export function isCheckViolation(err: unknown, constraint?: string): boolean {
  const pg = findPgError(err)
  return pg?.code === '23514' && (constraint === undefined || pg.constraint_name === constraint)
}
