import { randomBytes, randomUUID as uuid } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, withDatabase } from '../src/migrate.ts'
import { workflows } from '../src/schema/index.ts'
import {
  cloneDatabase,
  createTestDatabase,
  dropDatabase,
  dropStaleTestDatabases,
  ensureTemplate,
  type TestDatabase,
  templateName,
  testServerUrl,
} from '../src/testing.ts'

const admin = postgres(withDatabase(testServerUrl, 'postgres'), { max: 2, onnotice: () => {} })
afterAll(() => admin.end({ timeout: 5 }))

const databaseExists = async (name: string) =>
  (await admin`select 1 from pg_database where datname = ${name}`).length === 1

describe('createTestDatabase', () => {
  let a: TestDatabase
  let b: TestDatabase
  beforeAll(async () => {
    ;[a, b] = await Promise.all([createTestDatabase(), createTestDatabase()])
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
  })

  it('gives each caller its own migrated database', async () => {
    expect(a.name).toMatch(/^punctual_test_[0-9a-z]+_[0-9a-f]{12}$/)
    expect(a.name).not.toBe(b.name)
    expect(a.url).toContain(`/${a.name}`)
    const [current] = await a.sql`select current_database() as name`
    expect(current?.['name']).toBe(a.name)

    await a.db.insert(workflows).values({ id: uuid(), tenant: 't1', name: 'only in a', steps: [] })
    expect(await a.db.select().from(workflows)).toHaveLength(1)
    expect(await b.db.select().from(workflows)).toHaveLength(0)
  })

  it('clones a template named after the migration files, flagged as template and closed to connections', async () => {
    const name = templateName()
    expect(name).toMatch(/^punctual_tpl_[0-9a-f]{16}$/)
    const [row] = await admin`select datistemplate, datallowconn from pg_database where datname = ${name}`
    expect(row).toEqual({ datistemplate: true, datallowconn: false })
  })

  it('drops the database on close, and close is idempotent', async () => {
    const t = await createTestDatabase()
    expect(await databaseExists(t.name)).toBe(true)
    await Promise.all([t.close(), t.close()])
    expect(await databaseExists(t.name)).toBe(false)
  })

  it('serves many parallel callers', async () => {
    const many = await Promise.all(Array.from({ length: 6 }, () => createTestDatabase()))
    try {
      expect(new Set(many.map((t) => t.name)).size).toBe(6)
      await Promise.all(many.map((t) => t.sql`select 1`))
    } finally {
      await Promise.all(many.map((t) => t.close()))
    }
  })
})

describe('ensureTemplate', () => {
  // A private template name, so building it from scratch does not disturb the template other files clone.
  const name = `punctual_tpl_selftest_${randomBytes(4).toString('hex')}`
  const clones = [0, 1, 2].map((i) => `punctual_test_${Date.now().toString(36)}_tplclone${i}`)
  afterAll(async () => {
    await Promise.all(clones.map((c) => dropDatabase(c)))
    await admin.unsafe(`alter database "${name}" is_template false`).catch(() => {})
    await dropDatabase(name)
  })

  it('builds one template when several processes race, and clones it concurrently', async () => {
    await Promise.all([ensureTemplate(name), ensureTemplate(name), ensureTemplate(name)])
    const [row] = await admin`select datistemplate, datallowconn from pg_database where datname = ${name}`
    expect(row).toEqual({ datistemplate: true, datallowconn: false })

    await Promise.all(clones.map((c) => cloneDatabase(name, c)))
    for (const c of clones) {
      const sql = postgres(withDatabase(testServerUrl, c), { max: 1, onnotice: () => {} })
      try {
        const [n] = await sql`select count(*)::int as n from punctual.__drizzle_migrations`
        expect(n?.['n']).toBeGreaterThan(0)
      } finally {
        await sql.end()
      }
    }
  })

  it('rebuilds a half-built template left by a crashed run', async () => {
    await admin.unsafe(`alter database "${name}" is_template false allow_connections true`)
    await ensureTemplate(name)
    const [row] = await admin`select datistemplate from pg_database where datname = ${name}`
    expect(row?.['datistemplate']).toBe(true)
    // Still migrated after the rebuild: migrate is a no-op on a clone.
    const clone = `punctual_test_${Date.now().toString(36)}_tplrebuilt`
    clones.push(clone)
    await cloneDatabase(name, clone)
    expect(await migrate(withDatabase(testServerUrl, clone))).toMatchObject({ applied: 0 })
  })

  it('retries a clone while someone is still connected to the source', async () => {
    const source = `punctual_test_${Date.now().toString(36)}_busysource`
    const clone = `punctual_test_${Date.now().toString(36)}_busyclone`
    clones.push(source, clone)
    await admin.unsafe(`create database "${source}"`)
    const holder = postgres(withDatabase(testServerUrl, source), { max: 1, onnotice: () => {} })
    await holder`select 1`
    const cloning = cloneDatabase(source, clone)
    setTimeout(() => void holder.end(), 300)
    await cloning
    expect(await databaseExists(clone)).toBe(true)
  })
})

describe('dropStaleTestDatabases', () => {
  it('drops punctual_test_* databases older than an hour and keeps recent ones', async () => {
    const old = `punctual_test_${(Date.now() - 2 * 60 * 60 * 1000).toString(36)}_stale${randomBytes(3).toString('hex')}`
    const fresh = `punctual_test_${Date.now().toString(36)}_fresh${randomBytes(3).toString('hex')}`
    await admin.unsafe(`create database "${old}"`)
    await admin.unsafe(`create database "${fresh}"`)
    try {
      const dropped = await dropStaleTestDatabases()
      expect(dropped).toContain(old)
      expect(dropped).not.toContain(fresh)
      expect(await databaseExists(old)).toBe(false)
      expect(await databaseExists(fresh)).toBe(true)
    } finally {
      await dropDatabase(old)
      await dropDatabase(fresh)
    }
  })
})
