import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createTestRedis, findFreePort, type TestRedis } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The CLI run as a process (its bin) against a real API process, as a user runs it.
const bin = fileURLToPath(new URL('../bin/punctual.mjs', import.meta.url))
const JWT_SECRET = 'cli-test-secret-0123456789abcdef'
let database: TestDatabase
let redis: TestRedis
let api: ApiProcess
let home: string

interface Run {
  code: number
  stdout: string
  stderr: string
}

function punctual(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, PUNCTUAL_CONFIG_DIR: home, JWT_SECRET }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const r = await punctual(...args, '--json')
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return JSON.parse(r.stdout) as T
}

beforeAll(async () => {
  database = await createTestDatabase()
  redis = await createTestRedis()
  home = mkdtempSync(join(tmpdir(), 'punctual-cli-'))
  api = await startApiProcess({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
  })
  await api.ready()
})
afterAll(async () => {
  await api?.stop()
  await redis?.cleanup()
  await database?.close()
  rmSync(home, { recursive: true, force: true })
})

describe('punctual CLI', () => {
  it('tells a user who has not logged in to log in, and logs in with a minted token (config mode 0600)', async () => {
    const before = await punctual('workflows', 'ls')
    expect(before.code).toBe(4)
    expect(before.stderr).toContain('punctual login')
    const bad = await punctual('login', '--url', api.url, '--token', 'not-a-token')
    expect(bad.code).toBe(4)
    expect(bad.stderr).toMatch(/HTTP 401 SCHED_ERR_UNAUTHORIZED/)
    const token = (await json<{ token: string }>('token', '--tenant', 'acme', '--role', 'admin')).token
    const login = await punctual('login', '--url', api.url, '--token', token)
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toContain(`logged in to ${api.url}`)
    expect(statSync(join(home, 'config.json')).mode & 0o777).toBe(0o600)
  })

  it('runs each command family: workflows, schedules, cron, executions, dlq, triggers, secrets, api-keys, workers', {
    timeout: 120_000,
  }, async () => {
    const def = join(home, 'wf.json')
    writeFileSync(def, JSON.stringify({ name: 'noop', steps: [{ name: 'wait', type: 'delay', ms: 0 }] }))
    const wf = await json<{ id: string }>('workflows', 'create', '--file', def)
    const table = await punctual('workflows', 'ls')
    expect(table.stdout).toMatch(/^ID\s+NAME/m)
    expect(table.stdout).toContain('noop')

    const s = await json<{ id: string; state: string }>(
      'schedules',
      'create',
      '--workflow',
      wf.id,
      '--name',
      'nightly',
      '--cron',
      '0 30 2 * * *',
      '--tz',
      'Europe/Paris',
    )
    expect(s.state).toBe('active')
    expect((await json<{ items: { id: string }[] }>('schedules', 'ls')).items.map((i) => i.id)).toEqual([
      s.id,
    ])
    expect((await json<{ nextRuns: string[] }>('schedules', 'get', s.id)).nextRuns.length).toBeGreaterThan(0)
    expect(
      (await json<{ jitterMs: number }>('schedules', 'update', s.id, '--jitter-ms', '500')).jitterMs,
    ).toBe(500)
    expect((await json<{ state: string }>('schedules', 'pause', s.id, '--note', 'maintenance')).state).toBe(
      'paused',
    )
    expect((await json<{ state: string }>('schedules', 'resume', s.id)).state).toBe('active')
    const run = await json<{ executionId: string }>('schedules', 'trigger', s.id, '--input', '{"x":1}')
    expect((await json<{ input: unknown }>('executions', 'get', run.executionId)).input).toEqual({ x: 1 })
    expect((await json<{ items: unknown[] }>('executions', 'ls', '--schedule', s.id)).items).toHaveLength(1)
    expect((await json<{ status: string }>('executions', 'cancel', run.executionId)).status).toBe('cancelled')
    const retry = await punctual('executions', 'retry', run.executionId)
    expect(retry.code).toBe(1)
    expect(retry.stderr).toMatch(/HTTP 409 SCHED_ERR_INVALID_STATE/)
    expect((await json<{ items: unknown[] }>('dlq', 'ls')).items).toEqual([])
    expect(await json('dlq', 'redrive', '--workflow', wf.id, '--dry-run')).toMatchObject({ matched: 0 })
    expect(
      (await punctual('cron', 'preview', '0 9 * * 1-5', '--tz', 'America/New_York', '--count', '2')).stdout,
    ).toMatch(/^\d{4}-\d\d-\d\dT1[34]:00:00\.000Z\n\d{4}/)
    const report = await json<{ peak: { fires: number }; suggestionsTotal: number }>(
      'optimizer',
      'show',
      '--hours',
      '48',
    )
    expect(report.peak.fires).toBeGreaterThanOrEqual(1)
    expect(await json('optimizer', 'apply', '--dry-run')).toMatchObject({
      applied: expect.any(Array),
      conflicts: [],
    })
    expect((await punctual('optimizer', 'show')).stdout).toMatch(/^peak: \d+ fires at /)
    expect((await json('schedules', 'rm', s.id)).deleted).toBe(s.id)

    const t = await json<{ id: string; secret: string }>(
      'triggers',
      'create',
      '--type',
      'webhook',
      '--workflow',
      wf.id,
      '--name',
      'gh',
      '--scheme',
      'github',
    )
    expect(t.secret).toEqual(expect.any(String))
    expect((await json<{ secret: string }>('triggers', 'rotate-secret', t.id)).secret).not.toBe(t.secret)
    expect(JSON.stringify(await json('triggers', 'get', t.id))).not.toContain('"secret"')
    expect((await json<{ items: unknown[] }>('triggers', 'ls')).items).toHaveLength(1)
    await json('triggers', 'rm', t.id)

    await json('secrets', 'set', 'API_TOKEN', '--value', 's3cr3t-value', '--allowed-hosts', 'api.example.org')
    const secrets = await punctual('secrets', 'ls')
    expect(secrets.stdout).toContain('API_TOKEN')
    expect(secrets.stdout).not.toContain('s3cr3t-value')
    await json('secrets', 'rm', 'API_TOKEN')
    const key = await json<{ id: string; key: string }>(
      'api-keys',
      'create',
      '--name',
      'ci',
      '--role',
      'viewer',
    )
    expect(key.key).toMatch(/^pk_/)
    expect((await json<{ items: { id: string }[] }>('api-keys', 'ls')).items.map((k) => k.id)).toEqual([
      key.id,
    ])
    await json('api-keys', 'revoke', key.id)
    expect((await json<{ items: unknown[] }>('workers')).items).toEqual([])
    expect((await json('workflows', 'rm', wf.id)).deleted).toBe(wf.id)
  })

  it('prints a refusal with its title, code and field, and exits non-zero; usage errors exit 2', async () => {
    const wf = await json<{ id: string }>('workflows', 'ls')
    expect(wf).toHaveProperty('items')
    const refused = await punctual('cron', 'preview', '61 * * * *')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error: Invalid cron expression \(HTTP 422 SCHED_ERR_CRON_INVALID\)/)
    const invalid = await punctual(
      'schedules',
      'create',
      '--workflow',
      'not-a-uuid',
      '--name',
      'x',
      '--cron',
      '* * * * *',
    )
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toMatch(/HTTP 400 SCHED_ERR_VALIDATION/)
    expect(invalid.stderr).toMatch(/^ {2}body\.workflowId: /m)
    const usage = await punctual('schedules', 'frobnicate')
    expect(usage.code).toBe(2)
    const badJson = await punctual(
      'schedules',
      'trigger',
      '0193f2a1-0a4b-7c2d-8e3f-4a5b6c7d8e9f',
      '--input',
      '{x',
    )
    expect(badJson.code).toBe(2)
    expect(badJson.stderr).toContain('--input is not valid JSON')
  })

  it('says in one line that a stopped API cannot be reached (no stack trace)', async () => {
    const r = await punctual('workflows', 'ls')
    expect(r.code).toBe(0)
    const dead = `http://127.0.0.1:${await findFreePort()}`
    const env = { PUNCTUAL_URL: dead }
    const down = await new Promise<Run>((resolve) =>
      execFile(
        process.execPath,
        [bin, 'workflows', 'ls'],
        { env: { ...process.env, PUNCTUAL_CONFIG_DIR: home, ...env } },
        (err, stdout, stderr) => resolve({ code: (err?.code as number) ?? 0, stdout, stderr }),
      ),
    )
    expect(down.code).toBe(3)
    expect(down.stderr.trim().split('\n')).toEqual([
      `error: cannot reach the API at ${dead}: connection refused (is it running?)`,
    ])
  })
})
