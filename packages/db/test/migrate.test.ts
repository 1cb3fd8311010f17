import { execFile } from 'node:child_process'
import { randomUUID as uuid } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
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

async function withSql<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    return await fn(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

const journalLength = (url: string) =>
  withSql(url, async (sql) => {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`
    return row!.n
  })

const migrationCount = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length

describe('migrate', () => {
  it('takes an empty database to the latest schema', async () => {
    const { url } = await databases.create()
    expect(await migrate(url)).toEqual({ applied: migrationCount, total: migrationCount })

    await withSql(url, async (sql) => {
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' order by table_name`
      expect(tables.map((t) => t.table_name)).toEqual([
        'api_keys',
        'audit_log',
        'event_outbox',
        'event_receipts',
        'execution_step_results',
        'executions',
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
        where t.table_schema = 'public' and not exists (
          select 1 from information_schema.columns c
          where c.table_schema = 'public' and c.table_name = t.table_name and c.column_name = 'tenant'
            and c.is_nullable = 'NO')`
      expect(untenanted).toEqual([])

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
    expect(await migrate(url)).toEqual({ applied: 0, total: migrationCount })
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
