import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSigner } from 'fast-jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWT_SECRET, setup, type TestContext } from './helper.ts'

// A local identity provider: its JWKS over HTTP, counting the fetches the API makes.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwk = (key: KeyObject, kid: string, alg: string) => ({
  ...key.export({ format: 'jwk' }),
  kid,
  alg,
  use: 'sig',
})

let server: Server
let fetches = 0
let ctx: TestContext
const ISSUER = 'https://id.example.com/'
const AUDIENCE = 'punctual-api'

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return res.writeHead(404).end()
    fetches++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({ keys: [jwk(rsa.publicKey, 'rsa-1', 'RS256'), jwk(ec.publicKey, 'ec-1', 'ES256')] }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  ctx = await setup({
    env: { JWT_JWKS_URL: url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_MAX_TTL_SECONDS: '3600' },
  })
})
afterAll(async () => {
  await ctx?.close()
  await new Promise((resolve) => server?.close(resolve))
})

const nowSec = () => Math.floor(Date.now() / 1000)
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'alice',
  tenant: 'acme',
  role: 'viewer',
  iss: ISSUER,
  aud: AUDIENCE,
  iat: nowSec(),
  exp: nowSec() + 600,
  ...extra,
})

function sign(
  payload: Record<string, unknown>,
  opts: { key?: KeyObject; alg?: 'RS256' | 'ES256'; kid?: string | undefined } = {},
) {
  const key = (opts.key ?? rsa.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string
  const signer = createSigner({
    key,
    algorithm: opts.alg ?? 'RS256',
    ...('kid' in opts ? (opts.kid === undefined ? {} : { kid: opts.kid }) : { kid: 'rsa-1' }),
  })
  return signer(payload)
}

const get = (token: string) =>
  ctx.app.inject({ url: '/api/workflows', headers: { authorization: `Bearer ${token}` } })
const problem = (res: { json(): Record<string, unknown> }) => {
  const { requestId: _, ...rest } = res.json()
  return rest
}

describe('JWT_JWKS_URL', () => {
  it('verifies RS256 and ES256 tokens with keys from the JWKS, fetched once and cached', async () => {
    expect((await get(sign(claims()))).statusCode).toBe(200)
    expect((await get(sign(claims(), { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' }))).statusCode).toBe(
      200,
    )
    for (let i = 0; i < 5; i++) expect((await get(sign(claims({ sub: `u${i}` })))).statusCode).toBe(200)
    expect(fetches).toBe(1)
  })

  it('refuses a flood of unknown kids with 401 while fetching the JWKS at most once per 30 s', async () => {
    const before = fetches
    const bad = problem(
      await get(sign(claims(), { key: rsa.privateKey, kid: 'rsa-1' }).slice(0, -4) + 'AAAA'),
    )
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        get(sign(claims(), { key: stranger.privateKey, kid: `unknown-${i}` })),
      ),
    )
    for (const res of answers) {
      expect(res.statusCode).toBe(401)
      expect(problem(res)).toEqual(bad)
    }
    // The first fetch (the test above) started the 30 s: none of the unknown kids made another.
    expect(fetches - before).toBe(0)
    // Known keys keep working meanwhile.
    expect((await get(sign(claims()))).statusCode).toBe(200)
  })

  it('refuses a token without kid, another algorithm, a wrong iss or aud, or a lifetime over JWT_MAX_TTL_SECONDS', async () => {
    const hs = createSigner({ key: JWT_SECRET, algorithm: 'HS256', kid: 'rsa-1' })(claims())
    const cases: [string, string][] = [
      ['no kid', sign(claims(), { kid: undefined })],
      ['HS256', hs],
      ['another issuer', sign(claims({ iss: 'https://evil.example.com/' }))],
      ['another audience', sign(claims({ aud: 'someone-else' }))],
      ['no issuer', sign(claims({ iss: undefined }))],
      ['a lifetime over the maximum', sign(claims({ iat: nowSec(), exp: nowSec() + 3601 }))],
      ['no iat and exp too far', sign(claims({ iat: undefined, exp: nowSec() + 7200 }))],
      ['expired', sign(claims({ iat: nowSec() - 100, exp: nowSec() - 10 }))],
      ['signed by another key under a known kid', sign(claims(), { key: stranger.privateKey, kid: 'rsa-1' })],
    ]
    for (const [what, token] of cases) {
      const res = await get(token)
      expect(res.statusCode, what).toBe(401)
      expect(res.json().code, what).toBe('SCHED_ERR_UNAUTHORIZED')
    }
    // At the maximum exactly: accepted.
    expect((await get(sign(claims({ iat: nowSec(), exp: nowSec() + 3600 })))).statusCode).toBe(200)
  })
})
