import { createHash, randomUUID } from 'node:crypto'
import { waitFor } from '@punctual/core/testing'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { createSigner } from 'fast-jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWT_SECRET, setup, type TestContext } from './helper.ts'

let ctx: TestContext
let clock = new Date('2026-05-01T10:00:00.000Z')
beforeAll(async () => {
  ctx = await setup({ now: () => clock })
})
afterAll(async () => {
  await ctx?.close()
})

const KEY_RE = /^pk_[A-Za-z0-9_-]{43}$/

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  authorization: string,
  payload?: object,
  app = ctx.app,
) {
  return app.inject({ method, url, headers: { authorization }, ...(payload && { payload }) })
}

const admin = (tenant = 'acme') => `Bearer ${ctx.token(tenant, 'admin')}`

async function createKey(body: Record<string, unknown>, tenant = 'acme') {
  const res = await call('POST', '/api/api-keys', admin(tenant), { name: `key-${randomUUID()}`, ...body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; key: string; prefix: string; name: string; role: string }
}

/** A problem body without its request id: what two refusals must share. */
const problem = (res: { json(): Record<string, unknown> }) => {
  const { requestId: _, ...rest } = res.json()
  return rest
}

describe('API keys', () => {
  it('creates a key shown once, stored only as its SHA-256, acting for its tenant with its role', async () => {
    const created = await createKey({ role: 'editor' })
    expect(created.key).toMatch(KEY_RE)
    expect(created).toMatchObject({ role: 'editor', prefix: created.key.slice(0, 11), lastUsedAt: null })
    const [row] = await ctx.database.sql<
      { key_hash: string }[]
    >`select * from api_keys where id = ${created.id}`
    expect(row!.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'))
    expect(JSON.stringify(row)).not.toContain(created.key.slice(3))

    const bearer = `Bearer ${created.key}`
    const wf = await call('POST', '/api/workflows', bearer, {
      name: 'by-key',
      steps: [{ name: 'd', type: 'delay', ms: 1 }],
    })
    expect(wf.statusCode, wf.body).toBe(201)
    // Its tenant only: the workflow is acme's, invisible to another tenant.
    expect((await call('GET', `/api/workflows/${wf.json().id}`, admin('other'))).statusCode).toBe(404)
    // Its role: an editor key cannot read the audit log or manage keys.
    expect((await call('GET', '/api/audit', bearer)).statusCode).toBe(403)
    expect((await call('GET', '/api/api-keys', bearer)).statusCode).toBe(403)
    // The audit log names the key as the actor.
    const audit = (await call('GET', '/api/audit?limit=500', admin())).json().items as Record<
      string,
      unknown
    >[]
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'workflow.created',
        actor: `apikey:${created.id}`,
        targetId: wf.json().id,
      }),
    )
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'apikey.created', targetType: 'apikey', targetId: created.id }),
    )
    expect(JSON.stringify(audit)).not.toContain(created.key)
  })

  it('lists keys (admin only) without the key, and revokes one (204, then 401 with the body of a bad JWT)', async () => {
    const viewer = await createKey({ role: 'viewer' })
    const bearer = `Bearer ${viewer.key}`
    expect((await call('GET', '/api/workflows', bearer)).statusCode).toBe(200)
    const list = await call('GET', '/api/api-keys?limit=500', admin())
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(viewer.key)
    expect(list.body).not.toContain(createHash('sha256').update(viewer.key).digest('hex'))
    expect(list.json().items).toContainEqual(
      expect.objectContaining({ id: viewer.id, name: viewer.name, role: 'viewer', prefix: viewer.prefix }),
    )
    for (const role of ['viewer', 'editor'] as const) {
      const token = `Bearer ${ctx.token('acme', role)}`
      expect((await call('GET', '/api/api-keys', token)).statusCode).toBe(403)
      expect((await call('POST', '/api/api-keys', token, { name: 'x', role: 'admin' })).statusCode).toBe(403)
      expect((await call('DELETE', `/api/api-keys/${viewer.id}`, token)).statusCode).toBe(403)
    }
    // Another tenant's admin sees it nowhere.
    expect((await call('DELETE', `/api/api-keys/${viewer.id}`, admin('other'))).statusCode).toBe(404)
    expect((await call('GET', '/api/api-keys', admin('other'))).json().items).toEqual([])

    expect((await call('DELETE', `/api/api-keys/${viewer.id}`, admin())).statusCode).toBe(204)
    const badJwt = await call('GET', '/api/workflows', `Bearer ${ctx.token().slice(0, -4)}AAAA`)
    await waitFor('the revocation to pass the cache', async () => {
      const res = await call('GET', '/api/workflows', bearer)
      if (res.statusCode !== 401) return false
      expect(problem(res)).toEqual(problem(badJwt))
      return true
    })
    expect((await call('DELETE', `/api/api-keys/${viewer.id}`, admin())).statusCode).toBe(404)
    const audit = (await call('GET', '/api/audit?limit=500', admin())).json().items as Record<
      string,
      unknown
    >[]
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'apikey.revoked',
        targetId: viewer.id,
        details: { name: viewer.name },
      }),
    )
  })

  it('refuses bad, unknown and expired keys with the same 401 body as a bad JWT', async () => {
    const expiring = await createKey({
      role: 'admin',
      expiresAt: new Date(clock.getTime() + 60_000).toISOString(),
    })
    expect((await call('GET', '/api/workflows', `Bearer ${expiring.key}`)).statusCode).toBe(200)
    clock = new Date(clock.getTime() + 61_000)
    const badJwt = problem(await call('GET', '/api/workflows', `Bearer ${ctx.token().slice(0, -4)}AAAA`))
    const nowSec = Math.floor(Date.now() / 1000)
    const expired = createSigner({ key: JWT_SECRET, algorithm: 'HS256' })({
      sub: 'a',
      tenant: 'acme',
      role: 'admin',
      iat: nowSec - 100,
      exp: nowSec - 10,
    })
    const expiredJwt = problem(await call('GET', '/api/workflows', `Bearer ${expired}`))
    expect(expiredJwt).toEqual(badJwt)
    for (const key of [
      expiring.key,
      `pk_${'A'.repeat(43)}`,
      'pk_short',
      `${expiring.key.slice(0, -1)}${expiring.key.endsWith('A') ? 'B' : 'A'}`,
    ]) {
      const res = await call('GET', '/api/workflows', `Bearer ${key}`)
      expect(res.statusCode, key).toBe(401)
      expect(problem(res)).toEqual(badJwt)
    }
  })

  it('refuses an expiresAt in the past, a duplicate name and unknown fields, writing nothing', async () => {
    const before = (await ctx.database.sql`select count(*)::int as n from api_keys`)[0]!.n
    const past = await call('POST', '/api/api-keys', admin(), {
      name: 'late',
      role: 'viewer',
      expiresAt: new Date(clock.getTime() - 1000).toISOString(),
    })
    expect(past.statusCode).toBe(400)
    expect(past.json().errors).toEqual([{ path: 'body.expiresAt', message: 'must lie in the future' }])
    const role = await call('POST', '/api/api-keys', admin(), { name: 'r', role: 'root' })
    expect(role.statusCode).toBe(400)
    expect(role.json().errors[0].path).toBe('body.role')
    const extra = await call('POST', '/api/api-keys', admin(), { name: 'e', role: 'viewer', key: 'pk_mine' })
    expect(extra.statusCode).toBe(400)
    const taken = await createKey({ role: 'viewer' })
    const twice = await call('POST', '/api/api-keys', admin(), { name: taken.name, role: 'admin' })
    expect(twice.statusCode).toBe(409)
    expect(twice.json().errors).toEqual([{ path: 'body.name', message: 'is already used in this tenant' }])
    expect((await ctx.database.sql`select count(*)::int as n from api_keys`)[0]!.n).toBe(before + 1)
  })

  it('writes lastUsedAt at most once a minute', async () => {
    const k = await createKey({ role: 'viewer' })
    const lastUsed = async () => {
      const [row] = await ctx.database.sql<{ t: string | null }[]>`
        select last_used_at::text as t from api_keys where id = ${k.id}`
      return row!.t === null ? null : new Date(row!.t)
    }
    const use = async () =>
      expect((await call('GET', '/api/workflows', `Bearer ${k.key}`)).statusCode).toBe(200)
    const first = new Date(clock)
    await use()
    await waitFor('lastUsedAt written', async () => (await lastUsed())?.getTime() === first.getTime())
    clock = new Date(clock.getTime() + 30_000)
    await use()
    await use()
    clock = new Date(clock.getTime() + 31_000)
    const third = new Date(clock)
    await use()
    await waitFor('lastUsedAt written again', async () => (await lastUsed())?.getTime() === third.getTime())
    const listed = (await call('GET', '/api/api-keys?limit=500', admin())).json().items
    expect(listed).toContainEqual(expect.objectContaining({ id: k.id, lastUsedAt: third.toISOString() }))
  })
})

describe('API keys: failed-authentication limit and the cache', () => {
  let limited: TestContext
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
    limited = await setup({
      env: { API_UNAUTH_RATE_LIMIT_PER_MINUTE: '3' },
      databaseUrl: (base) => proxy.url(base.url),
    })
  })
  afterAll(async () => {
    await limited?.close()
    await proxy?.close()
  })

  it('answers 429 past the failed authentications of an address while a valid key from it still passes', async () => {
    const created = await limited.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: limited.auth('acme', 'admin'),
      payload: { name: 'valid', role: 'viewer' },
    })
    const valid = `Bearer ${created.json().key}`
    const from = (authorization: string) =>
      limited.app.inject({ url: '/api/workflows', remoteAddress: '10.9.0.1', headers: { authorization } })
    const bogus = () => `Bearer pk_${randomUUID().replaceAll('-', '')}${'x'.repeat(11)}`
    expect([
      (await from(bogus())).statusCode,
      (await from(bogus())).statusCode,
      (await from(bogus())).statusCode,
    ]).toEqual([401, 401, 401])
    const over = await from(bogus())
    expect(over.statusCode).toBe(429)
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
    for (let i = 0; i < 3; i++) expect((await from(valid)).statusCode).toBe(200)
  })

  it('remembers a bogus key: with Postgres gone it is still 401 (no read), while a new one is 503', async () => {
    const bogus = `Bearer pk_${'Z'.repeat(43)}`
    const get = (authorization: string) =>
      limited.app.inject({
        url: '/api/cron/preview',
        method: 'POST',
        headers: { authorization },
        payload: { expression: '* * * * *' },
      })
    expect((await get(bogus)).statusCode).toBe(401)
    await proxy.refuse()
    try {
      expect((await get(bogus)).statusCode).toBe(401)
      const unseen = await get(`Bearer pk_${'Y'.repeat(43)}`)
      expect(unseen.statusCode).toBe(503)
      expect(unseen.json().code).toBe('SCHED_ERR_DEPENDENCY_DOWN')
    } finally {
      await proxy.restore()
    }
  })
})
