import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uuidv7 } from '@punctual/core'
import { createExecutionsRepo, type NewExecutionRow } from '@punctual/db'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONSOLE_CSP } from '../src/plugins/console.ts'
import { createWorkflow, setup, type TestContext } from './helper.ts'

// The routes the console added (GET /api/me, GET /api/executions/throughput) and how /ui is served, on a
// console build of this file's own (a folder with an index.html and one hashed asset, CONSOLE_DIR).
const MINUTE = 60_000
const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE + 30_000)
let ctx: TestContext
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'console-dist-'))
  await mkdir(join(dir, 'assets'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>')
  await writeFile(join(dir, 'assets/app-ABC123.js'), 'console.log(1)')
  ctx = await setup({ env: { CONSOLE_DIR: dir }, now: () => now })
})
afterAll(async () => {
  await ctx?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('GET /api/me', () => {
  it("answers the credential's tenant, role and subject, for every role", async () => {
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/me', headers: ctx.auth('acme', role) })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ tenant: 'acme', role, sub: `${role}@acme` })
    }
  })
  it('is 401 without a credential', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/me' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toContain('application/problem+json')
  })
  it('answers an API key as apikey:<id> with its role', async () => {
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: ctx.auth('acme', 'admin'),
      payload: { name: 'console', role: 'viewer' },
    })
    expect(created.statusCode, created.body).toBe(201)
    const { id, key } = created.json() as { id: string; key: string }
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${key}` },
    })
    expect(res.json()).toEqual({ tenant: 'acme', role: 'viewer', sub: `apikey:${id}` })
  })
})

describe('GET /api/executions/throughput', () => {
  it('counts ended executions per minute of the window, zeros included, the tenant only', async () => {
    const wf = await createWorkflow(ctx)
    const other = await createWorkflow(ctx, 'other')
    const repo = createExecutionsRepo(ctx.database.db)
    const row = (finishedAgoMs: number, status: NewExecutionRow['status'], tenant = 'acme') => {
      const finishedAt = new Date(now.getTime() - finishedAgoMs)
      return repo.insert({
        id: uuidv7(finishedAt.getTime() - 1000),
        tenant,
        kind: 'manual',
        workflowId: tenant === 'acme' ? wf.id : other.id,
        scheduledFor: finishedAt,
        status,
        startedAt: finishedAt,
        finishedAt,
      })
    }
    // This minute: 2 succeeded, 1 dead; 5 minutes ago: 1 cancelled; another tenant's and a running one ignored.
    await row(1000, 'succeeded')
    await row(2000, 'succeeded')
    await row(3000, 'dead')
    await row(5 * MINUTE, 'cancelled')
    await row(1000, 'succeeded', 'other')
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/executions/throughput?minutes=10',
      headers: ctx.auth('acme', 'viewer'),
    })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as {
      from: string
      to: string
      minutes: { at: string; succeeded: number; dead: number; cancelled: number }[]
    }
    expect(body.minutes).toHaveLength(10)
    const thisMinute = new Date(Math.floor(now.getTime() / MINUTE) * MINUTE)
    expect(body.to).toBe(new Date(thisMinute.getTime() + MINUTE).toISOString())
    expect(body.minutes.at(-1)).toEqual({ at: thisMinute.toISOString(), succeeded: 2, dead: 1, cancelled: 0 })
    expect(body.minutes.at(-6)).toEqual({
      at: new Date(thisMinute.getTime() - 5 * MINUTE).toISOString(),
      succeeded: 0,
      dead: 0,
      cancelled: 1,
    })
    const total = body.minutes.reduce((n, m) => n + m.succeeded + m.dead + m.cancelled, 0)
    expect(total).toBe(4)
  })
  it('refuses a window out of range with a problem naming the field', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/executions/throughput?minutes=0',
      headers: ctx.auth('acme', 'viewer'),
    })
    expect(res.statusCode).toBe(400)
    expect(JSON.stringify(res.json().errors)).toContain('minutes')
  })
})

describe('GET /api/schedules?search=', () => {
  it('lists the schedules whose name contains the text, case-insensitive, wildcards taken literally', async () => {
    const wf = await createWorkflow(ctx)
    for (const name of ['Nightly-Report', 'nightly_backup', 'weekly report', '100%-done']) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/schedules',
        headers: ctx.auth('acme', 'editor'),
        payload: { workflowId: wf.id, name, cronExpression: '0 3 * * *' },
      })
      expect(res.statusCode, res.body).toBe(201)
    }
    const names = async (search: string) => {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/api/schedules?search=${encodeURIComponent(search)}`,
        headers: ctx.auth('acme', 'viewer'),
      })
      expect(res.statusCode, res.body).toBe(200)
      return (res.json() as { items: { name: string }[] }).items.map((s) => s.name).sort()
    }
    expect(await names('NIGHTLY')).toEqual(['Nightly-Report', 'nightly_backup'])
    expect(await names('report')).toEqual(['Nightly-Report', 'weekly report'])
    expect(await names('_')).toEqual(['nightly_backup'])
    expect(await names('%')).toEqual(['100%-done'])
    expect(await names('absent')).toEqual([])
  })
})

describe('/ui', () => {
  it('redirects / and /ui to /ui/', async () => {
    for (const url of ['/', '/ui']) {
      const res = await ctx.app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(302)
      expect(res.headers.location).toBe('/ui/')
    }
  })
  it('serves index.html for the console and its deep links, uncached, with the CSP', async () => {
    for (const url of ['/ui/', '/ui/schedules/0192f0c4-0000-7000-8000-000000000000']) {
      const res = await ctx.app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('<title>console</title>')
      expect(res.headers['content-type']).toContain('text/html')
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP)
      expect(res.headers['cache-control']).toBe('no-cache')
    }
    expect(CONSOLE_CSP).toContain("default-src 'self'")
  })
  it('serves hashed assets as immutable, and a missing one as 404', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/ui/assets/app-ABC123.js' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toContain('immutable')
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP)
    const missing = await ctx.app.inject({ method: 'GET', url: '/ui/assets/app-NOPE.js' })
    expect(missing.statusCode).toBe(404)
  })
  it('says the console is not built when its folder has no index.html', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'console-empty-'))
    const other = await setup({ env: { CONSOLE_DIR: empty } })
    try {
      const res = await other.app.inject({ method: 'GET', url: '/ui/' })
      expect(res.statusCode).toBe(503)
      expect(res.body).toContain('pnpm build')
    } finally {
      await other.close()
      await rm(empty, { recursive: true, force: true })
    }
  })
})
