import { createHmac, generateKeyPairSync } from 'node:crypto'
import { createSigner } from 'fast-jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWT_SECRET, setup, type TestContext } from './helper.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup()
})
afterAll(async () => {
  await ctx?.close()
})

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600

function hmacToken(alg: 'HS256' | 'HS384', payload: Record<string, unknown>, secret = JWT_SECRET) {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`
  const hash = alg === 'HS256' ? 'sha256' : 'sha384'
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`
}

async function get(authorization?: string) {
  return ctx.app.inject({
    method: 'GET',
    url: '/api/workflows',
    headers: authorization === undefined ? {} : { authorization },
  })
}

function expectProblem(res: Awaited<ReturnType<typeof get>>, status: number) {
  expect(res.statusCode).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = res.json()
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) })
  return body
}

describe('authentication', () => {
  it('accepts a valid HS256 token', async () => {
    const res = await get(`Bearer ${ctx.token()}`)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ items: [], nextCursor: null })
  })

  it('refuses a request without a token (401)', async () => {
    const body = expectProblem(await get(), 401)
    expect(body.detail).toMatch(/Authorization/)
  })

  it('refuses a malformed token and a non-bearer scheme', async () => {
    expectProblem(await get('Bearer not.a.token'), 401)
    expectProblem(await get(`Basic ${Buffer.from('a:b').toString('base64')}`), 401)
  })

  it('refuses an expired token', async () => {
    const token = hmacToken('HS256', {
      sub: 'a',
      tenant: 'acme',
      role: 'admin',
      exp: Math.floor(Date.now() / 1000) - 10,
    })
    const body = expectProblem(await get(`Bearer ${token}`), 401)
    expect(body.detail).toMatch(/expired/i)
  })

  it('refuses a token without exp', async () => {
    expectProblem(await get(`Bearer ${hmacToken('HS256', { sub: 'a', tenant: 'acme', role: 'admin' })}`), 401)
  })

  it('refuses alg:none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'a', tenant: 'acme', role: 'admin', exp: inAnHour() })}.`
    expectProblem(await get(`Bearer ${token}`), 401)
  })

  it('refuses a token signed with another algorithm, even with the right secret', async () => {
    const token = hmacToken('HS384', { sub: 'a', tenant: 'acme', role: 'admin', exp: inAnHour() })
    expectProblem(await get(`Bearer ${token}`), 401)
  })

  it('refuses an RS256 token when HS256 is configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const sign = createSigner({
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      algorithm: 'RS256',
    })
    expectProblem(
      await get(`Bearer ${sign({ sub: 'a', tenant: 'acme', role: 'admin', exp: inAnHour() })}`),
      401,
    )
  })

  it('refuses a wrong secret', async () => {
    const token = hmacToken(
      'HS256',
      { sub: 'a', tenant: 'acme', role: 'admin', exp: inAnHour() },
      'another-secret-xxxxxxxx',
    )
    expectProblem(await get(`Bearer ${token}`), 401)
  })

  it('refuses a token without tenant or with an unknown role', async () => {
    const noTenant = hmacToken('HS256', { sub: 'a', role: 'admin', exp: inAnHour() })
    expect(expectProblem(await get(`Bearer ${noTenant}`), 401).detail).toMatch(/tenant/)
    const badRole = hmacToken('HS256', { sub: 'a', tenant: 'acme', role: 'root', exp: inAnHour() })
    expect(expectProblem(await get(`Bearer ${badRole}`), 401).detail).toMatch(/role/)
    const noRole = hmacToken('HS256', { sub: 'a', tenant: 'acme', exp: inAnHour() })
    expectProblem(await get(`Bearer ${noRole}`), 401)
  })
})

describe('asymmetric keys (JWT_PUBLIC_KEY)', () => {
  it('verifies RS256 and ES256 with the public key and refuses HS256 signed with the key text', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
    const other = await setup({ env: { JWT_PUBLIC_KEY: publicPem } })
    try {
      const claims = { sub: 'a', tenant: 'acme', role: 'viewer', exp: inAnHour() }
      const rs = createSigner({
        key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        algorithm: 'RS256',
      })
      const ok = await other.app.inject({
        url: '/api/workflows',
        headers: { authorization: `Bearer ${rs(claims)}` },
      })
      expect(ok.statusCode).toBe(200)
      // The classic confusion attack: HS256 keyed with the public key's PEM text.
      const confused = hmacToken('HS256', claims, publicPem)
      const bad = await other.app.inject({
        url: '/api/workflows',
        headers: { authorization: `Bearer ${confused}` },
      })
      expect(bad.statusCode).toBe(401)
    } finally {
      await other.close()
    }
  })
})

describe('roles', () => {
  it('lets a viewer read and preview cron, but not write (403)', async () => {
    const viewer = ctx.auth('acme', 'viewer')
    expect((await ctx.app.inject({ url: '/api/schedules', headers: viewer })).statusCode).toBe(200)
    const preview = await ctx.app.inject({
      method: 'POST',
      url: '/api/cron/preview',
      headers: viewer,
      payload: { expression: '0 9 * * *' },
    })
    expect(preview.statusCode).toBe(200)
    const write = await ctx.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: viewer,
      payload: { name: 'x', steps: [{ name: 'd', type: 'delay', ms: 1 }] },
    })
    const body = expectProblem(write, 403)
    expect(body.detail).toMatch(/editor/)
  })

  it('lets an editor write', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/workflows',
      headers: ctx.auth('acme', 'editor'),
      payload: { name: 'editor-wf', steps: [{ name: 'd', type: 'delay', ms: 1 }] },
    })
    expect(res.statusCode).toBe(201)
  })
})
