import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import {
  createSecretMasker,
  hostAllowed,
  literalAuthority,
  literalHost,
  normalizeAllowedHost,
  resolveHttpRequest,
  SECRET_MASK,
  standardWebhookKey,
  standardWebhookSignatureHeader,
  stepSecretRefs,
} from '../src/index.ts'

describe('stepSecretRefs', () => {
  it('finds secret names in url, header values and body strings, never in keys', () => {
    const refs = stepSecretRefs({
      url: 'https://a.example/{{secrets.PATH_KEY}}?q={{ secrets.Q }}',
      headers: { authorization: 'Bearer {{secrets.TOKEN}}', '{{secrets.KEY_NAME}}': 'x' },
      body: { a: ['{{secrets["B"]}}'], '{{secrets.NOT_A_REF}}': 1, n: 3, c: '{{input.secrets.X}}' },
    })
    expect(refs).toEqual({ names: ['B', 'PATH_KEY', 'Q', 'TOKEN'], invalid: [] })
  })

  it('lists secret placeholders that can never resolve, with their path', () => {
    const refs = stepSecretRefs({
      url: 'https://a.example/{{secrets}}',
      headers: { h: '{{secrets.lower}}' },
      body: { deep: [{ x: '{{secrets.A.B}}' }] },
    })
    expect(refs.names).toEqual([])
    expect(refs.invalid.map((e) => e.path)).toEqual(['url', 'headers.h', 'body.deep.0.x'])
  })
})

describe('literalAuthority', () => {
  it('is the literal text through the first / ? or # after ://', () => {
    expect(literalAuthority('https://api.example.com/x/{{input.id}}')).toBe('https://api.example.com/')
    expect(literalAuthority('https://api.example.com?k={{secrets.K}}')).toBe('https://api.example.com?')
    expect(literalAuthority('https://api.example.com:8443#{{input.f}}')).toBe('https://api.example.com:8443#')
    expect(literalAuthority('https://api.example.com')).toBe('https://api.example.com')
    expect(literalHost('https://api.example.com:8443/x')).toBe('api.example.com:8443')
  })

  it('refuses a placeholder or an @ before it, and urls without ://', () => {
    for (const url of [
      '{{input.url}}',
      '{{input.base}}/x',
      'https://api.example.com{{input.x}}',
      'https://api.example.com@{{input.h}}/',
      'https://user:pw@api.example.com/',
      'https://{{input.host}}/',
      '{{input.scheme}}://api.example.com/',
      'https:api.example.com/',
    ]) {
      expect(literalAuthority(url), url).toBeNull()
    }
  })
})

describe('allowedHosts', () => {
  it('normalizes entries and refuses what is not a host', () => {
    expect(normalizeAllowedHost('API.Example.com.')).toBe('api.example.com')
    expect(normalizeAllowedHost('*.Hooks.io')).toBe('*.hooks.io')
    expect(normalizeAllowedHost('127.0.0.1')).toBe('127.0.0.1')
    expect(normalizeAllowedHost('[::1]')).toBe('[::1]')
    for (const bad of ['https://a.com', 'a.com:443', 'a.com/x', 'u@a.com', '*.1.2.3.4', '', 'a b']) {
      expect(normalizeAllowedHost(bad), bad).toBeNull()
    }
  })

  it('matches exact hosts and wildcard subdomains (not the apex); null allows any host', () => {
    const allowed = ['api.example.com', '*.hooks.io']
    expect(hostAllowed('api.example.com', allowed)).toBe(true)
    expect(hostAllowed('API.example.com', allowed)).toBe(true)
    expect(hostAllowed('a.b.hooks.io', allowed)).toBe(true)
    expect(hostAllowed('hooks.io', allowed)).toBe(false)
    expect(hostAllowed('evilhooks.io', allowed)).toBe(false)
    expect(hostAllowed('api.example.com.evil.net', allowed)).toBe(false)
    expect(hostAllowed('anything', null)).toBe(true)
    expect(hostAllowed('anything', [])).toBe(false)
  })
})

describe('createSecretMasker', () => {
  it('masks the value and its URL-encoded, base64 and JSON-escaped forms', () => {
    const value = 'p@ss/w+rd "q"'
    const m = createSecretMasker()
    expect(m.active).toBe(false)
    expect(m.mask(value)).toBe(value)
    m.add([value])
    const b64 = Buffer.from(value).toString('base64')
    const text = `a ${value} b ${encodeURIComponent(value)} c ${b64} d ${JSON.stringify({ v: value })}`
    const masked = m.mask(text)
    expect(masked).toBe(`a ${SECRET_MASK} b ${SECRET_MASK} c ${SECRET_MASK} d {"v":"${SECRET_MASK}"}`)
  })

  it('masks the longer of two overlapping values whole', () => {
    const m = createSecretMasker()
    m.add(['abc', 'abcdef'])
    expect(m.mask('xabcdefx abc')).toBe(`x${SECRET_MASK}x ${SECRET_MASK}`)
  })
})

describe('secrets in placeholders', () => {
  const ctx = {
    execution: { id: 'e', scheduledFor: '2026-01-01T00:00:00.000Z', attempt: 1 },
    input: { planted: '{{secrets.T}}', id: 'a/b' },
    steps: {},
    secrets: { T: 'v&x=1' },
  }

  it('resolve in one pass: a value that holds placeholder text is never resolved again', () => {
    const r = resolveHttpRequest(
      {
        url: 'https://a.example/{{input.id}}?t={{secrets.T}}',
        headers: { a: '{{input.planted}}', b: '{{secrets.T}}' },
        body: { p: '{{input.planted}}', s: '{{secrets.T}}', u: '{{secrets.UNKNOWN}}' },
      },
      ctx,
    )
    expect(r.url).toBe('https://a.example/a%2Fb?t=v%26x%3D1')
    expect(r.headers).toEqual({ a: '{{secrets.T}}', b: 'v&x=1' })
    expect(r.body).toEqual({ p: '{{secrets.T}}', s: 'v&x=1', u: null })
  })
})

describe('standardWebhookSignatureHeader', () => {
  it('is verified by the standardwebhooks package with each of its keys', () => {
    const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldA==']
    const keys = secrets.map((s) => standardWebhookKey(s)!)
    const ts = String(Math.floor(Date.now() / 1000))
    const header = standardWebhookSignatureHeader(keys, 'exec.step', ts, '{"a":1}')
    expect(header.split(' ')).toHaveLength(2)
    const headers = { 'webhook-id': 'exec.step', 'webhook-timestamp': ts, 'webhook-signature': header }
    for (const s of secrets) expect(new Webhook(s).verify('{"a":1}', headers)).toEqual({ a: 1 })
    const one = standardWebhookSignatureHeader(keys.slice(1), 'exec.step', ts, '{"a":1}')
    expect(() =>
      new Webhook(secrets[0]!).verify('{"a":1}', { ...headers, 'webhook-signature': one }),
    ).toThrow()
  })
})
