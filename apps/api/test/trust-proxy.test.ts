import { generateWebhookSecret } from '@punctual/core'
import { createAuditRepo } from '@punctual/db'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadApiConfig, parseTrustProxy } from '../src/config.ts'
import { setup, type TestContext } from './helper.ts'
import { insertHookTrigger } from './trigger-rows.ts'

// Behind a load balancer every request comes from the balancer's address (here 10.0.0.5, the balancer on the
// private network); the client's own is in X-Forwarded-For. TRUST_PROXY decides whether it is believed.
const BALANCER = '10.0.0.5'
let trusting: TestContext
let plain: TestContext

beforeAll(async () => {
  const env = { API_UNAUTH_RATE_LIMIT_PER_MINUTE: '2' }
  ;[trusting, plain] = await Promise.all([
    setup({ env: { ...env, TRUST_PROXY: '10.0.0.0/8' } }),
    setup({ env }),
  ])
})
afterAll(async () => {
  await Promise.all([trusting?.close(), plain?.close()])
})

/** A request with a bad token from `client`, through the balancer. */
const badAuth = (ctx: TestContext, client: string) =>
  ctx.app.inject({
    url: '/api/workflows',
    remoteAddress: BALANCER,
    headers: { authorization: 'Bearer not-a-token', 'x-forwarded-for': client },
  })

describe('TRUST_PROXY', () => {
  it('with the balancer trusted, failed authentications are limited per client, not per balancer', async () => {
    const first = await Promise.all([1, 2, 3].map(() => badAuth(trusting, '198.51.100.1')))
    expect(first.map((r) => r.statusCode)).toEqual([401, 401, 429])
    // Another client behind the same balancer has its own count.
    expect((await badAuth(trusting, '198.51.100.2')).statusCode).toBe(401)
    // A client that is not behind a trusted proxy cannot pick its address by sending the header.
    const direct = await Promise.all(
      ['198.51.100.3', '198.51.100.4', '198.51.100.5'].map((client) =>
        trusting.app.inject({
          url: '/api/workflows',
          remoteAddress: '203.0.113.9',
          headers: { authorization: 'Bearer not-a-token', 'x-forwarded-for': client },
        }),
      ),
    )
    expect(direct.map((r) => r.statusCode)).toEqual([401, 401, 429])
  })

  it('unset, every client behind the balancer shares its count', async () => {
    const statuses = []
    for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      statuses.push((await badAuth(plain, client)).statusCode)
    expect(statuses).toEqual([401, 401, 429])
  })

  it("the audit actor of a failed webhook delivery is the client's address only through a trusted proxy", async () => {
    const actors: string[] = []
    for (const ctx of [trusting, plain]) {
      const t = await insertHookTrigger(ctx, 'acme', { secret: generateWebhookSecret() })
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/hooks/${t.id}`,
        remoteAddress: BALANCER,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
        payload: '{}',
      })
      expect(res.statusCode).toBe(401)
      const audit = await createAuditRepo(ctx.database.db).list('acme', { limit: 10 })
      actors.push(audit.find((a) => a.targetId === t.id)!.actor)
    }
    expect(actors).toEqual(['webhook:198.51.100.7', `webhook:${BALANCER}`])
  })

  it('refuses a value that is not true, false or addresses, naming TRUST_PROXY', () => {
    expect(parseTrustProxy(undefined)).toBe(false)
    expect(parseTrustProxy('false')).toBe(false)
    expect(parseTrustProxy('true')).toBe(true)
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.1,::1')).toEqual(['10.0.0.0/8', '192.168.1.1', '::1'])
    for (const bad of ['2', 'yes', '10.0.0.0/33', 'lb.internal', '10.0.0.1/8/1']) {
      expect(() => loadApiConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/)
    }
  })
})
