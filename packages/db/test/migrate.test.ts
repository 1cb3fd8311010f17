import { execFile } from 'node:child_process'
import { randomUUID as uuid } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { conflictProfile } from '@punctual/core'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { createDb } from '../src/client.ts'
import { isUniqueViolation } from '../src/errors.ts'
import { migrate, migrationsFolder } from '../src/migrate.ts'
import { emptyDatabases } from './helpers/databases.ts'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const tsx = join(packageDir, 'node_modules/.bin/tsx')
const cli = join(packageDir, 'src/migrate-cli.ts')

/** Runs the migrate CLI from an unrelated directory, so it cannot depend on the cwd. */
async function runCli(databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [cli], {
      cwd: tmpdir(),
      env: { ...process.env, DATABASE_URL: databaseUrl },
      timeout: 30_000,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

const databases = emptyDatabases()
afterAll(() => databases.dropAll())

/** A connection to `url` that finds the tables in `schema` (DATABASE_SCHEMA's default), as the apps' pools do. */
async function withSql<T>(
  url: string,
  fn: (sql: postgres.Sql) => Promise<T>,
  schema = 'punctual',
): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } })
  try {
    return await fn(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

const journalLength = (url: string) =>
  withSql(url, async (sql) => {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from punctual.__drizzle_migrations`
    return row!.n
  })

const migrationCount = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length

describe('migrate', () => {
  it('takes an empty database to the latest schema', async () => {
    const { url } = await databases.create()
    expect(await migrate(url)).toEqual({
      applied: migrationCount,
      total: migrationCount,
      layout: { moved: 0, copied: 0 },
    })

    await withSql(url, async (sql) => {
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'punctual' order by table_name`
      expect(tables.map((t) => t.table_name)).toEqual([
        '__drizzle_migrations',
        'api_keys',
        'audit_log',
        'event_outbox',
        'event_receipts',
        'execution_step_results',
        'executions',
        'schedule_pattern_refresh',
        'schedule_patterns',
        'schedules',
        'tenant_secrets',
        'tenant_signing_secrets',
        'tenant_usage',
        'triggers',
        'webhook_deliveries',
        'workflow_secret_refs',
        'workflow_versions',
        'workflows',
      ])
      const untenanted = await sql`
        select t.table_name from information_schema.tables t
        where t.table_schema = 'punctual' and t.table_name <> '__drizzle_migrations'
          -- The one system-wide row of the optimizer's pattern refresh (where the last pass got to): no tenant's data.
          and t.table_name <> 'schedule_pattern_refresh'
          and not exists (
          select 1 from information_schema.columns c
          where c.table_schema = 'punctual' and c.table_name = t.table_name and c.column_name = 'tenant'
            and c.is_nullable = 'NO')`
      expect(untenanted).toEqual([])
      // Nothing of ours in `public`, nor drizzle's default bookkeeping schema (a host application's).
      const [shared] = await sql`
        select (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'public') as public_relations,
               to_regnamespace('drizzle') is null as no_drizzle_schema`
      expect(shared).toEqual({ public_relations: 0, no_drizzle_schema: true })

      // Only `fire` executions are unique per (schedule_id, scheduled_for).
      const scheduleId = uuid()
      const at = '2026-03-08T07:00:00.000Z'
      const insert = (kind: string) => sql`
        insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, status)
        values (${uuid()}, 't1', ${kind}, ${scheduleId}, ${uuid()}, ${at}, 'queued')`
      await insert('manual')
      await insert('manual')
      await insert('fire')
      const err = await insert('fire').catch((e: unknown) => e)
      expect(isUniqueViolation(err, 'executions_fire_uq')).toBe(true)
      const [counts] = await sql`
        select count(*) filter (where kind = 'fire')::int as fire, count(*) filter (where kind = 'manual')::int as manual
        from executions`
      expect(counts).toEqual({ fire: 1, manual: 2 })
    })
  })

  it('is harmless when run twice', async () => {
    const { url } = await databases.create()
    await migrate(url)
    expect(await migrate(url)).toMatchObject({ applied: 0, total: migrationCount })
    expect(await journalLength(url)).toBe(migrationCount)
  })

  it('is harmless when run concurrently, in process and through the CLI', async () => {
    const { url } = await databases.create()
    const [a, b, c, viaCli] = await Promise.all([migrate(url), migrate(url), migrate(url), runCli(url)])
    expect(viaCli.code, viaCli.stderr).toBe(0)
    // Exactly one of the four applied the migrations; the others found nothing to do.
    expect([a, b, c].map((r) => r.total)).toEqual([migrationCount, migrationCount, migrationCount])
    const appliedInProcess = a.applied + b.applied + c.applied
    expect(appliedInProcess === migrationCount || viaCli.stdout.includes('applied')).toBe(true)
    expect(appliedInProcess === 0 || viaCli.stdout.includes('already up to date')).toBe(true)
    expect(await journalLength(url)).toBe(migrationCount)
  })

  it('does not depend on the cwd and reads migrations relative to its own file', () => {
    expect(migrationsFolder).toBe(fileURLToPath(new URL('../../../drizzle/', import.meta.url)))
    expect(migrationCount).toBeGreaterThan(0)
  })
})

describe('migrate CLI', () => {
  it('creates a missing database, then migrates it', async () => {
    const { name, url } = databases.reserve()
    const first = await runCli(url)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain(`database ${name} created`)
    expect(await journalLength(url)).toBe(migrationCount)

    const second = await runCli(url)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain('already up to date')
  })

  it('tolerates two CLIs creating the same database at once', async () => {
    const { url } = databases.reserve()
    const results = await Promise.all([runCli(url), runCli(url)])
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    expect(await journalLength(url)).toBe(migrationCount)
  })

  it('exits 1 with a clear message when Postgres is unreachable', async () => {
    const started = Date.now()
    const r = await runCli('postgres://postgres@127.0.0.1:1/punctual')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /migrate: failed for postgres:\/\/postgres@127\.0\.0\.1:1\/punctual: .*ECONNREFUSED/,
    )
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('never prints the password', async () => {
    const r = await runCli('postgres://postgres:s3cret@127.0.0.1:1/punctual')
    expect(r.code).toBe(1)
    expect(r.stderr).not.toContain('s3cret')
  })
})

describe('generated migrations', () => {
  it('match the drizzle schema (no ungenerated schema change)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'punctual-drift-'))
    try {
      cpSync(migrationsFolder, join(dir, 'drizzle'), { recursive: true })
      const before = readdirSync(join(dir, 'drizzle')).sort()
      const drizzleKit = join(packageDir, '../../node_modules/.bin/drizzle-kit')
      const { stdout } = await run(
        drizzleKit,
        [
          'generate',
          '--dialect=postgresql',
          `--schema=${join(packageDir, 'src/schema/index.ts')}`,
          '--out=drizzle',
          '--name=drift',
        ],
        { cwd: dir, timeout: 30_000 },
      )
      const after = readdirSync(join(dir, 'drizzle')).sort()
      expect(after, `run \`npx drizzle-kit generate\`: the schema changed\n${stdout}`).toEqual(before)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** Migrates a new database with the migrations before the one whose tag starts with `before`. */
async function migrateUpTo(url: string, before: string) {
  const dir = mkdtempSync(join(tmpdir(), 'punctual-upto-'))
  try {
    cpSync(migrationsFolder, dir, { recursive: true })
    const journalFile = join(dir, 'meta/_journal.json')
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] }
    const upTo = journal.entries.findIndex((e) => e.tag.startsWith(before))
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }))
    await migrate(url, { migrationsFolder: dir })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('0005 conflict profiles', () => {
  it('converts the minute lists of existing schedules into conflict profiles', async () => {
    const { url } = await databases.create()
    await migrateUpTo(url, '0005_')
    const everyMinute = Array.from({ length: 1440 }, (_, m) => m)
    const hourly = Array.from({ length: 24 }, (_, h) => h * 60 + 17)
    const cases: [string, number[], string][] = [
      ['dense', everyMinute, 'D'],
      ['every-3', everyMinute.filter((m) => m % 3 === 0), 'D'],
      ['hourly', hourly, 'H17'],
      ['hourly-but-one', hourly.slice(1), `M${hourly.slice(1).join(',')}`],
      ['daily', [540], 'M540'],
      ['none', [], ''],
    ]
    await withSql(url, async (sql) => {
      const wf = uuid()
      await sql`insert into workflows (id, tenant, name, steps) values (${wf}, 'acme', 'wf', '[]'::jsonb)`
      for (const [name, minutes] of cases) {
        await sql`insert into schedules (id, tenant, workflow_id, name, cron_expression, fire_minutes)
                  values (${uuid()}, 'acme', ${wf}, ${name}, '* * * * *', ${`{${minutes.join(',')}}`}::smallint[])`
      }
    })
    await migrate(url)
    await withSql(url, async (sql) => {
      const rows = await sql<
        { name: string; conflict_profile: string }[]
      >`select name, conflict_profile from schedules`
      expect(Object.fromEntries(rows.map((r) => [r.name, r.conflict_profile]))).toEqual(
        Object.fromEntries(cases.map(([name, , profile]) => [name, profile])),
      )
      const [column] = await sql`select 1 from information_schema.columns
                                  where table_name = 'schedules' and column_name = 'fire_minutes'`
      expect(column).toBeUndefined()
    })
  })
})

describe('0018 frequent conflict profiles', () => {
  it('marks minute profiles of over 96 minutes frequent, as core computes them now', async () => {
    const { url } = await databases.create()
    await migrateUpTo(url, '0018_')
    const evenMinutes = (n: number) => Array.from({ length: n }, (_, i) => 540 + i * 2)
    const cases: [string, string, number[] | null][] = [
      ['business-every-2', `M${evenMinutes(270).join(',')}`, evenMinutes(270)],
      ['just-over', `M${evenMinutes(97).join(',')}`, evenMinutes(97)],
      ['at-the-limit', `M${evenMinutes(96).join(',')}`, evenMinutes(96)],
      ['daily', 'M540', [540]],
      ['hourly', 'H0,30', null],
      ['dense', 'D', null],
      ['none', '', null],
    ]
    await withSql(url, async (sql) => {
      const wf = uuid()
      await sql`insert into workflows (id, tenant, name, steps) values (${wf}, 'acme', 'wf', '[]'::jsonb)`
      for (const [name, profile] of cases) {
        await sql`insert into schedules (id, tenant, workflow_id, name, cron_expression, conflict_profile)
                  values (${uuid()}, 'acme', ${wf}, ${name}, '* * * * *', ${profile})`
      }
    })
    await migrate(url)
    await withSql(url, async (sql) => {
      const rows = await sql<
        { name: string; conflict_profile: string }[]
      >`select name, conflict_profile from schedules`
      const got = Object.fromEntries(rows.map((r) => [r.name, r.conflict_profile]))
      for (const [name, before, minutes] of cases) {
        expect(got[name]).toBe(minutes ? conflictProfile(minutes) : before)
      }
      expect(got['business-every-2']).toBe(`F${evenMinutes(270).join(',')}`)
      expect(got['at-the-limit']).toBe(`M${evenMinutes(96).join(',')}`)
    })
  })
})

describe('0007 tenant quotas', () => {
  it('counts what each tenant holds, filter entries included, and keeps counting', async () => {
    const { url } = await databases.create()
    await migrateUpTo(url, '0007_')
    const filters = [
      { country: ['FR', 'DE'], total: [{ numeric: ['>', 1, '<', 5] }] },
      { a: { b: { c: [1, 2, 3] } }, d: [{ 'anything-but': ['x', 'y'] }] },
      null,
    ]
    await withSql(url, async (sql) => {
      for (const tenant of ['t1', 't2']) {
        const wf = uuid()
        await sql`insert into workflows (id, tenant, name, steps) values (${wf}, ${tenant}, 'wf', '[]'::jsonb)`
        await sql`insert into schedules (id, tenant, workflow_id, name, cron_expression)
                  values (${uuid()}, ${tenant}, ${wf}, 's1', '* * * * *'), (${uuid()}, ${tenant}, ${wf}, 's2', '* * * * *')`
        for (const [i, filter] of filters.entries()) {
          await sql`insert into triggers (id, tenant, workflow_id, name, type, event_type, filter)
                    values (${uuid()}, ${tenant}, ${wf}, ${`t${i}`}, 'event', 'x', ${filter === null ? null : sql.json(filter)})`
        }
      }
    })
    await migrate(url)
    await withSql(url, async (sql) => {
      const usage =
        await sql`select tenant, schedules, triggers, filter_matchers from tenant_usage order by tenant`
      expect(usage.map((r) => ({ ...r }))).toEqual([
        { tenant: 't1', schedules: 2, triggers: 3, filter_matchers: 7 },
        { tenant: 't2', schedules: 2, triggers: 3, filter_matchers: 7 },
      ])
      // Later writes, by any writer, keep the counts exact.
      await sql`delete from schedules where tenant = 't1' and name = 's1'`
      await sql`update triggers set filter_matchers = 1 where tenant = 't1' and name = 't0'`
      await sql`delete from triggers where tenant = 't2' and name = 't1'`
      const after =
        await sql`select tenant, schedules, triggers, filter_matchers from tenant_usage order by tenant`
      expect(after.map((r) => ({ ...r }))).toEqual([
        { tenant: 't1', schedules: 1, triggers: 3, filter_matchers: 5 },
        { tenant: 't2', schedules: 2, triggers: 2, filter_matchers: 3 },
      ])
      await sql`truncate schedules, triggers`
      const truncated =
        await sql`select tenant, schedules, triggers, filter_matchers from tenant_usage order by tenant`
      expect(truncated.map((r) => ({ ...r }))).toEqual([
        { tenant: 't1', schedules: 0, triggers: 0, filter_matchers: 0 },
        { tenant: 't2', schedules: 0, triggers: 0, filter_matchers: 0 },
      ])
    })
  })
})

describe('0008 execution error objects', () => {
  it('wraps each old error string as `message`, with `step` and `status` where the string names them', async () => {
    const { url } = await databases.create()
    await migrateUpTo(url, '0008_')
    const cases: [string, string, string | null, Record<string, unknown> | null][] = [
      ['dead', 'fire', 'step call: HTTP 503', { message: 'step call: HTTP 503', step: 'call', status: 503 }],
      [
        'retrying',
        'manual',
        'step fetch.v2: connect ECONNREFUSED 10.0.0.1:80',
        { message: 'step fetch.v2: connect ECONNREFUSED 10.0.0.1:80', step: 'fetch.v2' },
      ],
      ['dead', 'event', 'workflow timed out after 250 ms', { message: 'workflow timed out after 250 ms' }],
      ['succeeded', 'fire', null, null],
      // Before 0008 a fire was skipped only by its overlapPolicy.
      [
        'skipped',
        'fire',
        null,
        { message: 'an earlier execution of the schedule was unfinished (overlapPolicy)', reason: 'overlap' },
      ],
    ]
    const ids = cases.map(() => uuid())
    await withSql(url, async (sql) => {
      for (const [i, [status, kind, error]] of cases.entries()) {
        await sql`insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, status, error)
                  values (${ids[i]!}, 'acme', ${kind}, ${uuid()}, ${uuid()}, now() - ${`${i} minutes`}::interval,
                          ${status}, ${error})`
      }
    })
    await migrate(url)
    await withSql(url, async (sql) => {
      const rows = await sql<{ id: string; error: unknown }[]>`select id, error from executions`
      const byId = new Map(
        rows.map((r) => [r.id, typeof r.error === 'string' ? JSON.parse(r.error) : r.error]),
      )
      expect(ids.map((id) => byId.get(id))).toEqual(cases.map(([, , , want]) => want))
    })
  })
})

describe('0009 unanchored sub-patterns', () => {
  it('counts them in stored event trigger filters as core does, and keeps counting', async () => {
    const { url } = await databases.create()
    await migrateUpTo(url, '0009_')
    const filters: (Record<string, unknown> | null)[] = [
      // Root objects are not counted; nested ones of 2+ keys without a leaf of only values are.
      { a: [{ numeric: ['>', 1] }], b: [{ exists: true }] },
      { items: { qty: [{ numeric: ['>', 1] }], tag: [{ 'anything-but': ['x'] }] } },
      { items: { sku: ['A', 'B'], qty: [{ numeric: ['>', 1] }] } },
      { items: { sku: [{ prefix: 'A' }, { suffix: 'B' }], qty: [{ exists: true }] } },
      { items: { sku: ['A', { exists: false }], qty: [1] } }, // qty holds only a value: anchored
      {
        items: {
          sku: ['A', { exists: false }],
          qty: [{ numeric: ['>', 1] }],
          sub: { x: [{ exists: true }], y: [2] },
        },
      }, // items, not sub
      { items: { one: { x: [{ exists: true }], y: [{ numeric: ['<', 0] }] } }, d: { e: [{ prefix: 'p' }] } },
      null,
    ]
    const { countUnanchoredSubpatterns } = await import('@punctual/core')
    await withSql(url, async (sql) => {
      const wf = uuid()
      await sql`insert into workflows (id, tenant, name, steps) values (${wf}, 't1', 'wf', '[]'::jsonb)`
      for (const [i, filter] of filters.entries()) {
        for (const type of ['event', 'webhook']) {
          await sql`insert into triggers (id, tenant, workflow_id, name, type, event_type, filter)
                    values (${uuid()}, 't1', ${wf}, ${`${type}${i}`}, ${type}, ${type === 'event' ? 'x' : null},
                            ${filter === null ? null : sql.json(filter as never)})`
        }
      }
    })
    await migrate(url)
    const want = filters.map((f) => countUnanchoredSubpatterns(f))
    // After 0010: a sub-pattern anchored only by prefixes or suffixes (filter 3) counts as unanchored.
    expect(want).toEqual([0, 1, 0, 1, 0, 1, 1, 0])
    await withSql(url, async (sql) => {
      const rows = await sql<{ name: string; unanchored_subpatterns: number }[]>`
        select name, unanchored_subpatterns from triggers`
      const byName = Object.fromEntries(rows.map((r) => [r.name, r.unanchored_subpatterns]))
      for (const [i, n] of want.entries()) {
        expect(byName[`event${i}`], `filter ${i}`).toBe(n)
        expect(byName[`webhook${i}`]).toBe(0)
      }
      const total = want.reduce((a, b) => a + b, 0)
      const usage = async () =>
        (
          await sql<{ n: number }[]>`select unanchored_subpatterns as n from tenant_usage where tenant = 't1'`
        )[0]!.n
      expect(await usage()).toBe(total)
      await sql`update triggers set unanchored_subpatterns = 3 where name = 'event0'`
      expect(await usage()).toBe(total + 3)
      await sql`delete from triggers where name in ('event0', 'event5')`
      expect(await usage()).toBe(total - 1)
      await sql`insert into triggers (id, tenant, workflow_id, name, type, event_type, unanchored_subpatterns)
                select ${uuid()}::uuid, 't1', workflow_id, 'more', 'event', 'x', 4 from triggers limit 1`
      expect(await usage()).toBe(total + 3)
      await sql`truncate triggers`
      expect(await usage()).toBe(0)
    })
  })
})

describe('0010 sub-pattern anchors', () => {
  it('backfills stored event trigger filters’ anchors and unanchored counts as core computes them', async () => {
    const { url } = await databases.create()
    await migrateUpTo(url, '0010_')
    const qty = [{ numeric: ['>', 1] }]
    const filters: (Record<string, unknown> | null)[] = [
      { sku: ['A'], qty }, // the root: no anchor
      { items: { sku: ['A', 'B', 'A'], qty } },
      { items: { sku: [{ prefix: 'A' }], qty } }, // prefix only: unanchored since 0010
      { items: { sku: ['A', { prefix: 'B' }], tag: [{ suffix: 'x' }], qty } },
      // The key with the fewest distinct values, then the smallest in code point order; numbers in plain decimal.
      {
        items: { zz: [1e21, 1.5e-7], b: [2, 2, 'é"\\'], a: [true, null], 'k.\u{1F600}': [{ exists: true }] },
      },
      { items: { '\u{1F600}': [1], '\uFFFF': [2] }, lines: { one: { x: [-0.25], y: [false] } } },
      { a: { b: { c: ['x'] } }, d: { e: ['y'] } }, // one-key objects: no sub-pattern
      null,
    ]
    const { countUnanchoredSubpatterns, subpatternAnchors } = await import('@punctual/core')
    await withSql(url, async (sql) => {
      const wf = uuid()
      await sql`insert into workflows (id, tenant, name, steps) values (${wf}, 't1', 'wf', '[]'::jsonb)`
      for (const [i, filter] of filters.entries()) {
        for (const type of ['event', 'webhook']) {
          await sql`insert into triggers (id, tenant, workflow_id, name, type, event_type, filter)
                    values (${uuid()}, 't1', ${wf}, ${`${type}${i}`}, ${type}, ${type === 'event' ? 'x' : null},
                            ${filter === null ? null : sql.json(filter as never)})`
        }
      }
      // 0009 counted filters 2 and 3 as anchored (0 unanchored): 0010 counts them again.
    })
    await migrate(url)
    const want = filters.map((f) => subpatternAnchors(f))
    expect(want[1]).toEqual(['"items"."sku"="A"', '"items"."sku"="B"'])
    expect(want[2]).toEqual([])
    expect(want[4]).toEqual(['"items"."a"=null', '"items"."a"=true'])
    expect(want[5]).toEqual(['"items"."\uFFFF"=2', '"lines"."one"."x"=-0.25'])
    const unanchored = filters.map((f) => countUnanchoredSubpatterns(f))
    expect(unanchored).toEqual([0, 0, 1, 1, 0, 0, 0, 0])
    await withSql(url, async (sql) => {
      const rows = await sql<
        { name: string; subpattern_anchors: string[]; unanchored_subpatterns: number }[]
      >`
        select name, subpattern_anchors, unanchored_subpatterns from triggers`
      const byName = Object.fromEntries(rows.map((r) => [r.name, r]))
      for (const [i, anchors] of want.entries()) {
        expect([...byName[`event${i}`]!.subpattern_anchors].sort(), `filter ${i}`).toEqual(anchors)
        expect(byName[`event${i}`]!.unanchored_subpatterns, `filter ${i}`).toBe(unanchored[i])
        expect(byName[`webhook${i}`]!.subpattern_anchors).toEqual([])
      }
      const [usage] = await sql<
        { n: number }[]
      >`select unanchored_subpatterns as n from tenant_usage where tenant = 't1'`
      expect(usage!.n).toBe(unanchored.reduce((x, y) => x + y, 0))
    })
  })
})

describe('0013 tenant secrets', () => {
  it('records the secret references of workflows written before secrets existed', async () => {
    const { url } = await databases.create()
    await migrateUpTo(url, '0013_')
    const step = (headers: Record<string, string>, body: unknown = {}) => [
      { name: 's', type: 'http', method: 'POST', url: 'https://a.example/', headers, body },
    ]
    const a = uuid()
    const b = uuid()
    await withSql(url, async (sql) => {
      for (const [id, tenant, steps] of [
        [
          a,
          't1',
          step({ x: 'Bearer {{secrets.TOKEN}}', y: '{{ secrets.OTHER_1 }}' }, { t: '{{secrets.TOKEN}}' }),
        ],
        [b, 't2', step({ x: '{{secrets.lower}} {{input.secrets.NOPE}}' })],
      ] as const) {
        await sql`insert into workflows (id, tenant, name, steps) values (${id}, ${tenant}, ${id}, ${sql.json(steps as never)})`
      }
    })
    await migrate(url)
    await withSql(url, async (sql) => {
      const refs = await sql<{ tenant: string; workflow_id: string; secret_name: string }[]>`
        select tenant, workflow_id, secret_name from workflow_secret_refs order by secret_name`
      expect(refs).toEqual([
        { tenant: 't1', workflow_id: a, secret_name: 'OTHER_1' },
        { tenant: 't1', workflow_id: a, secret_name: 'TOKEN' },
      ])
    })
  })
})

/**
 * A database as the releases before DATABASE_SCHEMA left it: drizzle's migrator with its defaults (tables in
 * `public`, bookkeeping in `drizzle.__drizzle_migrations`) over the migrations up to `before` (all: undefined).
 * The SQL files are the same but for the `"public".` qualifiers they dropped, which named the schema these
 * statements ran in anyway.
 */
async function buildLegacyLayout(url: string, before?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'punctual-legacy-'))
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    cpSync(migrationsFolder, dir, { recursive: true })
    if (before) {
      const journalFile = join(dir, 'meta/_journal.json')
      const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] }
      const upTo = journal.entries.findIndex((e) => e.tag.startsWith(before))
      writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }))
    }
    await drizzleMigrate(drizzle(sql), { migrationsFolder: dir })
  } finally {
    await sql.end({ timeout: 5 })
    rmSync(dir, { recursive: true, force: true })
  }
}

const relationsIn = (sql: postgres.Sql, schema: string) =>
  sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relkind = 'r' order by 1`.then((rows) => rows.map((r) => r.name))

describe('upgrade to the own schema', () => {
  it('moves the tables, functions and bookkeeping of a database built before DATABASE_SCHEMA, keeping its rows', async () => {
    const { url } = await databases.create()
    await buildLegacyLayout(url)
    const wf = uuid()
    await withSql(
      url,
      async (sql) => {
        await sql`insert into workflows (id, tenant, name, steps) values (${wf}, 'acme', 'wf', '[]'::jsonb)`
        await sql`insert into schedules (id, tenant, workflow_id, name, cron_expression)
                  values (${uuid()}, 'acme', ${wf}, 'daily', '0 9 * * *')`
        // A host application's own table and drizzle bookkeeping share the database.
        await sql`create table host_users (id int primary key)`
        await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('host', 1)`
      },
      'public',
    )

    // Two processes upgrading at once: the lock lets one move everything, the other finds nothing to do.
    const [a, b] = await Promise.all([migrate(url), migrate(url)])
    expect([a.layout, b.layout]).toContainEqual({ moved: 0, copied: 0 })
    const upgrade = a.layout.copied > 0 ? a : b
    expect(upgrade).toEqual({
      applied: 0,
      total: migrationCount,
      layout: { moved: expect.any(Number), copied: migrationCount },
    })
    await withSql(url, async (sql) => {
      expect(await relationsIn(sql, 'public')).toEqual(['host_users'])
      expect(await relationsIn(sql, 'punctual')).toContain('executions')
      const fns = await sql`
        select n.nspname as schema, count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where p.proname in ('punctual_count_schedules', 'punctual_count_triggers', 'workflows_keep_version')
         group by 1`
      expect(fns).toEqual([{ schema: 'punctual', n: 3 }])
      expect(upgrade.layout.moved).toBe((await relationsIn(sql, 'punctual')).length - 1 + 3)
      // The rows came along, and the triggers that moved with their tables and functions still count.
      await sql`insert into schedules (id, tenant, workflow_id, name, cron_expression)
                values (${uuid()}, 'acme', ${wf}, 'hourly', '0 * * * *')`
      const [usage] = await sql`select schedules from tenant_usage where tenant = 'acme'`
      expect(usage).toEqual({ schedules: 2 })
      // The host's bookkeeping is left as it was: ours copied, its own row not taken along.
      const [legacy] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`
      expect(legacy).toEqual({ n: migrationCount + 1 })
      const [copied] =
        await sql`select count(*)::int as n from punctual.__drizzle_migrations where hash = 'host'`
      expect(copied).toEqual({ n: 0 })
    })
    expect(await migrate(url)).toEqual({ applied: 0, total: migrationCount, layout: { moved: 0, copied: 0 } })
  })

  it('upgrades a database some migrations behind, then applies the rest in the schema', async () => {
    const { url } = await databases.create()
    await buildLegacyLayout(url, '0012_')
    const result = await migrate(url)
    expect(result).toMatchObject({
      applied: migrationCount - 12,
      total: migrationCount,
      layout: { copied: 12 },
    })
    await withSql(url, async (sql) => {
      expect(await relationsIn(sql, 'public')).toEqual([])
      // Tables of the later migrations were created in the schema, beside the moved ones.
      expect(await relationsIn(sql, 'punctual')).toEqual(
        expect.arrayContaining(['api_keys', 'tenant_secrets']),
      )
    })
  })

  it('leaves a database alone whose drizzle bookkeeping holds none of our migrations', async () => {
    const { url } = await databases.create()
    await withSql(
      url,
      async (sql) => {
        await sql`create schema drizzle`
        await sql`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`
        await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('host', 1)`
        await sql`create table workflows (id int primary key)`
      },
      'public',
    )
    expect(await migrate(url)).toEqual({
      applied: migrationCount,
      total: migrationCount,
      layout: { moved: 0, copied: 0 },
    })
    await withSql(url, async (sql) => {
      // The host's own `workflows` stays in public; ours is in the schema.
      expect(await relationsIn(sql, 'public')).toEqual(['workflows'])
      const [ours] = await sql`select count(*)::int as n from punctual.workflows`
      expect(ours).toEqual({ n: 0 })
    })
  })

  it('keeps two deployments apart in one database by DATABASE_SCHEMA', async () => {
    const { url } = await databases.create()
    await migrate(url, { schema: 'team_a' })
    await migrate(url, { schema: 'team_b' })
    const a = createDb(url, { schema: 'team_a', max: 1 })
    const b = createDb(url, { schema: 'team_b', max: 1 })
    try {
      await a.sql`insert into workflows (id, tenant, name, steps) values (${uuid()}, 'acme', 'a', '[]'::jsonb)`
      const [inA] = await a.sql`select count(*)::int as n from workflows`
      const [inB] = await b.sql`select count(*)::int as n from workflows`
      expect([inA, inB]).toEqual([{ n: 1 }, { n: 0 }])
    } finally {
      await Promise.all([a.close(), b.close()])
    }
    expect(() => createDb(url, { schema: 'Bad-Name' })).toThrow(/schema name must match/)
  })
})
