import { describe, expect, it } from 'vitest'
import {
  compileInputTemplate,
  eventTypeMatches,
  INPUT_TEMPLATE_MAX_BYTES,
  validateInputTemplate,
  type WebhookTemplateSource,
} from '../src/index.ts'

const body = {
  ref: 'refs/heads/main',
  after: 'abc123',
  count: 3,
  ok: false,
  nothing: null,
  repository: { full_name: 'acme/api', owner: { login: 'acme' }, topics: ['a', 'b'] },
  commits: [{ id: 'c1', message: 'one' }, { id: 'c2' }],
  'odd key': 'odd',
}
const source = (over: Partial<WebhookTemplateSource> = {}): WebhookTemplateSource => ({
  body,
  headers: {
    'x-github-event': 'push',
    'x-github-delivery': 'd-1',
    'x-hub-signature-256': 'sha256=00',
    authorization: 'Bearer secret',
    cookie: 'session=1',
    'x-multi': ['a', 'b'],
  },
  event: 'push',
  deliveryId: 'd-1',
  ...over,
})
const resolve = (template: Record<string, unknown>, src = source()) => {
  const r = compileInputTemplate(template, 'webhook').resolve(src)
  if (!r.ok) throw new Error(r.message)
  return r.input
}

describe('inputTemplate resolution', () => {
  it('keeps the JSON type of a string that is exactly one placeholder', () => {
    expect(
      resolve({
        repo: '{{body.repository.full_name}}',
        count: '{{ body.count }}',
        ok: '{{body.ok}}',
        owner: '{{body.repository.owner}}',
        topics: '{{body.repository.topics}}',
        nothing: '{{body.nothing}}',
      }),
    ).toEqual({
      repo: 'acme/api',
      count: 3,
      ok: false,
      owner: { login: 'acme' },
      topics: ['a', 'b'],
      nothing: null,
    })
  })

  it('stringifies placeholders inside longer strings, in one pass', () => {
    const input = resolve(
      {
        text: 'push of {{body.count}} to {{body.ref}} ok={{body.ok}} owner={{body.repository.owner}}',
        gone: 'x{{body.missing}}y',
        again: '{{body.echo}}!',
      },
      source({ body: { ...body, echo: '{{deliveryId}}' } }),
    )
    expect(input).toEqual({
      text: 'push of 3 to refs/heads/main ok=false owner={"login":"acme"}',
      gone: 'xy',
      // Text a placeholder put in is never scanned again.
      again: '{{deliveryId}}!',
    })
  })

  it('walks nested paths and arrays, and resolves missing values to null', () => {
    expect(
      resolve({
        first: '{{body.commits[0].id}}',
        second: '{{body.commits.1.id}}',
        third: '{{body.commits[2].id}}',
        noMessage: '{{body.commits[1].message}}',
        odd: '{{body["odd key"]}}',
        deep: { list: ['{{body.repository.owner.login}}', 7, '{{body.nope.nope}}'] },
        proto: '{{body.constructor}}',
      }),
    ).toEqual({
      first: 'c1',
      second: 'c2',
      third: null,
      noMessage: null,
      odd: 'odd',
      deep: { list: ['acme', 7, null] },
      proto: null,
    })
  })

  it('reads headers in lower case (arrays joined), the event and the delivery id; excluded headers are absent', () => {
    expect(
      resolve({
        event: '{{event}}',
        delivery: '{{deliveryId}}',
        gh: '{{headers.x-github-delivery}}',
        multi: '{{headers.x-multi}}',
        absent: '{{headers.x-not-sent}}',
      }),
    ).toEqual({ event: 'push', delivery: 'd-1', gh: 'd-1', multi: 'a, b', absent: null })
    // Refused when written, and never read even if a compiled template asked.
    for (const h of [
      'authorization',
      'cookie',
      'x-hub-signature-256',
      'webhook-signature',
      'x-hub-signature',
    ]) {
      expect(validateInputTemplate({ h: `{{headers.${h}}}` }, 'webhook')).toEqual([
        { path: ['h'], message: `{{headers.${h}}}: the ${h} header is never passed to templates` },
      ])
    }
  })

  it('resolves an event template from data, type and id', () => {
    const t = compileInputTemplate(
      { order: '{{data.order.id}}', kind: '{{type}}', ref: 'evt {{id}}' },
      'event',
    )
    expect(t.resolve({ data: { order: { id: 7 } }, type: 'order.created', id: 'e-9' })).toEqual({
      ok: true,
      input: { order: 7, kind: 'order.created', ref: 'evt e-9' },
    })
  })

  it('caps the input: {{body}} repeated thousands of times is refused, naming where', () => {
    const big = { blob: 'x'.repeat(200_000) }
    const template = { list: Array.from({ length: 5_000 }, () => '{{body}}') }
    expect(JSON.stringify(template).length).toBeLessThan(INPUT_TEMPLATE_MAX_BYTES)
    const r = compileInputTemplate(template, 'webhook').resolve(source({ body: big }))
    // 55 KB of template + 5 × 200 KB passes 1 MiB at the fifth copy.
    expect(r).toEqual({ ok: false, path: ['list', 4], message: 'makes an input over 1048576 bytes of JSON' })
    const inText = compileInputTemplate({ s: '{{body}}'.repeat(7_000) }, 'webhook').resolve(
      source({ body: big }),
    )
    expect(inText.ok).toBe(false)
    // Under the cap it resolves, the same value shared.
    const ok = compileInputTemplate({ a: '{{body}}', b: '{{body}}' }, 'webhook').resolve(
      source({ body: big }),
    )
    expect(ok).toEqual({ ok: true, input: { a: big, b: big } })
  })

  it('does not touch literal values and keys', () => {
    expect(resolve({ '{{body.ref}}': 1, n: null, list: [true, 2.5, 'plain'] })).toEqual({
      '{{body.ref}}': 1,
      n: null,
      list: [true, 2.5, 'plain'],
    })
  })
})

describe('inputTemplate validation', () => {
  it('accepts every documented root', () => {
    expect(
      validateInputTemplate(
        { a: '{{body}}', b: '{{headers.x-id}}', c: '{{event}} {{deliveryId}}' },
        'webhook',
      ),
    ).toEqual([])
    expect(validateInputTemplate({ a: '{{data.x}}', b: '{{type}}', c: '{{id}}' }, 'event')).toEqual([])
  })

  it('names the path of an unknown root, a bad header name or a path deeper than 32 levels', () => {
    expect(validateInputTemplate({ a: { b: ['x', '{{input.sha}}'] } }, 'webhook')).toEqual([
      {
        path: ['a', 'b', 1],
        message:
          '{{input.sha}}: unknown placeholder root "input" (a webhook template may use body, headers, event, deliveryId)',
      },
    ])
    expect(validateInputTemplate({ a: '{{body.x}}' }, 'event')[0]?.message).toMatch(
      /unknown placeholder root "body"/,
    )
    expect(validateInputTemplate({ a: '{{headers.X-Id}}' }, 'webhook')[0]?.message).toMatch(/lower case/)
    expect(validateInputTemplate({ a: '{{headers}}' }, 'webhook')[0]?.message).toMatch(/headers\.<lower-case/)
    expect(validateInputTemplate({ a: '{{event.name}}' }, 'webhook')[0]?.message).toMatch(/takes no path/)
    const deep = `{{body.${Array.from({ length: 33 }, (_, i) => `k${i}`).join('.')}}}`
    expect(validateInputTemplate({ a: deep }, 'webhook')[0]?.message).toMatch(/deeper than 32 levels/)
    const ok = `{{body.${Array.from({ length: 32 }, (_, i) => `k${i}`).join('.')}}}`
    expect(validateInputTemplate({ a: ok }, 'webhook')).toEqual([])
  })

  it('refuses a template nested deeper than 32 levels or over 64 KiB, and a non-object', () => {
    let nested: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 32; i++) nested = { a: nested }
    const problems = validateInputTemplate(nested, 'webhook')
    expect(problems).toHaveLength(1)
    expect(problems[0]!.path).toHaveLength(32)
    expect(problems[0]!.message).toBe('is nested deeper than 32 levels')
    expect(validateInputTemplate({ big: 'é'.repeat(33_000) }, 'webhook')[0]).toMatchObject({
      path: [],
      message: expect.stringMatching(/over the 65536 \(64 KiB\) limit/),
    })
    expect(validateInputTemplate(['{{body}}'], 'webhook')[0]?.message).toMatch(/must be a JSON object/)
    expect(() => compileInputTemplate({ a: '{{input.x}}' }, 'webhook')).toThrow(/unknown placeholder root/)
  })
})

describe('eventTypeMatches', () => {
  it('matches exact names, prefix globs and *; no name matches nothing', () => {
    expect(eventTypeMatches('push', 'push')).toBe(true)
    expect(eventTypeMatches('push', 'pull_request')).toBe(false)
    expect(eventTypeMatches('*', 'ping')).toBe(true)
    expect(eventTypeMatches('order.*', 'order.item.added')).toBe(true)
    expect(eventTypeMatches('order.*', 'order')).toBe(false)
    expect(eventTypeMatches('*', null)).toBe(false)
    expect(eventTypeMatches('*', '')).toBe(false)
  })
})
