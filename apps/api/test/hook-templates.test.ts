import { randomUUID } from 'node:crypto'
import { signGithubWebhook } from '@punctual/core'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, inlineRefs, setup, type TestContext } from './helper.ts'

/**
 * Issue 22: webhook triggers' eventType (GitHub's X-GitHub-Event, the standard body's `type`) and the
 * inputTemplate of webhook and event triggers, written through the API (so the write-time checks run) and
 * delivered signed. The trigger cache keeps its default TTL: a write in this process is seen at once.
 */

let ctx: TestContext
let workflowId: string
beforeAll(async () => {
  ctx = await setup()
  workflowId = (await createWorkflow(ctx)).id
})
afterAll(() => ctx?.close())

interface Created {
  id: string
  secret: string
  version: number
  eventType: string | null
  inputTemplate: Record<string, unknown> | null
}

const api = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: ctx.auth('acme', 'editor'), ...(payload && { payload }) })

async function create(fields: Record<string, unknown>): Promise<Created> {
  const res = await api('POST', '/api/triggers', {
    workflowId,
    name: `t-${randomUUID()}`,
    type: 'webhook',
    ...fields,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

function github(t: Created, event: string, body: unknown, delivery: string = randomUUID()) {
  const payload = JSON.stringify(body)
  return ctx.app.inject({
    method: 'POST',
    url: `/hooks/${t.id}`,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/abc',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': signGithubWebhook(t.secret, payload),
      authorization: 'Bearer do-not-copy',
      cookie: 'session=do-not-copy',
    },
    payload,
  })
}

function standard(t: Created, body: unknown, id = `msg_${randomUUID()}`) {
  const payload = JSON.stringify(body)
  const at = new Date()
  return ctx.app.inject({
    method: 'POST',
    url: `/hooks/${t.id}`,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(t.secret).sign(id, at, payload),
    },
    payload,
  })
}

async function executionsOf(triggerId: string) {
  const res = await api('GET', `/api/executions?triggerId=${triggerId}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items as { id: string; input: Record<string, unknown> }[]
}

async function inputOf(executionId: string) {
  const res = await api('GET', `/api/executions/${executionId}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().input as Record<string, unknown>
}

/** A GitHub push delivery's body, trimmed to what the tests read. */
const push = (ref = 'refs/heads/main') => ({
  ref,
  after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  repository: { id: 1296269, full_name: 'octocat/Hello-World', topics: ['api', 'demo'] },
  pusher: { name: 'octocat', email: 'octocat@github.com' },
  commits: [
    { id: 'c1', message: 'Fix all the bugs', added: ['a.ts'] },
    { id: 'c2', message: 'Update README' },
  ],
  forced: false,
  size: 2,
})

describe('webhook eventType', () => {
  it('GitHub: a trigger with eventType starts only its event; one without starts every event', async () => {
    const pushOnly = await create({ scheme: 'github', eventType: 'push' })
    const every = await create({ scheme: 'github' })
    expect(pushOnly.eventType).toBe('push')
    const answers: Record<string, number[]> = {}
    for (const event of ['push', 'ping', 'pull_request']) {
      const body = event === 'ping' ? { zen: 'Keep it logically awesome.', hook_id: 1 } : push()
      answers[event] = [
        (await github(pushOnly, event, body)).statusCode,
        (await github(every, event, body)).statusCode,
      ]
    }
    expect(answers).toEqual({ push: [202, 202], ping: [200, 202], pull_request: [200, 202] })
    expect(await executionsOf(pushOnly.id)).toHaveLength(1)
    expect(await executionsOf(every.id)).toHaveLength(3)

    // A filtered delivery is remembered: its id again is a duplicate, whatever its event now says.
    const delivery = randomUUID()
    const first = await github(pushOnly, 'ping', { zen: 'z' }, delivery)
    expect(first.json()).toEqual({ filtered: true })
    const again = await github(pushOnly, 'push', push(), delivery)
    expect([again.statusCode, again.json()]).toEqual([200, { deduplicated: true }])
    expect(await executionsOf(pushOnly.id)).toHaveLength(1)
  })

  it('GitHub: eventType is checked before the filter (push to main only)', async () => {
    const t = await create({ scheme: 'github', eventType: 'push', filter: { ref: ['refs/heads/main'] } })
    expect((await github(t, 'push', push('refs/heads/dev'))).json()).toEqual({ filtered: true })
    expect((await github(t, 'create', push('refs/heads/main'))).json()).toEqual({ filtered: true })
    expect((await github(t, 'push', push('refs/heads/main'))).statusCode).toBe(202)
  })

  it("standard scheme: matched against the body's top-level string type, globs included", async () => {
    const invoices = await create({ eventType: 'invoice.*' })
    const every = await create({})
    const bodies = [
      { type: 'invoice.paid', data: { id: 1 } },
      { type: 'invoice.line.added' },
      { type: 'invoice' },
      { type: 'order.created' },
      { type: 7, data: {} },
      { data: { type: 'invoice.paid' } },
    ]
    const got = []
    for (const body of bodies)
      got.push([(await standard(invoices, body)).statusCode, (await standard(every, body)).statusCode])
    expect(got).toEqual([
      [202, 202],
      [202, 202],
      [200, 202],
      [200, 202],
      [200, 202],
      [200, 202],
    ])
  })

  it('PATCH sets and removes a webhook trigger’s eventType', async () => {
    const t = await create({ scheme: 'github' })
    expect((await api('PATCH', `/api/triggers/${t.id}`, { eventType: 'pull_request' })).json()).toMatchObject(
      {
        eventType: 'pull_request',
      },
    )
    expect((await github(t, 'push', push())).json()).toEqual({ filtered: true })
    expect((await api('PATCH', `/api/triggers/${t.id}`, { eventType: null })).json()).toMatchObject({
      eventType: null,
    })
    expect((await github(t, 'push', push())).statusCode).toBe(202)
  })
})

describe('webhook inputTemplate', () => {
  it('README example: push to main only, input { repo, sha, pusher }', async () => {
    const t = await create({
      scheme: 'github',
      eventType: 'push',
      filter: { ref: ['refs/heads/main'] },
      inputTemplate: {
        repo: '{{body.repository.full_name}}',
        sha: '{{body.after}}',
        pusher: '{{body.pusher.name}}',
      },
    })
    const res = await github(t, 'push', push())
    expect(res.statusCode, res.body).toBe(202)
    expect(await inputOf(res.json().executionId)).toEqual({
      repo: 'octocat/Hello-World',
      sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      pusher: 'octocat',
    })
  })

  it('resolves nested paths, arrays, missing values, headers, the event and the delivery id, typed', async () => {
    const template = {
      repo: {
        id: '{{body.repository.id}}',
        topics: '{{body.repository.topics}}',
        firstTopic: '{{body.repository.topics[0]}}',
      },
      commits: ['{{body.commits[0].id}}', '{{body.commits.1.message}}', '{{body.commits[5].id}}'],
      added: '{{body.commits[0].added}}',
      forced: '{{body.forced}}',
      size: '{{body.size}}',
      missing: '{{body.nope.deeper}}',
      title:
        '{{event}} by {{body.pusher.name}} ({{body.size}} commits, forced={{body.forced}}, gone="{{body.nope}}")',
      meta: {
        event: '{{event}}',
        delivery: '{{deliveryId}}',
        agent: '{{headers.user-agent}}',
        none: '{{headers.x-absent}}',
      },
      literal: 42,
    }
    const t = await create({ scheme: 'github', inputTemplate: template })
    expect(t.inputTemplate).toEqual(template)
    const delivery = randomUUID()
    const res = await github(t, 'push', push(), delivery)
    expect(res.statusCode, res.body).toBe(202)
    const input = await inputOf(res.json().executionId)
    expect(input).toEqual({
      repo: { id: 1296269, topics: ['api', 'demo'], firstTopic: 'api' },
      commits: ['c1', 'Update README', null],
      added: ['a.ts'],
      forced: false,
      size: 2,
      missing: null,
      title: 'push by octocat (2 commits, forced=false, gone="")',
      meta: { event: 'push', delivery, agent: 'GitHub-Hookshot/abc', none: null },
      literal: 42,
    })
    // Nothing of the credentials or the signature reaches the input.
    expect(JSON.stringify(input)).not.toMatch(/do-not-copy|sha256=/)
    // The list shows the same stored input.
    expect((await executionsOf(t.id))[0]?.input).toEqual(input)
  })

  it('standard scheme: {{event}} is the body type (null without one), headers.webhook-id is reachable', async () => {
    const t = await create({
      inputTemplate: {
        kind: '{{event}}',
        id: '{{headers.webhook-id}}',
        same: '{{deliveryId}}',
        whole: '{{body}}',
      },
    })
    const typed = await standard(t, { type: 'invoice.paid', n: 1 }, 'msg_typed')
    expect(await inputOf(typed.json().executionId)).toEqual({
      kind: 'invoice.paid',
      id: 'msg_typed',
      same: 'msg_typed',
      whole: { type: 'invoice.paid', n: 1 },
    })
    const untyped = await standard(t, { n: 2 }, 'msg_untyped')
    expect(await inputOf(untyped.json().executionId)).toEqual({
      kind: null,
      id: 'msg_untyped',
      same: 'msg_untyped',
      whole: { n: 2 },
    })
  })

  it('PATCH changes the template (the next delivery sees the new version) and null removes it', async () => {
    const t = await create({ inputTemplate: { v: 1, n: '{{body.n}}' } })
    const first = await standard(t, { n: 'a' })
    expect(await inputOf(first.json().executionId)).toEqual({ v: 1, n: 'a' })
    expect(
      (await api('PATCH', `/api/triggers/${t.id}`, { inputTemplate: { v: 2, n: '{{body.n}}' } })).statusCode,
    ).toBe(200)
    const second = await standard(t, { n: 'b' })
    expect(await inputOf(second.json().executionId)).toEqual({ v: 2, n: 'b' })
    expect(
      (await api('PATCH', `/api/triggers/${t.id}`, { inputTemplate: null })).json().inputTemplate,
    ).toBeNull()
    const third = await standard(t, { n: 'c' })
    expect(await inputOf(third.json().executionId)).toEqual({ n: 'c' })
  })

  it('refuses a delivery whose template would make an input over 1 MiB: 422, nothing started or remembered', async () => {
    const t = await create({ inputTemplate: { a: '{{body}}', b: '{{body}}' } })
    const body = { blob: 'x'.repeat(600_000) }
    const res = await standard(t, body, 'msg_big')
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json()).toMatchObject({
      code: 'SCHED_ERR_INPUT_TOO_LARGE',
      errors: [{ path: 'inputTemplate.b' }],
    })
    expect(await executionsOf(t.id)).toHaveLength(0)
    // Not remembered: after the template is fixed, the same delivery id starts.
    await api('PATCH', `/api/triggers/${t.id}`, { inputTemplate: { a: '{{body}}' } })
    expect((await standard(t, body, 'msg_big')).statusCode).toBe(202)
  })
})

describe('event trigger inputTemplate', () => {
  it('README example: the event data shaped by {{data.*}}, {{type}} and {{id}}', async () => {
    const t = await create({
      type: 'event',
      eventType: 'order.*',
      inputTemplate: {
        orderId: '{{data.order.id}}',
        lines: '{{data.order.lines}}',
        firstSku: '{{data.order.lines[0].sku}}',
        event: '{{type}}',
        ref: 'event {{id}}',
        missing: '{{data.customer}}',
      },
    })
    const data = { order: { id: 42, lines: [{ sku: 'A', qty: 2 }] } }
    const res = await api('POST', '/api/events', { type: 'order.created', data, id: 'evt-22' })
    expect(res.statusCode, res.body).toBe(202)
    const [executionId] = res.json().executions
    expect(await inputOf(executionId)).toEqual({
      orderId: 42,
      lines: [{ sku: 'A', qty: 2 }],
      firstSku: 'A',
      event: 'order.created',
      ref: 'event evt-22',
      missing: null,
    })
    expect((await executionsOf(t.id)).map((e) => e.id)).toEqual([executionId])
  })
})

describe('bad templates and eventTypes: 422 naming the path, nothing written', () => {
  const count = async () => (await api('GET', '/api/triggers?limit=500')).json().items.length

  it('refuses an unknown root, an excluded header, a deep placeholder, a big template, a bad glob', async () => {
    const before = await count()
    const deep = `{{body.${Array.from({ length: 33 }, (_, i) => `k${i}`).join('.')}}}`
    const cases: [Record<string, unknown>, string, string][] = [
      [{ inputTemplate: { sha: '{{input.after}}' } }, 'SCHED_ERR_TEMPLATE_INVALID', 'body.inputTemplate.sha'],
      [
        { inputTemplate: { a: { b: ['x', '{{payload.x}}'] } } },
        'SCHED_ERR_TEMPLATE_INVALID',
        'body.inputTemplate.a.b.1',
      ],
      [
        { inputTemplate: { sig: '{{headers.x-hub-signature-256}}' } },
        'SCHED_ERR_TEMPLATE_INVALID',
        'body.inputTemplate.sig',
      ],
      [
        { inputTemplate: { sig: '{{headers.webhook-signature}}' } },
        'SCHED_ERR_TEMPLATE_INVALID',
        'body.inputTemplate.sig',
      ],
      [
        { inputTemplate: { who: '{{headers.authorization}}' } },
        'SCHED_ERR_TEMPLATE_INVALID',
        'body.inputTemplate.who',
      ],
      [{ inputTemplate: { c: '{{headers.cookie}}' } }, 'SCHED_ERR_TEMPLATE_INVALID', 'body.inputTemplate.c'],
      [{ inputTemplate: { d: deep } }, 'SCHED_ERR_TEMPLATE_INVALID', 'body.inputTemplate.d'],
      [{ inputTemplate: { big: 'x'.repeat(70_000) } }, 'SCHED_ERR_TEMPLATE_INVALID', 'body.inputTemplate'],
      [
        { type: 'event', eventType: 'order.*', inputTemplate: { b: '{{body.x}}' } },
        'SCHED_ERR_TEMPLATE_INVALID',
        'body.inputTemplate.b',
      ],
      [{ eventType: 'push*' }, 'SCHED_ERR_EVENT_TYPE_INVALID', 'body.eventType'],
      [{ eventType: 'a..b' }, 'SCHED_ERR_EVENT_TYPE_INVALID', 'body.eventType'],
      [{ type: 'event', eventType: 'order.*.x' }, 'SCHED_ERR_EVENT_TYPE_INVALID', 'body.eventType'],
    ]
    for (const [fields, code, path] of cases) {
      const res = await api('POST', '/api/triggers', {
        workflowId,
        name: `bad-${randomUUID()}`,
        type: 'webhook',
        ...fields,
      })
      expect(res.statusCode, JSON.stringify(fields).slice(0, 100)).toBe(422)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(res.json()).toMatchObject({ code, errors: [{ path }] })
    }
    expect(await count()).toBe(before)
  })

  it('a template nested deeper than 32 levels is refused naming the path (the body check, 400)', async () => {
    let nested: Record<string, unknown> = { leaf: '{{body.x}}' }
    for (let i = 0; i < 32; i++) nested = { a: nested }
    const before = await count()
    const res = await api('POST', '/api/triggers', {
      workflowId,
      name: 'deep',
      type: 'webhook',
      inputTemplate: nested,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('SCHED_ERR_JSON_UNSUPPORTED')
    expect(res.json().errors[0].path).toMatch(/^body\.inputTemplate\.a\.a\.a/)
    expect(await count()).toBe(before)
  })

  it('PATCH with a bad template or eventType changes nothing', async () => {
    const t = await create({ scheme: 'github', eventType: 'push', inputTemplate: { sha: '{{body.after}}' } })
    for (const patch of [{ inputTemplate: { sha: '{{input.after}}' } }, { eventType: 'pu*sh' }]) {
      const res = await api('PATCH', `/api/triggers/${t.id}`, patch)
      expect(res.statusCode).toBe(422)
    }
    const now = (await api('GET', `/api/triggers/${t.id}`)).json()
    expect(now).toMatchObject({
      version: t.version,
      eventType: 'push',
      inputTemplate: { sha: '{{body.after}}' },
    })
  })
})

describe('OpenAPI', () => {
  it('documents eventType and inputTemplate on the trigger schemas', async () => {
    const doc = inlineRefs((await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json())
    const create = doc.paths['/api/triggers'].post.requestBody.content['application/json'].schema
    const created = doc.paths['/api/triggers/{id}'].get.responses['200'].content['application/json'].schema
    const patch = doc.paths['/api/triggers/{id}'].patch.requestBody.content['application/json'].schema
    for (const schema of [create, created, patch])
      expect(Object.keys(schema.properties)).toContain('inputTemplate')
    expect(JSON.stringify(create.properties.inputTemplate)).toMatch(/headers\.<lower-case name>/)
    expect(JSON.stringify(create.properties.eventType)).toMatch(/X-GitHub-Event/)
  })
})
