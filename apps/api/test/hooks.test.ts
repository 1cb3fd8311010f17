import { randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateWebhookSecret, signGithubWebhook } from '@punctual/core'
import { sleep } from '@punctual/core/testing'
import { createAuditRepo } from '@punctual/db'
import { createExecutionQueue } from '@punctual/queue'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { triggerSecretAt } from '../src/services/trigger-secrets.ts'
import { setup, type TestContext } from './helper.ts'
import { type HookTriggerValues, insertHookTrigger, insertTrigger } from './trigger-rows.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup({ env: { TRIGGER_CACHE_TTL_MS: '0' }, ownRedisDb: true })
})
afterAll(() => ctx?.close())

const hook = (values: Partial<HookTriggerValues> = {}, tenant = 'acme') =>
  insertHookTrigger(ctx, tenant, { secret: generateWebhookSecret(), ...values })

interface Signed {
  headers: Record<string, string>
  payload: string | Buffer
}

/** Signed by the official standardwebhooks package, as a Standard Webhooks sender does. */
function standard(secret: string, body: string | Buffer, opts: { id?: string; at?: Date } = {}): Signed {
  const id = opts.id ?? `msg_${randomUUID()}`
  const at = opts.at ?? new Date()
  return {
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
    payload: body,
  }
}

function github(secret: string, body: string, delivery: string = randomUUID()): Signed {
  return {
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': delivery,
      'x-github-event': 'push',
      'x-hub-signature-256': signGithubWebhook(secret, body),
    },
    payload: body,
  }
}

const deliver = (triggerId: string, signed: Signed, app = ctx.app) =>
  app.inject({ method: 'POST', url: `/hooks/${triggerId}`, headers: signed.headers, payload: signed.payload })

async function executionsOf(triggerId: string, tenant = 'acme') {
  const res = await ctx.app.inject({
    method: 'GET',
    url: `/api/executions?triggerId=${triggerId}`,
    headers: ctx.auth(tenant, 'viewer'),
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items as { id: string; kind: string; input: unknown; status: string }[]
}

/** The verification counter as /metrics shows it, per result. */
async function verifications(): Promise<Record<string, number>> {
  const res = await ctx.app.inject({ method: 'GET', url: '/metrics' })
  const out: Record<string, number> = {}
  for (const m of res.body.matchAll(/^punctual_api_webhook_verifications_total\{([^}]*)\} (\d+)/gm)) {
    const result = /result="([^"]+)"/.exec(m[1]!)![1]!
    out[result] = (out[result] ?? 0) + Number(m[2])
  }
  return out
}
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

describe('POST /hooks/:triggerId (standard scheme)', () => {
  it('accepts a delivery signed by the standardwebhooks package: 202 with a queued webhook execution', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret, priority: 8 })
    const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 12.5, lines: [1, 2] } })
    const res = await deliver(t.id, standard(secret, body))
    expect(res.statusCode, res.body).toBe(202)
    const { executionId } = res.json()
    const [execution] = await executionsOf(t.id)
    expect(execution).toMatchObject({
      id: executionId,
      kind: 'webhook',
      triggerId: t.id,
      workflowId: t.workflowId,
      scheduleId: null,
      status: 'queued',
      priority: 8,
      input: JSON.parse(body),
    })
    const queued = await createExecutionQueue(ctx.redis.redis, ctx.redis.keys).get(executionId)
    expect(queued).toMatchObject({ id: executionId, kind: 'webhook', priority: 8 })
  })

  it('accepts an unprefixed key, several signatures, and a JSON content type with parameters', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret })
    const body = '{"ok":true}'
    const signed = standard(secret, body)
    signed.headers['webhook-signature'] =
      `v1,${Buffer.alloc(32).toString('base64')} ${signed.headers['webhook-signature']}`
    signed.headers['content-type'] = 'application/json; charset=utf-8'
    expect((await deliver(t.id, signed)).statusCode).toBe(202)
  })

  it('refuses every unsigned, mis-signed or stale delivery with 401 problem+json, starting nothing', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret })
    const body = '{"order": {"id": 7,  "total": 10}}'
    const before = await verifications()
    const tampered = Buffer.from(body)
    tampered[tampered.length - 3] = '9'.charCodeAt(0)
    const wrongLength = standard(secret, body)
    wrongLength.headers['webhook-signature'] = 'v1,c2hvcnQ='
    const notBase64 = standard(secret, body)
    notBase64.headers['webhook-signature'] = 'v1,@@@@'
    const otherVersion = standard(secret, body)
    otherVersion.headers['webhook-signature'] = otherVersion.headers['webhook-signature']!.replace(
      'v1,',
      'v2,',
    )
    const badTimestamp = standard(secret, body)
    badTimestamp.headers['webhook-timestamp'] = 'yesterday'
    const idChanged = standard(secret, body)
    idChanged.headers['webhook-id'] = 'msg_other'
    const cases: [string, Signed][] = [
      ['wrong key', standard(generateWebhookSecret(), body)],
      ['one changed byte', { ...standard(secret, body), payload: tampered }],
      ['re-serialized body', { ...standard(secret, body), payload: JSON.stringify(JSON.parse(body)) }],
      ['6 minutes old', standard(secret, body, { at: new Date(Date.now() - 6 * 60_000) })],
      ['6 minutes ahead', standard(secret, body, { at: new Date(Date.now() + 6 * 60_000) })],
      ['signature of the wrong length', wrongLength],
      ['signature not base64', notBase64],
      ['only an unknown signature version', otherVersion],
      ['timestamp not a number', badTimestamp],
      ['webhook-id changed after signing', idChanged],
    ]
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const missing = standard(secret, body)
      delete missing.headers[name]
      cases.push([`missing ${name}`, missing])
    }
    cases.push(['no headers at all', { headers: { 'content-type': 'application/json' }, payload: body }])
    for (const [name, signed] of cases) {
      const res = await deliver(t.id, signed)
      expect(res.statusCode, name).toBe(401)
      expect(res.headers['content-type'], name).toContain('application/problem+json')
      expect(res.json(), name).toMatchObject({ status: 401, code: 'SCHED_ERR_WEBHOOK_SIGNATURE' })
    }
    expect(await executionsOf(t.id)).toEqual([])
    // Every failure was counted, by reason.
    const after = await verifications()
    const grew = (r: string) => (after[r] ?? 0) - (before[r] ?? 0)
    expect(grew('invalid-signature')).toBe(7)
    expect(grew('timestamp-too-old')).toBe(1)
    expect(grew('timestamp-too-new')).toBe(1)
    expect(grew('invalid-timestamp')).toBe(1)
    expect(grew('missing-header')).toBe(4)
    expect(grew('ok')).toBe(0)
    // ... and audited in the trigger's tenant, without the body.
    const audit = await createAuditRepo(ctx.database.db).list('acme', { limit: 100 })
    const failures = audit.filter((a) => a.targetId === t.id)
    expect(failures).toHaveLength(cases.length)
    expect(failures[0]).toMatchObject({
      action: 'webhook.verification_failed',
      targetType: 'trigger',
      actor: expect.stringMatching(/^webhook:/),
      details: expect.objectContaining({ scheme: 'standard', reason: expect.any(String) }),
    })
    for (const f of failures) expect(JSON.stringify(f.details)).not.toContain('total')
  })

  it('accepts the previous secret during its grace period after a rotation, and only then', async () => {
    const previous = generateWebhookSecret()
    const current = generateWebhookSecret()
    const inGrace = await hook({
      secret: current,
      previousSecret: previous,
      previousSecretExpiresAt: new Date(Date.now() + 3_600_000),
    })
    const body = '{"n":1}'
    expect((await deliver(inGrace.id, standard(previous, body))).statusCode).toBe(202)
    expect((await deliver(inGrace.id, standard(current, body))).statusCode).toBe(202)
    // A sender mid-switch signs with both: either one passing is enough.
    const both = standard(current, body)
    both.headers['webhook-signature'] = `${new Webhook(previous).sign(
      both.headers['webhook-id']!,
      new Date(Number(both.headers['webhook-timestamp']) * 1000),
      body,
    )} ${both.headers['webhook-signature']}`
    expect((await deliver(inGrace.id, both)).statusCode).toBe(202)

    const expired = await hook({
      secret: current,
      previousSecret: previous,
      previousSecretExpiresAt: new Date(Date.now() - 1000),
    })
    expect((await deliver(expired.id, standard(previous, body))).statusCode).toBe(401)
    expect((await deliver(expired.id, standard(current, body))).statusCode).toBe(202)
  })

  it('starts nothing for a delivery id accepted before (200 deduplicated), also after Redis is flushed', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret })
    const first = standard(secret, '{"a":1}', { id: 'msg_replayed' })
    expect((await deliver(t.id, first)).statusCode).toBe(202)
    const replay = await deliver(t.id, first)
    expect(replay.statusCode, replay.body).toBe(200)
    expect(replay.json()).toEqual({ deduplicated: true })
    // Re-signed later, even with another body: same delivery id, same answer.
    const resent = await deliver(t.id, standard(secret, '{"a":2}', { id: 'msg_replayed' }))
    expect(resent.json()).toEqual({ deduplicated: true })
    await ctx.redis.redis.flushdb()
    const afterFlush = await deliver(t.id, standard(secret, '{"a":1}', { id: 'msg_replayed' }))
    expect(afterFlush.statusCode, afterFlush.body).toBe(200)
    expect(afterFlush.json()).toEqual({ deduplicated: true })
    expect(await executionsOf(t.id)).toHaveLength(1)
    expect((await deliver(t.id, standard(secret, '{"a":1}', { id: 'msg_next' }))).statusCode).toBe(202)
  })

  it('starts one execution for the same delivery sent many times at once', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret })
    const signed = standard(secret, '{"race":true}', { id: 'msg_race' })
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(t.id, signed)))
    expect(answers.map((a) => a.statusCode).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 202,
    ])
    expect(await executionsOf(t.id)).toHaveLength(1)
  })

  it("starts nothing for a body the trigger's filter rejects (200 filtered), and remembers its id", async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret, filter: { action: ['opened'], pull_request: { draft: [false] } } })
    const closed = standard(secret, '{"action":"closed","pull_request":{"draft":false}}', { id: 'msg_f1' })
    expect((await deliver(t.id, closed)).json()).toEqual({ filtered: true })
    expect((await deliver(t.id, closed)).json()).toEqual({ deduplicated: true })
    const opened = await deliver(t.id, standard(secret, '{"action":"opened","pull_request":{"draft":false}}'))
    expect(opened.statusCode).toBe(202)
    expect(await executionsOf(t.id)).toHaveLength(1)
  })

  it('answers 404 for an unknown, malformed, disabled or non-webhook trigger id', async () => {
    const secret = generateWebhookSecret()
    const disabled = await hook({ secret, enabled: false })
    const event = await insertTrigger(ctx, 'acme', { eventType: 'x.y' })
    for (const id of [randomUUID(), 'not-a-uuid', disabled.id, event.id]) {
      const res = await deliver(id, standard(secret, '{}'))
      expect(res.statusCode, id).toBe(404)
      expect(res.json().code).toBe('SCHED_ERR_NOT_FOUND')
    }
    expect(await executionsOf(disabled.id)).toEqual([])
  })

  it('refuses a verified body that is not a JSON object (400) or declared as another type (415)', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret })
    const notJson = await deliver(t.id, standard(secret, 'order=7'))
    expect(notJson.statusCode).toBe(400)
    expect(notJson.json()).toMatchObject({ code: 'SCHED_ERR_MALFORMED_JSON', errors: [{ path: 'body' }] })
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      const res = await deliver(t.id, standard(secret, body))
      expect(res.statusCode, body).toBe(400)
      expect(res.json()).toMatchObject({ code: 'SCHED_ERR_VALIDATION', errors: [{ path: 'body' }] })
    }
    const form = standard(secret, '{"a":1}')
    form.headers['content-type'] = 'application/x-www-form-urlencoded'
    expect((await deliver(t.id, form)).statusCode).toBe(415)
    const noType = standard(secret, '{"a":1}')
    delete noType.headers['content-type']
    expect((await deliver(t.id, noType)).statusCode).toBe(202)
    const longId = standard(secret, '{"a":1}', { id: 'x'.repeat(300) })
    const tooLong = await deliver(t.id, longId)
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.json().errors).toEqual([{ path: 'headers.webhook-id', message: expect.any(String) }])
    expect(await executionsOf(t.id)).toHaveLength(1)
  })
})

describe('POST /hooks/:triggerId: a sealed secret copied onto another row', () => {
  it("does not open there: another tenant's trigger given a copy of a secret verifies nothing and starts nothing", async () => {
    const secret = generateWebhookSecret()
    const victim = await insertHookTrigger(ctx, 'acme', { secret })
    const theirs = await insertHookTrigger(ctx, 'intruder', { secret: generateWebhookSecret() })
    expect((await deliver(victim.id, standard(secret, '{"n":1}'))).statusCode).toBe(202)
    // Someone with write access to the database copies the sealed value onto their own trigger.
    await ctx.database.sql`
      update triggers set secret_ciphertext = (select secret_ciphertext from triggers where id = ${victim.id})
       where id = ${theirs.id}`
    const res = await deliver(theirs.id, standard(secret, '{"n":2}'))
    expect(res.statusCode).toBe(500)
    expect(res.json().code).toBe('SCHED_ERR_SECRET_UNREADABLE')
    expect(res.body).not.toContain(secret)
    expect(await executionsOf(theirs.id, 'intruder')).toHaveLength(0)
    // Nor on another row of the same tenant, nor moved to the previous-secret column.
    const sibling = await insertHookTrigger(ctx, 'acme', { secret: generateWebhookSecret() })
    await ctx.database.sql`
      update triggers set secret_ciphertext = (select secret_ciphertext from triggers where id = ${victim.id})
       where id = ${sibling.id}`
    expect((await deliver(sibling.id, standard(secret, '{"n":3}'))).statusCode).toBe(500)
    await ctx.database.sql`
      update triggers set previous_secret_ciphertext = secret_ciphertext,
                          previous_secret_expires_at = now() + interval '1 hour'
       where id = ${victim.id}`
    ctx.app.services.hooks.invalidate(victim.id)
    expect((await deliver(victim.id, standard(secret, '{"n":4}'))).statusCode).toBe(500)
    expect(await executionsOf(sibling.id)).toHaveLength(0)
    expect(await executionsOf(victim.id)).toHaveLength(1)
  })
})

describe('POST /hooks/:triggerId (github scheme)', () => {
  it("verifies GitHub's documented test vector over the raw bytes", async () => {
    const t = await hook({ secret: "It's a Secret to Everybody", scheme: 'github' })
    const vector = {
      headers: {
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      },
      payload: 'Hello, World!',
    }
    const before = await verifications()
    // The signature passes; the body is then refused for not being JSON (not 401).
    const res = await deliver(t.id, vector)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().code).toBe('SCHED_ERR_MALFORMED_JSON')
    expect((await verifications()).ok).toBe((before.ok ?? 0) + 1)
    const tampered = await deliver(t.id, { ...vector, payload: 'Hello, World?' })
    expect(tampered.statusCode).toBe(401)
  })

  it('accepts a signed JSON delivery, deduplicates X-GitHub-Delivery, refuses bad or missing headers', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret, scheme: 'github' })
    const body = '{"ref":"refs/heads/main","commits":[{"id":"abc"}]}'
    const first = github(secret, body, 'delivery-1')
    expect((await deliver(t.id, first)).statusCode).toBe(202)
    expect((await deliver(t.id, first)).json()).toEqual({ deduplicated: true })
    const [execution] = await executionsOf(t.id)
    expect(execution).toMatchObject({ kind: 'webhook', input: JSON.parse(body) })

    const wrongKey = github(generateWebhookSecret(), body)
    const upper = github(secret, body)
    upper.headers['x-hub-signature-256'] = upper.headers['x-hub-signature-256']!.replace('sha256=', 'sha1=')
    const short = github(secret, body)
    short.headers['x-hub-signature-256'] = 'sha256=abcd'
    const noSignature = github(secret, body)
    delete noSignature.headers['x-hub-signature-256']
    const noDelivery = github(secret, body)
    delete noDelivery.headers['x-github-delivery']
    // A standard-scheme signature is no GitHub signature.
    const otherScheme = standard(secret, body)
    for (const [name, signed] of Object.entries({
      wrongKey,
      upper,
      short,
      noSignature,
      noDelivery,
      otherScheme,
    })) {
      const res = await deliver(t.id, signed)
      expect(res.statusCode, name).toBe(401)
      expect(res.json().code, name).toBe('SCHED_ERR_WEBHOOK_SIGNATURE')
    }
    expect(await executionsOf(t.id)).toHaveLength(1)
  })
})

describe('POST /hooks/:triggerId: body limit', () => {
  it('refuses a body over 1 MiB with 413 before any signature work', async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret })
    const big = `{"blob":"${'x'.repeat(1024 * 1024)}"}`
    const before = await verifications()
    const res = await deliver(t.id, standard(secret, big))
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('SCHED_ERR_BODY_TOO_LARGE')

    // Also when the sender streams it without a Content-Length (chunked): cut off while reading.
    await ctx.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = ctx.app.server.address() as AddressInfo
    const signed = standard(secret, big)
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: `/hooks/${t.id}`, headers: signed.headers },
        (r) => {
          r.resume()
          resolve(r.statusCode!)
        },
      )
      req.on('error', reject)
      const chunk = Buffer.from(big)
      for (let i = 0; i < chunk.length; i += 64 * 1024) req.write(chunk.subarray(i, i + 64 * 1024))
      req.end()
    })
    expect(status).toBe(413)
    // No signature was computed for either: the counter of checks did not move.
    expect(total(await verifications())).toBe(total(before))
    expect(await executionsOf(t.id)).toEqual([])
    // Just under the limit is verified and accepted.
    const fits = `{"blob":"${'x'.repeat(1024 * 1024 - 20)}"}`
    expect((await deliver(t.id, standard(secret, fits))).statusCode).toBe(202)
  })
})

describe('POST /hooks/:triggerId: rate limit shared by two API processes', () => {
  let second: TestContext
  beforeAll(async () => {
    // Another app instance: its own pools, the same Postgres database and the same Redis keyspace.
    second = await setup({
      env: { TRIGGER_CACHE_TTL_MS: '0' },
      shareRedisWith: ctx,
      redisUrl: () => ctx.redis.url,
      databaseUrl: () => ctx.database.url,
    })
  })
  afterAll(() => second?.close())

  it("answers 429 with Retry-After once the trigger's rateLimitPerMinute is used up across both", async () => {
    const secret = generateWebhookSecret()
    const t = await hook({ secret, rateLimitPerMinute: 5 })
    const codes: number[] = []
    for (let i = 0; i < 8; i++) {
      const app = i % 2 === 0 ? ctx.app : second.app
      const res = await deliver(t.id, standard(secret, `{"i":${i}}`), app)
      codes.push(res.statusCode)
      if (res.statusCode === 429) {
        const retryAfter = Number(res.headers['retry-after'])
        expect(retryAfter).toBeGreaterThanOrEqual(1)
        expect(retryAfter).toBeLessThanOrEqual(60)
        expect(res.json().code).toBe('SCHED_ERR_RATE_LIMITED')
      }
    }
    expect(codes).toEqual([202, 202, 202, 202, 202, 429, 429, 429])
    expect(await executionsOf(t.id)).toHaveLength(5)
    // Other triggers have their own budget; unverified deliveries do not use it up.
    const other = await hook({ secret, rateLimitPerMinute: 2 })
    for (let i = 0; i < 3; i++) {
      expect((await deliver(other.id, standard(generateWebhookSecret(), '{}'))).statusCode).toBe(401)
    }
    expect((await deliver(other.id, standard(secret, '{}'), second.app)).statusCode).toBe(202)
  })
})

describe('POST /hooks/:triggerId with the trigger cached', () => {
  let cached: TestContext
  beforeAll(async () => {
    cached = await setup({ env: { TRIGGER_CACHE_TTL_MS: '60000' } })
  })
  afterAll(() => cached?.close())

  it('verifies against a fresh read when the cached secret fails (rotation), and honours a disable', async () => {
    const oldSecret = generateWebhookSecret()
    const t = await insertHookTrigger(cached, 'acme', { secret: oldSecret })
    expect((await deliver(t.id, standard(oldSecret, '{}'), cached.app)).statusCode).toBe(202)
    // Rotated by another process: the new secret works at once.
    const newSecret = generateWebhookSecret()
    const sealed = cached.app.secretBox.seal(newSecret, triggerSecretAt(t, 'secretCiphertext'))
    await cached.database.sql`update triggers set secret_ciphertext = ${sealed} where id = ${t.id}`
    await sleep(150)
    expect((await deliver(t.id, standard(newSecret, '{}'), cached.app)).statusCode).toBe(202)
    // Disabled by another process while cached: the commit re-checks, nothing starts.
    await cached.database.sql`update triggers set enabled = false where id = ${t.id}`
    expect((await deliver(t.id, standard(newSecret, '{}'), cached.app)).statusCode).toBe(404)
    const rows = await cached.database
      .sql`select count(*)::int as n from executions where trigger_id = ${t.id}`
    expect(rows[0]!.n).toBe(2)
  })
})

describe('POST /hooks/:triggerId with a dependency down', () => {
  let proxy: TcpProxy
  let faulty: TestContext
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    faulty = await setup({ env: { TRIGGER_CACHE_TTL_MS: '0' }, redisUrl: (base) => proxy.url(base.url) })
  })
  afterAll(async () => {
    proxy?.restore()
    await faulty?.close()
    await proxy?.close()
  })

  it('answers 202 with Redis unreachable (rate limit fails open; the reconciler queues the row)', async () => {
    const secret = generateWebhookSecret()
    const t = await insertHookTrigger(faulty, 'acme', { secret })
    proxy.cut()
    const t0 = Date.now()
    const res = await deliver(t.id, standard(secret, '{"x":1}'), faulty.app)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(res.statusCode, res.body).toBe(202)
    const rows = await faulty.database.sql`select status from executions where id = ${res.json().executionId}`
    expect(rows[0]!.status).toBe('queued')
    proxy.restore()
  })

  it('answers 503 within 5 s with Postgres unreachable', async () => {
    const down = await setup({ databaseUrl: () => 'postgres://postgres@127.0.0.1:1/none' })
    try {
      const t0 = Date.now()
      const res = await deliver(randomUUID(), standard(generateWebhookSecret(), '{}'), down.app)
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(res.statusCode, res.body).toBe(503)
      expect(res.json().code).toBe('SCHED_ERR_DEPENDENCY_DOWN')
    } finally {
      await down.close()
    }
  })
})

describe('end to end through the trigger API', () => {
  let live: TestContext
  beforeAll(async () => {
    // The default cache: trigger writes in this process must be seen at once anyway.
    live = await setup()
  })
  afterAll(() => live?.close())

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    live.app.inject({ method, url, headers: live.auth('acme', 'editor'), ...(payload && { payload }) })

  it('delivers to a trigger created through POST /api/triggers, and rotation keeps the old secret in grace', async () => {
    const wf = await api('POST', '/api/workflows', {
      name: 'e2e',
      steps: [{ name: 'w', type: 'delay', ms: 1 }],
    })
    const created = await api('POST', '/api/triggers', {
      workflowId: wf.json().id,
      name: 'e2e-hook',
      type: 'webhook',
    })
    expect(created.statusCode, created.body).toBe(201)
    const { id, secret, url } = created.json()
    expect(url).toContain(`/hooks/${id}`)
    const first = await deliver(id, standard(secret, '{"step":1}'), live.app)
    expect(first.statusCode, first.body).toBe(202)

    const rotated = await api('POST', `/api/triggers/${id}/rotate-secret`)
    expect(rotated.statusCode, rotated.body).toBe(200)
    const next = rotated.json().secret
    expect((await deliver(id, standard(next, '{"step":2}'), live.app)).statusCode).toBe(202)
    expect((await deliver(id, standard(secret, '{"step":3}'), live.app)).statusCode).toBe(202)

    const paused = await api('PATCH', `/api/triggers/${id}`, { enabled: false })
    expect(paused.statusCode, paused.body).toBe(200)
    expect((await deliver(id, standard(next, '{"step":4}'), live.app)).statusCode).toBe(404)

    const history = await api('GET', `/api/executions?triggerId=${id}`)
    expect(history.json().items.map((e: { input: unknown }) => e.input)).toEqual([
      { step: 3 },
      { step: 2 },
      { step: 1 },
    ])
  })

  it('publishes events to triggers created through the API, seen at once despite the cache', async () => {
    const wf = await api('POST', '/api/workflows', {
      name: 'e2e-ev',
      steps: [{ name: 'w', type: 'delay', ms: 1 }],
    })
    const none = await api('POST', '/api/events', { type: 'e2e.created', data: { n: 1 } })
    expect(none.json().executions).toEqual([])
    const t = await api('POST', '/api/triggers', {
      workflowId: wf.json().id,
      name: 'e2e-event',
      type: 'event',
      eventType: 'e2e.*',
      filter: { n: [{ numeric: ['>', 0] }] },
    })
    expect(t.statusCode, t.body).toBe(201)
    const one = await api('POST', '/api/events', { type: 'e2e.created', data: { n: 1 } })
    expect(one.json().executions).toHaveLength(1)
    expect(
      (await api('POST', '/api/events', { type: 'e2e.created', data: { n: 0 } })).json().executions,
    ).toEqual([])
    await api('PATCH', `/api/triggers/${t.json().id}`, { enabled: false })
    expect(
      (await api('POST', '/api/events', { type: 'e2e.created', data: { n: 2 } })).json().executions,
    ).toEqual([])
  })
})
