import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, setup, type TestContext } from './helper.ts'

// Input hygiene (issue 10, item 3): X-Request-Id.

let ctx: TestContext
const fx = { workflowId: '', scheduleId: '', eventTriggerId: '', hookId: '', hookSecret: '', executionId: '' }
const editor = () => ctx.auth('acme', 'editor')

beforeAll(async () => {
  ctx = await setup()
  fx.workflowId = (await createWorkflow(ctx, 'acme', 'hygiene')).id
  const schedule = await ctx.app.inject({
    method: 'POST',
    url: '/api/schedules',
    headers: editor(),
    payload: { workflowId: fx.workflowId, name: 'nightly', cronExpression: '0 0 * * *' },
  })
  expect(schedule.statusCode, schedule.body).toBe(201)
  fx.scheduleId = schedule.json().id
  const eventTrigger = await ctx.app.inject({
    method: 'POST',
    url: '/api/triggers',
    headers: editor(),
    payload: { type: 'event', workflowId: fx.workflowId, name: 'orders', eventType: 'order.*' },
  })
  expect(eventTrigger.statusCode, eventTrigger.body).toBe(201)
  fx.eventTriggerId = eventTrigger.json().id
  const hook = await ctx.app.inject({
    method: 'POST',
    url: '/api/triggers',
    headers: editor(),
    payload: { type: 'webhook', workflowId: fx.workflowId, name: 'hook' },
  })
  expect(hook.statusCode, hook.body).toBe(201)
  fx.hookId = hook.json().id
  fx.hookSecret = hook.json().secret
  const manual = await ctx.app.inject({
    method: 'POST',
    url: `/api/schedules/${fx.scheduleId}/trigger`,
    headers: editor(),
    payload: {},
  })
  expect(manual.statusCode, manual.body).toBe(202)
  fx.executionId = manual.json().executionId
})
afterAll(() => ctx?.close())

describe('X-Request-Id', () => {
  it("echoes the client's id when it is 1-128 characters of [A-Za-z0-9._:-]", async () => {
    for (const id of ['a', 'abc-123:x.y_z', 'x'.repeat(128)]) {
      const res = await ctx.app.inject({ url: '/healthz', headers: { 'x-request-id': id } })
      expect(res.headers['x-request-id']).toBe(id)
    }
  })

  it('generates one otherwise, and on every response', async () => {
    const seen = new Set<string>()
    for (const id of [undefined, '', 'x'.repeat(129), 'has space', 'semi;colon', 'é']) {
      const res = await ctx.app.inject({
        url: '/healthz',
        headers: id === undefined ? {} : { 'x-request-id': id },
      })
      const header = String(res.headers['x-request-id'])
      expect(header).toMatch(/^[0-9a-f-]{36}$/)
      seen.add(header)
    }
    expect(seen.size).toBe(6)
  })

  it('is the requestId of problem bodies (401, 404, 400, 415 and a /hooks 401)', async () => {
    const id = 'trace-42'
    const responses = [
      await ctx.app.inject({ url: '/api/workflows', headers: { 'x-request-id': id } }),
      await ctx.app.inject({ url: '/nowhere', headers: { 'x-request-id': id } }),
      await ctx.app.inject({
        method: 'POST',
        url: '/api/workflows',
        headers: { ...editor(), 'x-request-id': id },
        payload: { name: 1 },
      }),
      await ctx.app.inject({
        method: 'POST',
        url: '/api/workflows',
        headers: { ...editor(), 'x-request-id': id, 'content-type': 'text/plain' },
        payload: 'hello',
      }),
      await ctx.app.inject({
        method: 'POST',
        url: `/hooks/${fx.hookId}`,
        headers: { 'x-request-id': id, 'content-type': 'application/json' },
        payload: '{}',
      }),
    ]
    expect(responses.map((r) => r.statusCode)).toEqual([401, 404, 400, 415, 401])
    for (const res of responses) {
      expect(res.headers['x-request-id']).toBe(id)
      expect(res.json().requestId).toBe(id)
    }
  })

  it('is in every log line about the request', async () => {
    const lines: Record<string, unknown>[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
        done()
      },
    })
    const logged = await setup({ logger: { level: 'debug', stream } })
    try {
      lines.length = 0
      const res = await logged.app.inject({
        method: 'POST',
        url: '/api/workflows',
        headers: { ...logged.auth('acme', 'editor'), 'x-request-id': 'logged-1' },
        payload: { name: 'x', steps: [] },
      })
      expect(res.statusCode).toBe(400)
      expect(lines.length).toBeGreaterThanOrEqual(3) // incoming request, the 400, request completed
      for (const line of lines) expect(line['reqId'], JSON.stringify(line)).toBe('logged-1')
    } finally {
      await logged.close()
    }
  })
})
