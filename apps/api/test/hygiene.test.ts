import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { signStandardWebhook } from '@punctual/core/testing'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clipForJson } from '../src/plugins/errors.ts'
import { createWorkflow, httpStep, setup, type TestContext } from './helper.ts'

// Input hygiene (issue 10, item 3): bounded error bodies, JSON hygiene on every JSON route, X-Request-Id,
// rate limits counting every authenticated request and failed authentications per address.

const MAX_PROBLEM_BYTES = 16 * 1024

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

const TABLES = [
  'workflows',
  'schedules',
  'triggers',
  'executions',
  'audit_log',
  'event_receipts',
  'webhook_deliveries',
  'event_outbox',
]

/** Every row the API could have written, to show that a refused request wrote nothing. */
async function snapshot(): Promise<string> {
  const out: Record<string, unknown> = {}
  for (const table of TABLES) {
    out[table] = await ctx.database.sql.unsafe(`select t::text as row from ${table} as t order by t::text`)
  }
  return JSON.stringify(out)
}

/** JSON text of `body`, with RAW_MARKER replaced by bytes that are not UTF-8 (an unpaired surrogate, ED A0 80). */
const RAW_MARKER = '@@raw-surrogate@@'
function encode(body: unknown): string | Buffer {
  const text = JSON.stringify(body)
  if (!text.includes(RAW_MARKER)) return text
  const [before, after] = text.split(RAW_MARKER) as [string, string]
  return Buffer.concat([Buffer.from(before), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(after)])
}

/** m objects nested in one another: `{ a: { a: … {} } }`. */
function nest(m: number): unknown {
  let value: Record<string, unknown> = {}
  for (let i = 1; i < m; i++) value = { a: value }
  return value
}

interface JsonRoute {
  family: string
  method: 'POST' | 'PUT' | 'PATCH'
  /** With `:workflow`, `:schedule`, `:trigger` or `:execution` for the fixtures' ids. */
  url: string
  /** A valid body of the route with `x` at `path`. */
  body: (x: unknown) => unknown
  path: string
  /** How many containers (the body itself included) hold `x`. */
  depth: number
}

const name = () => `n-${randomUUID()}`
const resolve = (url: string) =>
  url
    .replace(':workflow', fx.workflowId)
    .replace(':schedule', fx.scheduleId)
    .replace(':trigger', fx.eventTriggerId)
    .replace(':execution', fx.executionId)
const ROUTES: JsonRoute[] = [
  {
    family: 'workflows',
    method: 'POST',
    url: '/api/workflows',
    body: (x) => ({ name: name(), steps: [{ ...httpStep(), body: x }] }),
    path: 'body.steps.0.body',
    depth: 3,
  },
  {
    family: 'workflows',
    method: 'PUT',
    url: '/api/workflows/:workflow',
    body: (x) => ({ name: name(), steps: [{ ...httpStep(), body: x }] }),
    path: 'body.steps.0.body',
    depth: 3,
  },
  {
    family: 'workflows',
    method: 'PATCH',
    url: '/api/workflows/:workflow',
    body: (x) => ({ steps: [{ ...httpStep(), body: x }] }),
    path: 'body.steps.0.body',
    depth: 3,
  },
  {
    family: 'schedules',
    method: 'POST',
    url: '/api/schedules',
    body: (x) => ({ workflowId: fx.workflowId, name: name(), cronExpression: '0 0 * * *', input: { x } }),
    path: 'body.input.x',
    depth: 2,
  },
  {
    family: 'schedules',
    method: 'PATCH',
    url: '/api/schedules/:schedule',
    body: (x) => ({ input: { x } }),
    path: 'body.input.x',
    depth: 2,
  },
  {
    family: 'schedules',
    method: 'POST',
    url: '/api/schedules/:schedule/pause',
    body: (x) => ({ note: x }),
    path: 'body.note',
    depth: 1,
  },
  {
    family: 'triggers',
    method: 'POST',
    url: '/api/triggers',
    body: (x) => ({
      type: 'event',
      workflowId: fx.workflowId,
      name: name(),
      eventType: 'order.*',
      filter: { x },
    }),
    path: 'body.filter.x',
    depth: 2,
  },
  {
    family: 'triggers',
    method: 'PATCH',
    url: '/api/triggers/:trigger',
    body: (x) => ({ filter: { x } }),
    path: 'body.filter.x',
    depth: 2,
  },
  {
    family: 'events',
    method: 'POST',
    url: '/api/events',
    body: (x) => ({ type: 'order.created', data: { x } }),
    path: 'body.data.x',
    depth: 2,
  },
  {
    family: 'executions',
    method: 'POST',
    url: '/api/schedules/:schedule/trigger',
    body: (x) => ({ input: { x } }),
    path: 'body.input.x',
    depth: 2,
  },
  {
    family: 'executions',
    method: 'POST',
    url: '/api/executions/:execution/cancel',
    body: (x) => ({ x }),
    path: 'body.x',
    depth: 1,
  },
  {
    family: 'cron preview',
    method: 'POST',
    url: '/api/cron/preview',
    body: (x) => ({ expression: '0 0 * * *', from: x }),
    path: 'body.from',
    depth: 1,
  },
]

interface BadJson {
  name: string
  reason: 'nul' | 'surrogate' | 'depth'
  /** The bad value, for a slot `depth` containers deep. */
  value: (depth: number) => unknown
  /** What follows the slot's path in the error. */
  suffix: (depth: number) => string
  message: RegExp
}

const HUGE_KEY = 'k'.repeat(200_000)
const BAD_JSON: BadJson[] = [
  {
    name: 'a NUL character (\\u0000)',
    reason: 'nul',
    value: () => 'a\u0000b',
    suffix: () => '',
    message: /NUL/,
  },
  {
    name: 'a NUL character in a key',
    reason: 'nul',
    value: () => ({ ok: 1, 'k\u0000': 1 }),
    suffix: () => '.k\ufffd',
    message: /key .*NUL/,
  },
  {
    name: 'an unpaired high surrogate (\\ud800)',
    reason: 'surrogate',
    value: () => 'a\ud800b',
    suffix: () => '',
    message: /unpaired UTF-16 surrogate/,
  },
  {
    name: 'an unpaired low surrogate (\\udc00) in a key',
    reason: 'surrogate',
    value: () => ({ '\udc00': 1 }),
    suffix: () => '.\ufffd',
    message: /key .*surrogate/,
  },
  {
    name: 'an unpaired surrogate as raw bytes (ED A0 80)',
    reason: 'surrogate',
    value: () => `a${RAW_MARKER}b`,
    suffix: () => '',
    message: /surrogate/,
  },
  {
    name: 'a 33rd level of nesting',
    reason: 'depth',
    value: (depth) => nest(33 - depth),
    suffix: (depth) => '.a'.repeat(32 - depth),
    message: /deeper than 32 levels/,
  },
  {
    name: 'a NUL in a 200 KB key (the answer stays small)',
    reason: 'nul',
    value: () => ({ [`${HUGE_KEY}\u0000`]: 1 }),
    suffix: () => `.${'k'.repeat(63)}…`,
    message: /key .*NUL/,
  },
]

function expectProblem(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  status: number,
) {
  expect(res.statusCode, res.body.slice(0, 2000)).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(Buffer.byteLength(res.body)).toBeLessThanOrEqual(MAX_PROBLEM_BYTES)
  const body = JSON.parse(res.body)
  expect(body.requestId).toBe(res.headers['x-request-id'])
  return body as { code: string; detail: string; errors?: { path: string; message: string }[] }
}

describe('JSON hygiene on every JSON route: 400 naming the path, nothing written', () => {
  for (const route of ROUTES) {
    it(`${route.family}: ${route.method} ${route.url}`, async () => {
      const before = await snapshot()
      for (const bad of BAD_JSON) {
        const res = await ctx.app.inject({
          method: route.method,
          url: resolve(route.url),
          headers: { ...editor(), 'content-type': 'application/json' },
          payload: encode(route.body(bad.value(route.depth))),
        })
        const problem = expectProblem(res, 400)
        expect(problem.code, bad.name).toBe('SCHED_ERR_JSON_UNSUPPORTED')
        expect(problem.errors, bad.name).toEqual([
          { path: route.path + bad.suffix(route.depth), message: expect.stringMatching(bad.message) },
        ])
      }
      expect(await snapshot()).toBe(before)
    })
  }

  it('accepts 32 levels, surrogate pairs and U+FFFD, and stays linear on a 100,000-level body', async () => {
    const ok = await ctx.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: editor(),
      payload: {
        workflowId: fx.workflowId,
        name: 'deep-but-fine 😀',
        cronExpression: '0 0 * * *',
        input: { x: nest(32 - 2), '😀 key': 'pair 😀 and \ufffd' },
      },
    })
    expect(ok.statusCode, ok.body).toBe(201)
    expect(ok.json().input['😀 key']).toBe('pair 😀 and \ufffd')

    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: { ...editor(), 'content-type': 'application/json' },
      payload: deep,
    })
    const problem = expectProblem(res, 400)
    expect(problem.code).toBe('SCHED_ERR_JSON_UNSUPPORTED')
    expect(problem.errors?.[0]?.path).toBe(`body${'.a'.repeat(32)}`)
  })
})

/** A signed Standard Webhooks delivery of these exact bytes. */
function signed(body: string | Buffer, secret = fx.hookSecret) {
  const id = `msg_${randomUUID()}`
  const timestamp = Math.floor(Date.now() / 1000)
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook({ secret, id, timestamp, body }),
  }
}

async function bodyRejections(): Promise<Record<string, number>> {
  const res = await ctx.app.inject({ method: 'GET', url: '/metrics' })
  const out: Record<string, number> = { depth: 0, nul: 0, surrogate: 0 }
  for (const m of res.body.matchAll(
    /^punctual_api_webhook_body_rejections_total\{reason="(\w+)"\} (\d+)/gm,
  )) {
    out[m[1] as string] = Number(m[2])
  }
  return out
}

describe('JSON hygiene on /hooks: after the signature check, counted by reason', () => {
  it('answers 400 naming the path for a verified body, and counts it', async () => {
    const before = await snapshot()
    for (const bad of BAD_JSON) {
      const counts = await bodyRejections()
      const payload = encode({ x: bad.value(1) })
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/hooks/${fx.hookId}`,
        headers: signed(payload),
        payload,
      })
      const problem = expectProblem(res, 400)
      expect(problem.code, bad.name).toBe('SCHED_ERR_JSON_UNSUPPORTED')
      expect(problem.errors, bad.name).toEqual([
        { path: `body.x${bad.suffix(1)}`, message: expect.stringMatching(bad.message) },
      ])
      expect(await bodyRejections(), bad.name).toEqual({ ...counts, [bad.reason]: counts[bad.reason]! + 1 })
    }
    expect(await snapshot()).toBe(before)
  })

  it('checks the signature first: a badly signed body of the same kind is 401 and not counted', async () => {
    const counts = await bodyRejections()
    const payload = encode({ x: 'a\u0000b' })
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/hooks/${fx.hookId}`,
      headers: signed(payload, `whsec_${Buffer.alloc(24, 7).toString('base64')}`),
      payload,
    })
    expect(expectProblem(res, 401).code).toBe('SCHED_ERR_WEBHOOK_SIGNATURE')
    expect(await bodyRejections()).toEqual(counts)
  })

  it('still accepts a verified body with surrogate pairs', async () => {
    const payload = JSON.stringify({ x: 'pair 😀' })
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/hooks/${fx.hookId}`,
      headers: signed(payload),
      payload,
    })
    expect(res.statusCode, res.body).toBe(202)
  })
})

const unknownKeys = (n: number, length = 1000) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}-${'x'.repeat(length)}`, i]))

interface ManyErrors {
  family: string
  /** With `:workflow`, `:schedule`, `:trigger` or `:execution` for the fixtures' ids. */
  url: string
  body: () => Record<string, unknown>
}
const MANY_ERRORS: ManyErrors[] = [
  {
    family: 'workflows',
    url: '/api/workflows',
    body: () => ({
      name: name(),
      steps: Array.from({ length: 1000 }, () => ({ type: 'http', name: '!', method: 'NOPE', url: '' })),
    }),
  },
  {
    family: 'schedules',
    url: '/api/schedules',
    body: () => ({
      workflowId: fx.workflowId,
      name: name(),
      cronExpression: '0 0 * * *',
      ...unknownKeys(1000),
    }),
  },
  {
    family: 'triggers',
    url: '/api/triggers',
    body: () => ({
      type: 'event',
      workflowId: fx.workflowId,
      name: name(),
      eventType: 'a.*',
      ...unknownKeys(1000),
    }),
  },
  {
    family: 'events',
    url: '/api/events',
    body: () => ({ type: 'order.created', data: {}, ...unknownKeys(1000) }),
  },
  {
    family: 'executions',
    url: '/api/schedules/:schedule/trigger',
    body: () => unknownKeys(1000),
  },
  {
    family: 'cron preview',
    url: '/api/cron/preview',
    body: () => ({ expression: '* * * * *', ...unknownKeys(1000) }),
  },
]

describe('error lists: at most 20 entries, at most 16 KiB, and `detail` says when there were more', () => {
  for (const route of MANY_ERRORS) {
    it(`${route.family}: POST ${route.url} with 1,000 errors and long keys`, async () => {
      const before = await snapshot()
      const res = await ctx.app.inject({
        method: 'POST',
        url: resolve(route.url),
        headers: editor(),
        payload: route.body(),
      })
      const problem = expectProblem(res, 400)
      expect(problem.code).toBe('SCHED_ERR_VALIDATION')
      expect(problem.errors).toHaveLength(20)
      expect(problem.detail).toMatch(/more errors/)
      expect(await snapshot()).toBe(before)
    })
  }

  it('answers a 600 KB body of invalid steps with the first 20 errors in a small body', async () => {
    const step = {
      type: 'http',
      name: 'not a name!',
      method: 'NOPE',
      url: '',
      timeoutMs: -1,
      extra: 'x'.repeat(20),
    }
    const steps = Array.from({ length: 6000 }, () => step)
    const payload = JSON.stringify({ name: 'x'.repeat(300), steps, more: true })
    expect(payload.length).toBeGreaterThan(600_000)
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: { ...editor(), 'content-type': 'application/json' },
      payload,
    })
    const problem = expectProblem(res, 400)
    expect(problem.errors).toHaveLength(20)
    expect(problem.errors?.slice(0, 3)).toEqual([
      { path: 'body.more', message: 'is not a known property' },
      { path: 'body.name', message: 'must NOT have more than 200 characters' },
      { path: 'body.steps', message: 'must NOT have more than 100 items' },
    ])
    expect(problem.errors?.[3]?.path).toMatch(/^body\.steps\.0\./)
    expect(problem.detail).toMatch(/more errors/)
  })

  it('lists 20 errors without a "more" at exactly 20, and says "more" at 21', async () => {
    const post = (n: number) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/schedules',
        headers: editor(),
        payload: {
          workflowId: fx.workflowId,
          name: name(),
          cronExpression: '0 0 * * *',
          ...unknownKeys(n, 1),
        },
      })
    const twenty = expectProblem(await post(20), 400)
    expect(twenty.errors).toHaveLength(20)
    expect(twenty.detail).not.toMatch(/more errors/)
    const more = expectProblem(await post(21), 400)
    expect(more.errors).toHaveLength(20)
    expect(more.detail).toMatch(/more errors/)
  })

  it('still lists every error of a small body, unions merged', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: editor(),
      payload: {
        workflowId: 'nope',
        name: '',
        cronExpression: '0 0 * * *',
        priority: 12,
        retryPolicy: { maxAttempts: 0, jitter: 'some' },
        endDate: 5,
      },
    })
    const problem = expectProblem(res, 400)
    expect(problem.detail).not.toMatch(/more errors/)
    expect(problem.errors).toEqual([
      { path: 'body.workflowId', message: 'must match format "uuid"' },
      { path: 'body.name', message: 'must NOT have fewer than 1 characters' },
      { path: 'body.endDate', message: 'must be string or null' },
      { path: 'body.priority', message: 'must be <= 9' },
      { path: 'body.retryPolicy.maxAttempts', message: 'must be >= 1' },
      { path: 'body.retryPolicy.jitter', message: 'must be one of "full", "none"' },
    ])
  })

  it('clips text to a byte budget of its JSON form, escapes included', () => {
    expect(clipForJson('short', 16)).toBe('short')
    const clipped = clipForJson('\u0001'.repeat(1000), 64)
    expect(Buffer.byteLength(JSON.stringify(clipped))).toBeLessThanOrEqual(66)
    expect(clipped.endsWith('…')).toBe(true)
    // A surrogate pair is never cut in half.
    const emoji = clipForJson('😀'.repeat(100), 41)
    expect(emoji).toBe(`${'😀'.repeat(9)}…`)
  })
})

/** A pino destination that keeps the parsed log lines in `lines`. */
function logStream(lines: Record<string, unknown>[]) {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
}

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

  it('is the requestId of problem bodies (401, 404, 400, 415, a /hooks 401, a malformed URL)', async () => {
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
    // Answered by Fastify before any hook: a malformed %-escape, a path parameter over 100 characters.
    responses.push(await ctx.app.inject({ url: '/api/%zz', headers: { 'x-request-id': id } }))
    responses.push(
      await ctx.app.inject({
        url: `/api/workflows/${'a'.repeat(150)}`,
        headers: { ...editor(), 'x-request-id': id },
      }),
    )
    expect(responses.map((r) => r.statusCode)).toEqual([401, 404, 400, 415, 401, 400, 404])
    for (const res of responses) {
      expect(res.headers['x-request-id']).toBe(id)
      expect(res.json().requestId).toBe(id)
    }
  })

  it('is in every log line about the request', async () => {
    const lines: Record<string, unknown>[] = []
    const logged = await setup({ logger: { level: 'debug', stream: logStream(lines) } })
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

describe('rate limits: every authenticated request counts, failed authentications per address', () => {
  let limited: TestContext
  beforeAll(async () => {
    limited = await setup({ env: { API_RATE_LIMIT_PER_MINUTE: '5', API_UNAUTH_RATE_LIMIT_PER_MINUTE: '3' } })
  })
  afterAll(() => limited?.close())

  it("counts requests answered 4xx toward the tenant's limit, before the body is looked at", async () => {
    const as = (role: 'viewer' | 'editor') => limited.auth('fourxx', role)
    const statuses = [
      // 400 (schema), 400 (JSON hygiene), 403 (role), 404 (unknown id), 404 (unknown route)
      await limited.app.inject({ method: 'POST', url: '/api/workflows', headers: as('editor'), payload: {} }),
      await limited.app.inject({
        method: 'POST',
        url: '/api/events',
        headers: as('editor'),
        payload: { type: 'a', data: { x: 'a\u0000' } },
      }),
      await limited.app.inject({ method: 'POST', url: '/api/workflows', headers: as('viewer'), payload: {} }),
      await limited.app.inject({ url: `/api/workflows/${randomUUID()}`, headers: as('viewer') }),
      await limited.app.inject({ url: '/api/nothing-here', headers: as('viewer') }),
    ].map((r) => r.statusCode)
    expect(statuses).toEqual([400, 400, 403, 404, 404])
    const over = await limited.app.inject({ url: '/api/workflows', headers: as('viewer') })
    expect(expectProblem(over, 429).code).toBe('SCHED_ERR_RATE_LIMITED')
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
    // Past the limit even a bad body is refused by the limit, not by the schema.
    const bad = await limited.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: as('editor'),
      payload: {},
    })
    expect(bad.statusCode).toBe(429)
    expect(
      (await limited.app.inject({ url: '/api/workflows', headers: limited.auth('other') })).statusCode,
    ).toBe(200)
    // The count is kept in Redis per tenant.
    const key = limited.app.deps.keys.rateLimitTenant('fourxx')
    expect(Number(await limited.redis.redis.get(key))).toBeGreaterThanOrEqual(5)
  })

  it('answers 429 instead of 401 past the failed authentications of an address; valid credentials still pass', async () => {
    const from = (remoteAddress: string, authorization?: string) =>
      limited.app.inject({
        url: '/api/workflows',
        remoteAddress,
        headers: authorization === undefined ? {} : { authorization },
      })
    const forged = `Bearer ${limited.token('acme', 'admin').slice(0, -4)}AAAA`
    const statuses = [
      (await from('10.0.0.1', forged)).statusCode,
      (await from('10.0.0.1')).statusCode,
      (await from('10.0.0.1', 'Bearer nonsense')).statusCode,
    ]
    expect(statuses).toEqual([401, 401, 401])
    for (const authorization of [forged, undefined]) {
      const res = await from('10.0.0.1', authorization)
      expect(expectProblem(res, 429).code).toBe('SCHED_ERR_RATE_LIMITED')
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    }
    // Valid credentials from that address are never refused by this limit (nor counted by it).
    for (let i = 0; i < 3; i++) {
      expect((await from('10.0.0.1', `Bearer ${limited.token(`valid-${i}`)}`)).statusCode).toBe(200)
    }
    // Another address has its own count; the count is kept in Redis per address.
    expect((await from('10.0.0.2', forged)).statusCode).toBe(401)
    const key = limited.app.deps.keys.rateLimitUnauth('10.0.0.1')
    expect(Number(await limited.redis.redis.get(key))).toBe(5)
  })
})

describe('with Redis unreachable', () => {
  let proxy: TcpProxy
  let down: TestContext
  const lines: Record<string, unknown>[] = []
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    down = await setup({
      redisUrl: (base) => proxy.url(base.url),
      env: { API_RATE_LIMIT_PER_MINUTE: '1', API_UNAUTH_RATE_LIMIT_PER_MINUTE: '1' },
      logger: { level: 'warn', stream: logStream(lines) },
    })
  })
  afterAll(async () => {
    await down?.close()
    await proxy?.close()
  })

  it('rate limits fail open: failed authentications stay 401 and reads keep working', async () => {
    proxy.cut()
    try {
      for (let i = 0; i < 3; i++) {
        const failed = await down.app.inject({
          url: '/api/workflows',
          headers: { authorization: 'Bearer x' },
        })
        expect(failed.statusCode).toBe(401)
        expect(
          (await down.app.inject({ url: '/api/workflows', headers: down.auth('open') })).statusCode,
        ).toBe(200)
      }
    } finally {
      proxy.restore()
    }
  })

  it("a service's log line about a request carries the request id", async () => {
    proxy.cut()
    try {
      lines.length = 0
      const res = await down.app.inject({
        url: '/api/schedules/stats',
        headers: { ...down.auth('stats'), 'x-request-id': 'stats-1' },
      })
      expect(res.statusCode).toBe(200)
      const warned = lines.filter((l) => String(l['msg']).includes('Redis unavailable'))
      expect(warned.length).toBeGreaterThan(0)
      for (const line of warned) expect(line['reqId']).toBe('stats-1')
    } finally {
      proxy.restore()
    }
  })
})
