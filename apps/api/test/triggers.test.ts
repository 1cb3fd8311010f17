import { createSecretBox } from '@punctual/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_SECRETS_ENCRYPTION_KEY } from '../src/config.ts'
import type { Role } from '../src/plugins/auth.ts'
import { openTriggerSecrets, triggerSecretAt } from '../src/services/trigger-secrets.ts'
import { createWorkflow, inlineRefs, setup, type TestContext } from './helper.ts'

let clock = new Date('2026-05-01T10:00:00.000Z')
let ctx: TestContext
let wf: { id: string }

beforeAll(async () => {
  ctx = await setup({ now: () => clock })
  wf = await createWorkflow(ctx)
})
afterAll(async () => {
  await ctx?.close()
})

const SECRET_RE = /^whsec_[A-Za-z0-9+/]{43}=$/
const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000'

let n = 0
const uniqueName = () => `t-${++n}-${Math.random().toString(36).slice(2, 8)}`

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
function call(method: Method, url: string, payload?: unknown, tenant = 'acme', role: Role = 'editor') {
  return ctx.app.inject({
    method,
    url,
    headers: ctx.auth(tenant, role),
    ...(payload !== undefined && { payload: payload as object }),
  })
}

const eventBody = (extra: Record<string, unknown> = {}) => ({
  workflowId: wf.id,
  name: uniqueName(),
  type: 'event',
  eventType: 'order.created',
  ...extra,
})
const webhookBody = (extra: Record<string, unknown> = {}) => ({
  workflowId: wf.id,
  name: uniqueName(),
  type: 'webhook',
  ...extra,
})

async function createOk(body: Record<string, unknown>, tenant = 'acme') {
  const res = await call('POST', '/api/triggers', body, tenant)
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

const paths = (res: { json(): { errors?: { path: string }[] } }) =>
  (res.json().errors ?? []).map((e) => e.path).sort()

async function rowOf(id: string) {
  const [row] = await ctx.database.sql<
    {
      secret_ciphertext: string | null
      previous_secret_ciphertext: string | null
      previous_secret_expires_at: Date | null
    }[]
  >`select secret_ciphertext, previous_secret_ciphertext, previous_secret_expires_at from triggers where id = ${id}`
  return row
}

describe('POST /api/triggers', () => {
  it('creates an event trigger with the documented defaults and no secret', async () => {
    const t = await createOk(eventBody({ eventType: 'order.*' }))
    expect(t).toMatchObject({
      workflowId: wf.id,
      type: 'event',
      eventType: 'order.*',
      filter: null,
      scheme: null,
      rateLimitPerMinute: null,
      retryPolicy: {
        maxAttempts: 3,
        initialDelayMs: 1000,
        backoffMultiplier: 2,
        maxDelayMs: 300000,
        jitter: 'full',
      },
      priority: 5,
      enabled: true,
      url: null,
      previousSecretExpiresAt: null,
      version: 1,
      createdAt: clock.toISOString(),
      updatedAt: clock.toISOString(),
    })
    expect(t.id[14]).toBe('7') // UUIDv7
    expect(t).not.toHaveProperty('secret')
    expect((await rowOf(t.id))?.secret_ciphertext).toBeNull()
  })

  it('keeps every given field', async () => {
    const filter = { detail: { amount: [{ numeric: ['>', 100] }], currency: ['EUR', 'USD'] } }
    const t = await createOk(
      eventBody({
        eventType: 'invoice.paid',
        filter,
        retryPolicy: { maxAttempts: 7, jitter: 'none' },
        priority: 9,
        enabled: false,
      }),
    )
    expect(t).toMatchObject({
      eventType: 'invoice.paid',
      filter,
      retryPolicy: { maxAttempts: 7, jitter: 'none', initialDelayMs: 1000 },
      priority: 9,
      enabled: false,
    })
    const w = await createOk(
      webhookBody({ scheme: 'github', rateLimitPerMinute: 30, filter: { action: ['opened'] } }),
    )
    expect(w).toMatchObject({ scheme: 'github', rateLimitPerMinute: 30, filter: { action: ['opened'] } })
  })

  it('answers a webhook trigger with its url and a whsec_ secret, stored only encrypted', async () => {
    const t = await createOk(webhookBody())
    expect(t).toMatchObject({
      type: 'webhook',
      eventType: null,
      scheme: 'standard',
      rateLimitPerMinute: 600,
      url: `/hooks/${t.id}`,
    })
    expect(t.secret).toMatch(SECRET_RE)
    expect(Buffer.from(t.secret.slice('whsec_'.length), 'base64')).toHaveLength(32)

    const row = await rowOf(t.id)
    const stored = row!.secret_ciphertext!
    expect(stored).not.toBe(t.secret)
    expect(stored).not.toContain(t.secret.slice('whsec_'.length))
    expect(stored).not.toContain(Buffer.from(t.secret).toString('base64'))
    expect(stored).not.toContain(Buffer.from(t.secret).toString('hex'))
    // A database dump alone does not reveal it, the configured key does.
    const at = { tenant: 'acme', table: 'triggers', row: t.id, column: 'secret_ciphertext' }
    expect(createSecretBox(DEV_SECRETS_ENCRYPTION_KEY).open(stored, at)).toBe(t.secret)
    expect(() => createSecretBox(Buffer.alloc(32, 7).toString('base64')).open(stored, at)).toThrow()
    // Bound to its row: v2, under the key ring's newest key.
    expect(stored.startsWith(`v2.${ctx.app.secretBox.currentKeyId}.`)).toBe(true)

    // Two triggers never share a secret.
    expect((await createOk(webhookBody())).secret).not.toBe(t.secret)
  })

  it('never shows the secret again: GET, list, PATCH, PUT', async () => {
    const t = await createOk(webhookBody())
    const answers = [
      await call('GET', `/api/triggers/${t.id}`, undefined, 'acme', 'viewer'),
      await call('GET', '/api/triggers?limit=500&type=webhook', undefined, 'acme', 'viewer'),
      await call('PATCH', `/api/triggers/${t.id}`, { priority: 6 }),
      await call('PUT', `/api/triggers/${t.id}`, { workflowId: wf.id, name: t.name, type: 'webhook' }),
    ]
    const sealed = (await rowOf(t.id))!.secret_ciphertext!
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(200)
      expect(res.body).not.toContain(t.secret)
      expect(res.body).not.toContain(t.secret.slice('whsec_'.length))
      expect(res.body).not.toContain(sealed)
      expect(res.body).not.toMatch(/"secret/i)
    }
    const got = answers[0]!.json()
    expect(got.url).toBe(`/hooks/${t.id}`)
    expect(answers[1]!.json().items.map((i: { id: string }) => i.id)).toContain(t.id)
  })

  it('lists every failing field in one 400, schema and per-type rules together, and writes nothing', async () => {
    const before = await ctx.database.sql`select count(*)::int as c from triggers`
    const bad = await call('POST', '/api/triggers', {
      workflowId: 'not-a-uuid',
      name: '',
      type: 'cron',
      eventType: 7,
      filter: 'x',
      rateLimitPerMinute: 0,
      scheme: 'gitlab',
      retryPolicy: { maxAttempts: 0, jitter: 'some', extra: 1 },
      priority: 10,
      enabled: 'yes',
      color: 'red',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toContain('application/problem+json')
    expect(bad.json().code).toBe('SCHED_ERR_VALIDATION')
    expect(paths(bad)).toEqual(
      [
        'body.workflowId',
        'body.name',
        'body.type',
        'body.eventType',
        'body.filter',
        'body.rateLimitPerMinute',
        'body.scheme',
        'body.retryPolicy.maxAttempts',
        'body.retryPolicy.jitter',
        'body.retryPolicy.extra',
        'body.priority',
        'body.enabled',
        'body.color',
      ].sort(),
    )

    const missing = await call('POST', '/api/triggers', {})
    expect(missing.statusCode).toBe(400)
    expect(paths(missing)).toEqual(['body.name', 'body.type', 'body.workflowId'])

    // An event trigger needs an eventType and takes no webhook fields; with a schema error, all in one answer.
    const event = await call('POST', '/api/triggers', {
      workflowId: wf.id,
      name: uniqueName(),
      type: 'event',
      scheme: 'github',
      rateLimitPerMinute: 5,
      priority: -1,
    })
    expect(event.statusCode).toBe(400)
    expect(paths(event)).toEqual([
      'body.eventType',
      'body.priority',
      'body.rateLimitPerMinute',
      'body.scheme',
    ])
    expect(event.json().errors).toContainEqual({
      path: 'body.eventType',
      message: 'is required for an event trigger',
    })

    // A webhook trigger may carry an eventType (issue 22); bad glob syntax is 422 for either type, after the
    // schema's 400 (an empty string fails the schema).
    const webhook = await call('POST', '/api/triggers', webhookBody({ eventType: 'order.created' }))
    expect(webhook.statusCode).toBe(201)
    expect(webhook.json().eventType).toBe('order.created')

    for (const eventType of ['order*', 'order.*.x', '.order', 'order..created', 'order created', '']) {
      const res = await call('POST', '/api/triggers', eventBody({ eventType }))
      expect(res.statusCode, eventType).toBe(eventType === '' ? 400 : 422)
      expect(paths(res), eventType).toEqual(['body.eventType'])
      if (eventType !== '') expect(res.json().code).toBe('SCHED_ERR_EVENT_TYPE_INVALID')
    }
    for (const eventType of ['order.created', 'order.*', '*', 'a-b_c.D9']) {
      expect((await call('POST', '/api/triggers', eventBody({ eventType }))).statusCode, eventType).toBe(201)
    }

    const nonJson = await ctx.app.inject({
      method: 'POST',
      url: '/api/triggers',
      headers: { ...ctx.auth('acme', 'editor'), 'content-type': 'application/json' },
      payload: '{"name": ',
    })
    expect(nonJson.statusCode).toBe(400)
    expect(nonJson.json().code).toBe('SCHED_ERR_MALFORMED_JSON')

    const after = await ctx.database.sql`select count(*)::int as c from triggers`
    // The four valid event types, and the webhook trigger with an eventType.
    expect(after[0]!.c).toBe(before[0]!.c + 5)
  })

  it('refuses a malformed filter with 422 naming the JSON pointer in the pattern', async () => {
    const cases: [unknown, string][] = [
      [{ detail: { amount: 5 } }, '/filter/detail/amount'],
      [{ detail: { amount: [] } }, '/filter/detail/amount'],
      [{ detail: { amount: [{ numeric: ['>>', 1] }] } }, '/filter/detail/amount/0/numeric'],
      [{ status: [{ prefix: 3 }] }, '/filter/status/0/prefix'],
      [{ status: [{ wildcard: 'a*' }] }, '/filter/status/0'],
    ]
    for (const [filter, pointer] of cases) {
      for (const body of [eventBody({ filter }), webhookBody({ filter })]) {
        const res = await call('POST', '/api/triggers', body)
        expect(res.statusCode, JSON.stringify(filter)).toBe(422)
        expect(res.json().code).toBe('SCHED_ERR_FILTER_INVALID')
        const ps = paths(res)
        expect(ps.length).toBeGreaterThan(0)
        for (const p of ps) expect(p.startsWith(pointer), `${p} under ${pointer}`).toBe(true)
        expect(res.json().detail).toContain(pointer)
      }
    }
    // Several problems: each is named.
    const two = await call(
      'POST',
      '/api/triggers',
      eventBody({ filter: { a: 1, b: { c: [{ exists: 'yes' }] } } }),
    )
    expect(two.statusCode).toBe(422)
    expect(paths(two).some((p: string) => p.startsWith('/filter/a'))).toBe(true)
    expect(paths(two).some((p: string) => p.startsWith('/filter/b/c/0'))).toBe(true)

    const none = await ctx.database.sql`select count(*)::int as c from triggers where filter ? 'b'`
    expect(none[0]!.c).toBe(0)
    // {} and null match everything and are accepted.
    expect((await createOk(eventBody({ filter: {} }))).filter).toEqual({})
    expect((await createOk(eventBody({ filter: null }))).filter).toBeNull()
  })

  it('422 for an unknown workflowId or another tenant’s; 409 for a name taken in the tenant', async () => {
    for (const workflowId of [UNKNOWN_ID, (await createWorkflow(ctx, 'other')).id]) {
      const res = await call('POST', '/api/triggers', eventBody({ workflowId }))
      expect(res.statusCode).toBe(422)
      expect(res.json().code).toBe('SCHED_ERR_WORKFLOW_UNKNOWN')
      expect(paths(res)).toEqual(['body.workflowId'])
    }
    const t = await createOk(eventBody())
    const dup = await call('POST', '/api/triggers', webhookBody({ name: t.name }))
    expect(dup.statusCode).toBe(409)
    expect(dup.json().code).toBe('SCHED_ERR_NAME_TAKEN')
    expect(paths(dup)).toEqual(['body.name'])
    // The same name in another tenant is fine.
    const otherWf = await createWorkflow(ctx, 'other')
    await createOk({ ...eventBody({ workflowId: otherWf.id }), name: t.name }, 'other')
  })
})

describe('reading triggers', () => {
  it('lists with cursor pagination and the type and workflowId filters', async () => {
    const wf2 = await createWorkflow(ctx, 'lister')
    const wf3 = await createWorkflow(ctx, 'lister')
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push((await createOk(eventBody({ workflowId: i < 3 ? wf2.id : wf3.id }), 'lister')).id)
    }
    const hook = await createOk(webhookBody({ workflowId: wf3.id }), 'lister')
    ids.push(hook.id)

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await call(
        'GET',
        `/api/triggers?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        'lister',
        'viewer',
      )
      expect(res.statusCode).toBe(200)
      seen.push(...res.json().items.map((i: { id: string }) => i.id))
      cursor = res.json().nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(2)
    expect(seen).toEqual(ids)

    const byType = await call('GET', '/api/triggers?type=webhook', undefined, 'lister', 'viewer')
    expect(byType.json().items.map((i: { id: string }) => i.id)).toEqual([hook.id])
    const byWf = await call('GET', `/api/triggers?workflowId=${wf2.id}`, undefined, 'lister', 'viewer')
    expect(byWf.json().items.map((i: { id: string }) => i.id)).toEqual(ids.slice(0, 3))
    const both = await call('GET', `/api/triggers?workflowId=${wf3.id}&type=event`, undefined, 'lister')
    expect(both.json().items.map((i: { id: string }) => i.id)).toEqual(ids.slice(3, 5))

    for (const [query, path] of [
      ['type=cron', 'query.type'],
      ['workflowId=x', 'query.workflowId'],
      ['limit=0', 'query.limit'],
      ['cursor=bm9wZQ', 'query.cursor'],
    ]) {
      const res = await call('GET', `/api/triggers?${query}`, undefined, 'lister')
      expect(res.statusCode, query).toBe(400)
      expect(paths(res)).toEqual([path])
    }
  })

  it('404s another tenant’s trigger on every route, and never lists it', async () => {
    const t = await createOk(webhookBody())
    const other = 'intruder'
    const attempts = [
      await call('GET', `/api/triggers/${t.id}`, undefined, other, 'admin'),
      await call('PATCH', `/api/triggers/${t.id}`, { priority: 1 }, other, 'admin'),
      await call('PUT', `/api/triggers/${t.id}`, { ...webhookBody(), name: 'x' }, other, 'admin'),
      await call('POST', `/api/triggers/${t.id}/rotate-secret`, undefined, other, 'admin'),
      await call('DELETE', `/api/triggers/${t.id}`, undefined, other, 'admin'),
    ]
    for (const res of attempts) {
      expect(res.statusCode, res.body).toBe(404)
      expect(res.json().code).toBe('SCHED_ERR_NOT_FOUND')
    }
    const list = await call('GET', '/api/triggers?limit=500', undefined, other, 'admin')
    expect(list.json().items).toEqual([])
    // Unchanged.
    const got = (await call('GET', `/api/triggers/${t.id}`)).json()
    expect(got.version).toBe(1)
    expect(openTriggerSecrets(await rowSecrets(t.id), ctx.app.secretBox, clock)).toEqual([t.secret])
  })

  it('lets a viewer read and refuses its writes with 403', async () => {
    const t = await createOk(webhookBody())
    expect((await call('GET', `/api/triggers/${t.id}`, undefined, 'acme', 'viewer')).statusCode).toBe(200)
    expect((await call('GET', '/api/triggers', undefined, 'acme', 'viewer')).statusCode).toBe(200)
    const writes = [
      await call('POST', '/api/triggers', webhookBody(), 'acme', 'viewer'),
      await call('PATCH', `/api/triggers/${t.id}`, { priority: 1 }, 'acme', 'viewer'),
      await call('PUT', `/api/triggers/${t.id}`, { ...webhookBody(), name: t.name }, 'acme', 'viewer'),
      await call('POST', `/api/triggers/${t.id}/rotate-secret`, undefined, 'acme', 'viewer'),
      await call('DELETE', `/api/triggers/${t.id}`, undefined, 'acme', 'viewer'),
    ]
    for (const res of writes) {
      expect(res.statusCode).toBe(403)
      expect(res.json().code).toBe('SCHED_ERR_FORBIDDEN')
    }
    expect((await call('GET', `/api/triggers/${t.id}`)).json().version).toBe(1)
    expect((await ctx.app.inject({ url: '/api/triggers' })).statusCode).toBe(401)
  })
})

async function rowSecrets(id: string) {
  const [row] = await ctx.database.sql<
    {
      id: string
      tenant: string
      secretCiphertext: string | null
      previousSecretCiphertext: string | null
      previousSecretExpiresAt: Date | null
    }[]
  >`select id, tenant, secret_ciphertext as "secretCiphertext", previous_secret_ciphertext as "previousSecretCiphertext",
           previous_secret_expires_at as "previousSecretExpiresAt"
    from triggers where id = ${id}`
  return {
    ...row!,
    previousSecretExpiresAt: row!.previousSecretExpiresAt ? new Date(row!.previousSecretExpiresAt) : null,
  }
}

describe('updating triggers', () => {
  it('PATCH changes only the given fields and bumps the version', async () => {
    const t = await createOk(eventBody({ filter: { a: ['x'] }, priority: 2 }))
    clock = new Date(clock.getTime() + 60_000)
    const res = await call('PATCH', `/api/triggers/${t.id}`, {
      eventType: 'order.*',
      retryPolicy: { maxAttempts: 10 },
      enabled: false,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      name: t.name,
      eventType: 'order.*',
      filter: { a: ['x'] },
      priority: 2,
      retryPolicy: { maxAttempts: 10, initialDelayMs: 1000 },
      enabled: false,
      version: 2,
      createdAt: t.createdAt,
      updatedAt: clock.toISOString(),
    })
    const cleared = await call('PATCH', `/api/triggers/${t.id}`, { filter: null })
    expect(cleared.json()).toMatchObject({ filter: null, version: 3 })
    expect((await call('GET', `/api/triggers/${t.id}`)).json()).toEqual(cleared.json())
  })

  it('PUT replaces the definition (left-out fields return to defaults) and keeps the secret', async () => {
    const t = await createOk(
      webhookBody({
        scheme: 'github',
        rateLimitPerMinute: 5,
        priority: 8,
        filter: { a: ['b'] },
        enabled: false,
      }),
    )
    const before = await rowSecrets(t.id)
    const res = await call('PUT', `/api/triggers/${t.id}`, {
      workflowId: wf.id,
      name: `${t.name}-renamed`,
      type: 'webhook',
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      name: `${t.name}-renamed`,
      scheme: 'standard',
      rateLimitPerMinute: 600,
      priority: 5,
      filter: null,
      enabled: true,
      version: 2,
      url: `/hooks/${t.id}`,
    })
    expect(await rowSecrets(t.id)).toEqual(before)

    const e = await createOk(eventBody())
    const put = await call('PUT', `/api/triggers/${e.id}`, {
      ...eventBody({ eventType: 'invoice.*' }),
      name: e.name,
    })
    expect(put.json()).toMatchObject({ eventType: 'invoice.*', version: 2 })
    // PUT checks the type's rules like a create.
    const noType = await call('PUT', `/api/triggers/${e.id}`, {
      workflowId: wf.id,
      name: e.name,
      type: 'event',
    })
    expect(noType.statusCode).toBe(400)
    expect(paths(noType)).toEqual(['body.eventType'])
  })

  it('refuses a changed type, per-type fields, bad filters and bad fields, changing nothing', async () => {
    const e = await createOk(eventBody())
    const w = await createOk(webhookBody())

    const typeChange = await call('PUT', `/api/triggers/${e.id}`, { ...webhookBody(), name: e.name })
    expect(typeChange.statusCode).toBe(422)
    expect(typeChange.json().code).toBe('SCHED_ERR_IMMUTABLE_FIELD')
    expect(paths(typeChange)).toEqual(['body.type'])

    const cases: [string, unknown, number, string[]][] = [
      [e.id, { type: 'webhook' }, 400, ['body.type']],
      [e.id, { scheme: 'github', rateLimitPerMinute: 10 }, 400, ['body.rateLimitPerMinute', 'body.scheme']],
      [w.id, { eventType: 'order*' }, 422, ['body.eventType']],
      [e.id, { eventType: 'order*', priority: 11 }, 400, ['body.priority']],
      [e.id, { eventType: 'order*' }, 422, ['body.eventType']],
      [e.id, {}, 400, ['body']],
      [e.id, { eventType: null }, 400, ['body.eventType']],
      [w.id, { filter: { n: [{ numeric: ['<'] }] } }, 422, ['/filter/n/0/numeric']],
      [e.id, { workflowId: UNKNOWN_ID }, 422, ['body.workflowId']],
    ]
    for (const [id, body, status, expected] of cases) {
      const res = await call('PATCH', `/api/triggers/${id}`, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(status)
      const ps = paths(res)
      expect(ps.length, JSON.stringify(body)).toBe(expected.length)
      for (const [i, p] of ps.entries()) expect(p.startsWith(expected[i]!), p).toBe(true)
    }
    const taken = await call('PATCH', `/api/triggers/${e.id}`, { name: w.name })
    expect(taken.statusCode).toBe(409)
    expect(taken.json().code).toBe('SCHED_ERR_NAME_TAKEN')

    expect((await call('GET', `/api/triggers/${e.id}`)).json()).toEqual(e)
    expect((await call('GET', `/api/triggers/${w.id}`)).json()).toEqual((({ secret: _, ...rest }) => rest)(w))
    expect((await call('PATCH', `/api/triggers/${UNKNOWN_ID}`, { priority: 1 })).statusCode).toBe(404)
  })
})

describe('rotating a webhook secret', () => {
  it('answers a new secret once; the previous one verifies until the grace (24 h) ends', async () => {
    const t = await createOk(webhookBody())
    clock = new Date(clock.getTime() + 5_000)
    const res = await call('POST', `/api/triggers/${t.id}/rotate-secret`)
    expect(res.statusCode, res.body).toBe(200)
    const rotated = res.json()
    expect(rotated.secret).toMatch(SECRET_RE)
    expect(rotated.secret).not.toBe(t.secret)
    const expiresAt = new Date(clock.getTime() + 86_400_000)
    expect(rotated).toMatchObject({
      id: t.id,
      version: 2,
      url: `/hooks/${t.id}`,
      previousSecretExpiresAt: expiresAt.toISOString(),
    })

    const row = await rowSecrets(t.id)
    expect(row.previousSecretExpiresAt).toEqual(expiresAt)
    for (const sealed of [row.secretCiphertext!, row.previousSecretCiphertext!]) {
      expect(sealed).not.toContain(t.secret.slice(6))
      expect(sealed).not.toContain(rotated.secret.slice(6))
    }
    const box = ctx.app.secretBox
    expect(box.open(row.secretCiphertext!, triggerSecretAt(row, 'secretCiphertext'))).toBe(rotated.secret)
    expect(box.open(row.previousSecretCiphertext!, triggerSecretAt(row, 'previousSecretCiphertext'))).toBe(
      t.secret,
    )
    expect(openTriggerSecrets(row, box, clock)).toEqual([rotated.secret, t.secret])
    expect(openTriggerSecrets(row, box, new Date(expiresAt.getTime() - 1))).toEqual([
      rotated.secret,
      t.secret,
    ])
    expect(openTriggerSecrets(row, box, expiresAt)).toEqual([rotated.secret])

    const got = await call('GET', `/api/triggers/${t.id}`)
    expect(got.body).not.toContain(rotated.secret)
    expect(got.json().previousSecretExpiresAt).toBe(expiresAt.toISOString())

    // Rotating again inside the grace retires the first secret at once.
    const again = (await call('POST', `/api/triggers/${t.id}/rotate-secret`)).json()
    const row2 = await rowSecrets(t.id)
    expect(openTriggerSecrets(row2, box, clock)).toEqual([again.secret, rotated.secret])
    expect(again.version).toBe(3)
  })

  it('replaces a secret sealed under another key (SECRETS_ENCRYPTION_KEY changed) without a grace', async () => {
    const t = await createOk(webhookBody())
    const foreign = createSecretBox(Buffer.alloc(32, 5).toString('base64')).seal(
      t.secret,
      triggerSecretAt({ id: t.id, tenant: 'acme' }, 'secretCiphertext'),
    )
    await ctx.database.sql`update triggers set secret_ciphertext = ${foreign} where id = ${t.id}`
    const stale = await rowSecrets(t.id)
    expect(() => openTriggerSecrets(stale, ctx.app.secretBox, clock)).toThrow(
      expect.objectContaining({ code: 'SCHED_ERR_SECRET_UNREADABLE' }),
    )
    const res = await call('POST', `/api/triggers/${t.id}/rotate-secret`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().previousSecretExpiresAt).toBeNull()
    expect(openTriggerSecrets(await rowSecrets(t.id), ctx.app.secretBox, clock)).toEqual([res.json().secret])
  })

  it('is 409 for an event trigger and 404 for an unknown one', async () => {
    const e = await createOk(eventBody())
    const res = await call('POST', `/api/triggers/${e.id}/rotate-secret`)
    expect(res.statusCode).toBe(409)
    expect(res.json().code).toBe('SCHED_ERR_INVALID_STATE')
    expect((await call('GET', `/api/triggers/${e.id}`)).json().version).toBe(1)
    expect((await call('POST', `/api/triggers/${UNKNOWN_ID}/rotate-secret`)).statusCode).toBe(404)
  })
})

describe('deleting', () => {
  it('deletes a trigger (204, then 404) and frees its workflow for deletion', async () => {
    const w = await createWorkflow(ctx)
    const t = await createOk(webhookBody({ workflowId: w.id }))
    const inUse = await call('DELETE', `/api/workflows/${w.id}`)
    expect(inUse.statusCode).toBe(409)
    expect(inUse.json().code).toBe('SCHED_ERR_IN_USE')

    const del = await call('DELETE', `/api/triggers/${t.id}`)
    expect(del.statusCode).toBe(204)
    expect(del.body).toBe('')
    expect((await call('GET', `/api/triggers/${t.id}`)).statusCode).toBe(404)
    expect((await call('DELETE', `/api/triggers/${t.id}`)).statusCode).toBe(404)
    expect((await ctx.database.sql`select 1 from triggers where id = ${t.id}`).length).toBe(0)
    expect((await call('DELETE', `/api/workflows/${w.id}`)).statusCode).toBe(204)
  })
})

describe('configuration', () => {
  it('uses PUBLIC_BASE_URL, SECRETS_ENCRYPTION_KEY and WEBHOOK_SECRET_GRACE_MS', async () => {
    const key = Buffer.alloc(32, 9).toString('base64')
    const other = await setup({
      env: {
        PUBLIC_BASE_URL: 'https://hooks.example.com/',
        SECRETS_ENCRYPTION_KEY: key,
        WEBHOOK_SECRET_GRACE_MS: '60000',
      },
      now: () => clock,
    })
    try {
      const w = await createWorkflow(other)
      const res = await other.app.inject({
        method: 'POST',
        url: '/api/triggers',
        headers: other.auth('acme', 'editor'),
        payload: { workflowId: w.id, name: 'gh', type: 'webhook', scheme: 'github' },
      })
      const t = res.json()
      expect(t.url).toBe(`https://hooks.example.com/hooks/${t.id}`)
      const [row] = await other.database.sql<{ s: string }[]>`select secret_ciphertext as s from triggers`
      const at = triggerSecretAt({ id: t.id, tenant: 'acme' }, 'secretCiphertext')
      expect(createSecretBox(key).open(row!.s, at)).toBe(t.secret)
      expect(() => createSecretBox(DEV_SECRETS_ENCRYPTION_KEY).open(row!.s, at)).toThrow()

      const rotated = await other.app.inject({
        method: 'POST',
        url: `/api/triggers/${t.id}/rotate-secret`,
        headers: other.auth('acme', 'editor'),
      })
      expect(rotated.json().previousSecretExpiresAt).toBe(new Date(clock.getTime() + 60_000).toISOString())
      expect(rotated.json().url).toBe(`https://hooks.example.com/hooks/${t.id}`)
    } finally {
      await other.close()
    }
  })
})

describe('OpenAPI', () => {
  it('documents the trigger and audit routes, with the secret only in the create and rotate answers', async () => {
    const spec = inlineRefs((await ctx.app.inject({ url: '/openapi.json' })).json())
    for (const path of [
      '/api/triggers',
      '/api/triggers/{id}',
      '/api/triggers/{id}/rotate-secret',
      '/api/audit',
    ]) {
      expect(spec.paths, path).toHaveProperty([path])
    }
    const create = spec.paths['/api/triggers'].post
    const body = create.requestBody.content['application/json'].schema
    expect(body.properties.type.enum).toEqual(['event', 'webhook'])
    expect(body.properties.filter.description ?? JSON.stringify(body.properties.filter)).toContain('/filter')
    const props = (
      op: { responses: Record<string, { content: Record<string, { schema: unknown }> }> },
      code: string,
    ) => JSON.stringify(op.responses[code]!.content['application/json']!.schema)
    expect(props(create, '201')).toContain('"secret"')
    expect(props(spec.paths['/api/triggers/{id}/rotate-secret'].post, '200')).toContain('"secret"')
    expect(props(spec.paths['/api/triggers/{id}'].get, '200')).not.toContain('"secret"')
    expect(props(spec.paths['/api/triggers'].get, '200')).not.toContain('"secret"')
    expect(spec.paths['/api/audit'].get.description).toContain('admin')
  })
})
