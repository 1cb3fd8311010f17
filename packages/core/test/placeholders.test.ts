import { describe, expect, it } from 'vitest'
import {
  type PlaceholderContext,
  parsePlaceholderPath,
  resolveHeaders,
  resolveHttpRequest,
  resolvePlaceholders,
  resolveTemplate,
  resolveUrl,
} from '../src/index.ts'

const ctx: PlaceholderContext = {
  execution: { id: 'e-1', scheduledFor: new Date('2026-03-08T07:00:00.000Z'), attempt: 2 },
  input: {
    count: 3,
    ok: true,
    none: null,
    name: 'Ada Lovelace',
    path: '../admin?x=1#frag',
    host: 'api.example.com:8443',
    base: 'https://hooks.example.com/v1',
    order: { id: 'o/1', items: [{ sku: 'A' }, { sku: 'B' }] },
    'odd key': 'odd',
    when: new Date('2026-01-01T00:00:00.000Z'),
  },
  steps: {
    fetch: { status: 'succeeded', statusCode: 200, body: { token: 'abc', list: [1, 2] } },
    'fetch.v2': { status: 'failed', body: { token: 'v2' } },
    wait: { status: 'succeeded' },
  },
}

describe('parsePlaceholderPath', () => {
  it('splits dotted and bracket paths', () => {
    expect(parsePlaceholderPath('input.a.b')).toEqual(['input', 'a', 'b'])
    expect(parsePlaceholderPath('input.items[0].sku')).toEqual(['input', 'items', '0', 'sku'])
    expect(parsePlaceholderPath('input["odd key"]')).toEqual(['input', 'odd key'])
    expect(parsePlaceholderPath("input['x.y']")).toEqual(['input', 'x.y'])
  })
  it('refuses anything else', () => {
    for (const bad of ['', 'input.', 'input..a', 'a b', 'input.a()', 'x[y]', '1 + 1', 'input]'])
      expect(parsePlaceholderPath(bad)).toBeNull()
  })
})

describe('resolveTemplate (strings)', () => {
  it('resolves the execution fields', () => {
    expect(resolveTemplate('{{execution.id}}/{{ execution.attempt }}/{{execution.scheduledFor}}', ctx)).toBe(
      'e-1/2/2026-03-08T07:00:00.000Z',
    )
    expect(
      resolveTemplate('{{execution.scheduledFor}}', {
        ...ctx,
        execution: { ...ctx.execution, scheduledFor: '2026-03-08T07:00:00Z' },
      }),
    ).toBe('2026-03-08T07:00:00Z')
  })
  it('stringifies values inside a longer string', () => {
    expect(resolveTemplate('n={{input.count}} ok={{input.ok}} none=[{{input.none}}]', ctx)).toBe(
      'n=3 ok=true none=[]',
    )
    expect(resolveTemplate('o={{input.order.items}}', ctx)).toBe('o=[{"sku":"A"},{"sku":"B"}]')
    expect(resolveTemplate('at {{input.when}}', ctx)).toBe('at 2026-01-01T00:00:00.000Z')
  })
  it('reads input, array indexes and bracket keys', () => {
    expect(resolveTemplate('{{input.order.items.1.sku}}{{input.order.items[0].sku}}', ctx)).toBe('BA')
    expect(resolveTemplate('{{input["odd key"]}}', ctx)).toBe('odd')
  })
  it('reads step status, statusCode and body; the longest dotted step name wins', () => {
    expect(
      resolveTemplate('{{steps.fetch.status}} {{steps.fetch.statusCode}} {{steps.fetch.body.token}}', ctx),
    ).toBe('succeeded 200 abc')
    expect(resolveTemplate('{{steps.fetch.v2.body.token}} {{steps.fetch.v2.status}}', ctx)).toBe('v2 failed')
    expect(resolveTemplate('{{steps.fetch.body.list[1]}}', ctx)).toBe('2')
  })
  it('unknown paths give "" and are reported', () => {
    const unresolved: string[] = []
    const out = resolveTemplate(
      '[{{input.nope}}][{{input.name.length}}][{{input.order.items.9}}][{{input.order.items.x}}][{{steps.nope.status}}][{{steps.fetch.headers}}][{{steps.fetch.status.x}}][{{steps.wait.statusCode}}][{{execution.tenant}}][{{execution}}][{{other.x}}][{{steps.fetch}}]',
      ctx,
      { onUnresolved: (p) => unresolved.push(p) },
    )
    expect(out).toBe('[][][][][][][][][][][][]')
    expect(unresolved).toHaveLength(12)
    expect(unresolved[0]).toBe('input.nope')
  })
  it('never reaches prototypes', () => {
    expect(resolveTemplate('{{input.constructor}}{{input.__proto__}}{{input.toString}}', ctx)).toBe('')
    expect(resolveTemplate('{{steps.constructor.status}}', ctx)).toBe('')
  })
  it('text that is not a path stays as written', () => {
    expect(resolveTemplate('{{ 1 + 1 }} {{}} {{process.exit()}} {x} {{input.count}}', ctx)).toBe(
      '{{ 1 + 1 }} {{}} {{process.exit()}} {x} 3',
    )
  })
})

describe('resolvePlaceholders (JSON body)', () => {
  it('an exact placeholder keeps the JSON type', () => {
    const body = {
      count: '{{input.count}}',
      ok: '{{ input.ok }}',
      none: '{{input.none}}',
      order: '{{input.order}}',
      missing: '{{input.missing}}',
      text: 'count: {{input.count}}',
      list: ['{{steps.fetch.body.list}}', 'literal', 7, null, false],
      nested: { deep: { token: '{{steps.fetch.body.token}}' } },
      '{{input.name}}': 'keys are not templated',
      when: '{{input.when}}',
    }
    expect(resolvePlaceholders(body, ctx)).toEqual({
      count: 3,
      ok: true,
      none: null,
      order: { id: 'o/1', items: [{ sku: 'A' }, { sku: 'B' }] },
      missing: null,
      text: 'count: 3',
      list: [[1, 2], 'literal', 7, null, false],
      nested: { deep: { token: 'abc' } },
      '{{input.name}}': 'keys are not templated',
      when: '2026-01-01T00:00:00.000Z',
    })
  })
  it('returns a new value and copies context values', () => {
    const body = { a: ['{{input.order}}'] }
    const frozen = JSON.parse(JSON.stringify(body))
    const out = resolvePlaceholders(body, ctx) as { a: [{ items: unknown[] }] }
    expect(body).toEqual(frozen)
    out.a[0].items.push('mutated')
    expect((ctx.input as { order: { items: unknown[] } }).order.items).toHaveLength(2)
  })
  it('a string with two placeholders, or not a path, stays a string', () => {
    expect(resolvePlaceholders('{{input.count}}{{input.count}}', ctx)).toBe('33')
    expect(resolvePlaceholders('{{ nope nope }}', ctx)).toBe('{{ nope nope }}')
  })
  it('scalars pass through; Dates and undefined members become JSON', () => {
    expect(resolvePlaceholders(5, ctx)).toBe(5)
    expect(resolvePlaceholders(null, ctx)).toBeNull()
    expect(resolvePlaceholders(new Date(0), ctx)).toBe('1970-01-01T00:00:00.000Z')
    expect(
      resolvePlaceholders('{{input.weird}}', {
        ...ctx,
        input: { weird: { a: undefined, b: [undefined, 1] } },
      }),
    ).toEqual({ b: [null, 1] })
  })
})

describe('resolveHeaders', () => {
  it('resolves values and strips line breaks from substituted text', () => {
    const headers = {
      Authorization: 'Bearer {{steps.fetch.body.token}}',
      'Idempotency-Key': '{{execution.id}}',
      'X-Bad': '{{input.evil}}',
    }
    const evil = { ...ctx, input: { evil: 'a\r\nInjected: yes\0' } }
    expect(resolveHeaders(headers, evil)).toEqual({
      Authorization: 'Bearer abc',
      'Idempotency-Key': 'e-1',
      'X-Bad': 'a  Injected: yes ',
    })
    expect(resolveHeaders(undefined, ctx)).toEqual({})
  })
})

describe('resolveUrl', () => {
  it('percent-encodes values in the path and query', () => {
    expect(resolveUrl('https://api.example.com/orders/{{input.order.id}}?q={{input.name}}', ctx)).toBe(
      'https://api.example.com/orders/o%2F1?q=Ada%20Lovelace',
    )
    expect(resolveUrl('https://x.test/{{input.path}}', ctx)).toBe('https://x.test/..%2Fadmin%3Fx%3D1%23frag')
  })
  it('a host[:port] value in the authority is inserted as is, anything else encoded', () => {
    expect(resolveUrl('https://{{input.host}}/v1/{{execution.id}}', ctx)).toBe(
      'https://api.example.com:8443/v1/e-1',
    )
    expect(resolveUrl('https://{{input.path}}/x', ctx)).toBe('https://..%2Fadmin%3Fx%3D1%23frag/x')
  })
  it('a placeholder at the start supplies the base', () => {
    expect(resolveUrl('{{input.base}}/orders/{{input.order.id}}', ctx)).toBe(
      'https://hooks.example.com/v1/orders/o%2F1',
    )
    expect(resolveUrl('{{input.missing}}/x', ctx)).toBe('/x')
  })
  it('leaves non-placeholders alone', () => {
    expect(resolveUrl('https://x.test/{{a b}}', ctx)).toBe('https://x.test/{{a b}}')
  })
})

describe('resolveHttpRequest', () => {
  it('resolves url, headers and body of a step', () => {
    expect(
      resolveHttpRequest(
        {
          url: 'https://x.test/{{input.count}}',
          headers: { a: '{{input.ok}}' },
          body: { n: '{{input.count}}' },
        },
        ctx,
      ),
    ).toEqual({ url: 'https://x.test/3', headers: { a: 'true' }, body: { n: 3 } })
    expect(resolveHttpRequest({ url: 'https://x.test/' }, ctx)).toEqual({
      url: 'https://x.test/',
      headers: {},
      body: undefined,
    })
  })
})
