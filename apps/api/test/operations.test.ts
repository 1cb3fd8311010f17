import { readFile } from 'node:fs/promises'
import { ErrorCodes } from '@punctual/core'
import { sleep } from '@punctual/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inlineRefs, setup, type TestContext } from './helper.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup({ env: { API_RATE_LIMIT_PER_MINUTE: '3' } })
})
afterAll(async () => {
  await ctx?.close()
})

describe('operations routes', () => {
  it('serves /healthz and /readyz without a token', async () => {
    expect((await ctx.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const ready = await ctx.app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready', postgres: 'up', redis: 'up' })
  })

  it('serves the OpenAPI document and the docs UI', async () => {
    const doc = await ctx.app.inject({ url: '/openapi.json' })
    expect(doc.statusCode).toBe(200)
    const spec = inlineRefs(doc.json())
    expect(spec.openapi).toMatch(/^3\./)
    for (const path of [
      '/api/workflows',
      '/api/workflows/{id}',
      '/api/schedules',
      '/api/schedules/{id}',
      '/api/schedules/{id}/pause',
      '/api/schedules/{id}/resume',
      '/api/schedules/{id}/status',
      '/api/cron/preview',
    ]) {
      expect(spec.paths, path).toHaveProperty([path])
    }
    expect(
      spec.paths['/api/schedules'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('cronExpression')
    const ui = await ctx.app.inject({ url: '/docs' })
    expect([200, 302]).toContain(ui.statusCode)
  })

  it('serves Prometheus metrics', async () => {
    const res = await ctx.app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('punctual_api_http_request_duration_seconds')
  })

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await ctx.app.inject({ url: '/api/nothing-here', headers: ctx.auth() })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
  })

  it('documents every error code in the README', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8')
    for (const code of Object.keys(ErrorCodes)) expect(readme, code).toContain(code)
  })
})

describe('rate limiting', () => {
  it('limits per tenant, answers 429 with Retry-After, and keeps tenants apart', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await ctx.app.inject({ url: '/api/workflows', headers: ctx.auth('limited') })).statusCode,
      )
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    const limited = await ctx.app.inject({ url: '/api/workflows', headers: ctx.auth('limited') })
    expect(limited.statusCode).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/)
    expect((await ctx.app.inject({ url: '/api/workflows', headers: ctx.auth('unlimited') })).statusCode).toBe(
      200,
    )
  })

  it('is shared by every API replica through Redis', async () => {
    const replica = await setup({ env: { API_RATE_LIMIT_PER_MINUTE: '3' }, shareRedisWith: ctx })
    try {
      const headers = ctx.auth('shared')
      const statuses = [
        (await ctx.app.inject({ url: '/api/workflows', headers })).statusCode,
        (await replica.app.inject({ url: '/api/workflows', headers })).statusCode,
        (await ctx.app.inject({ url: '/api/workflows', headers })).statusCode,
        (await replica.app.inject({ url: '/api/workflows', headers })).statusCode,
      ]
      expect(statuses).toEqual([200, 200, 200, 429])
    } finally {
      await replica.close()
    }
  })
})

describe('rate limit counting far from the limit', () => {
  it('counts requests locally and adds them to Redis in batches, exactly', async () => {
    const roomy = await setup({ env: { API_RATE_LIMIT_PER_MINUTE: '1000' } })
    try {
      const headers = roomy.auth('batched')
      const statuses = await Promise.all(
        Array.from({ length: 60 }, () =>
          roomy.app.inject({ url: '/api/workflows', headers }).then((r) => r.statusCode),
        ),
      )
      expect(statuses.every((s) => s === 200)).toBe(true)
      const key = `${roomy.app.deps.keys.rateLimit}tenant:batched`
      let counted = 0
      for (let i = 0; i < 50 && counted !== 60; i++) {
        await sleep(20)
        counted = Number(await roomy.redis.redis.get(key))
      }
      expect(counted).toBe(60)
      expect(await roomy.redis.redis.pttl(key)).toBeGreaterThan(50_000)
    } finally {
      await roomy.close()
    }
  })
})

describe('cron preview', () => {
  it('previews the next runs strictly after `from` and says whether the schedule is a wildcard', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/cron/preview',
      headers: ctx.auth('preview', 'viewer'),
      payload: {
        expression: '30 2 * * *',
        timezone: 'America/New_York',
        from: '2026-03-07T12:00:00Z',
        count: 3,
      },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      nextRuns: ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z'],
      wildcard: false,
    })
    const wild = await ctx.app.inject({
      method: 'POST',
      url: '/api/cron/preview',
      headers: ctx.auth('preview', 'viewer'),
      payload: { expression: '*/15 * * * *' },
    })
    expect(wild.json().nextRuns).toHaveLength(5)
    expect(wild.json().wildcard).toBe(true)
  })

  it('answers 422 naming the field for a bad expression or zone, 400 for a bad count', async () => {
    const bad = await ctx.app.inject({
      method: 'POST',
      url: '/api/cron/preview',
      headers: ctx.auth('preview2'),
      payload: { expression: '0 0 * 13 *' },
    })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().errors[0]).toMatchObject({
      path: 'body.expression',
      message: expect.stringMatching(/month/),
    })
    const zone = await ctx.app.inject({
      method: 'POST',
      url: '/api/cron/preview',
      headers: ctx.auth('preview2'),
      payload: { expression: '0 0 * * *', timezone: 'Nope/Nope' },
    })
    expect(zone.statusCode).toBe(422)
    expect(zone.json().errors[0].path).toBe('body.timezone')
    const count = await ctx.app.inject({
      method: 'POST',
      url: '/api/cron/preview',
      headers: ctx.auth('preview2'),
      payload: { expression: '0 0 * * *', count: 101 },
    })
    expect(count.statusCode).toBe(400)
  })
})
