import { signingSecretAt, tenantSecretAt } from '@punctual/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/plugins/auth.ts'
import { setup, type TestContext } from './helper.ts'

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup()
})
afterAll(async () => {
  await ctx?.close()
})

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH'
const call = (method: Method, url: string, payload?: unknown, tenant = 'acme', role: Role = 'admin') =>
  ctx.app.inject({
    method,
    url,
    headers: ctx.auth(tenant, role),
    ...(payload !== undefined && { payload: payload as object }),
  })

const step = (url: string, extra: Record<string, unknown> = {}) => ({
  name: 'call',
  type: 'http',
  method: 'POST',
  url,
  ...extra,
})

async function workflow(steps: unknown[], tenant = 'acme') {
  return call('POST', '/api/workflows', { name: `wf-${Math.random()}`, steps }, tenant, 'editor')
}

describe('/api/secrets', () => {
  it('stores a value sealed, bound to tenant and name, and never answers it', async () => {
    const value = 'tok-AAAA-1234567890'
    expect(
      (
        await call('PUT', '/api/secrets/API_TOKEN', {
          value,
          allowedHosts: ['API.example.com', '*.hooks.io'],
        })
      ).statusCode,
    ).toBe(204)
    const [row] = await ctx.database.sql<{ v: string; h: string[] }[]>`
      select value_ciphertext as v, allowed_hosts as h from tenant_secrets where tenant = 'acme' and name = 'API_TOKEN'`
    expect(row!.v.startsWith(`v2.${ctx.app.secretBox.currentKeyId}.`)).toBe(true)
    expect(row!.v).not.toContain(value)
    expect(row!.h).toEqual(['api.example.com', '*.hooks.io'])
    expect(ctx.app.secretBox.open(row!.v, tenantSecretAt('acme', 'API_TOKEN'))).toBe(value)
    // Bound to its place: another tenant or another name does not open it.
    expect(() => ctx.app.secretBox.open(row!.v, tenantSecretAt('initech', 'API_TOKEN'))).toThrow()
    expect(() => ctx.app.secretBox.open(row!.v, tenantSecretAt('acme', 'OTHER'))).toThrow()

    const list = await call('GET', '/api/secrets')
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(value)
    expect(list.json()).toEqual({
      items: [
        {
          name: 'API_TOKEN',
          allowedHosts: ['api.example.com', '*.hooks.io'],
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    })
    // A replace keeps the entry (same createdAt), clears allowedHosts when left out.
    expect((await call('PUT', '/api/secrets/API_TOKEN', { value: 'v2' })).statusCode).toBe(204)
    const again = (await call('GET', '/api/secrets')).json()
    expect(again.items).toHaveLength(1)
    expect(again.items[0].allowedHosts).toBeNull()
    expect(again.items[0].createdAt).toBe(list.json().items[0].createdAt)
    // Another tenant sees none of it.
    expect((await call('GET', '/api/secrets', undefined, 'initech')).json().items).toEqual([])
    const audit = (await call('GET', '/api/audit')).json().items.map((e: { action: string }) => e.action)
    expect(audit).toEqual(expect.arrayContaining(['secret.created', 'secret.updated']))
    expect(JSON.stringify((await call('GET', '/api/audit')).json())).not.toContain(value)
  })

  it('is admin only; editors and viewers are 403', async () => {
    for (const role of ['editor', 'viewer'] as const) {
      expect((await call('PUT', '/api/secrets/X', { value: 'v' }, 'acme', role)).statusCode).toBe(403)
      expect((await call('GET', '/api/secrets', undefined, 'acme', role)).statusCode).toBe(403)
      expect((await call('DELETE', '/api/secrets/X', undefined, 'acme', role)).statusCode).toBe(403)
      expect((await call('GET', '/api/signing-secret', undefined, 'acme', role)).statusCode).toBe(403)
      expect((await call('POST', '/api/signing-secret/rotate', undefined, 'acme', role)).statusCode).toBe(403)
    }
  })

  it('refuses bad names, values and hosts with 400 naming the field, changing nothing', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/secrets/lower', { value: 'v' }, 'params.name'],
      ['/api/secrets/9START', { value: 'v' }, 'params.name'],
      [`/api/secrets/${'A'.repeat(65)}`, { value: 'v' }, 'params.name'],
      ['/api/secrets/OK', { value: '' }, 'body.value'],
      ['/api/secrets/OK', { value: 'x'.repeat(8193) }, 'body.value'],
      ['/api/secrets/OK', { value: 'é'.repeat(5000) }, 'body.value'],
      ['/api/secrets/OK', { value: 'v', allowedHosts: ['https://a.com'] }, 'body.allowedHosts.0'],
      ['/api/secrets/OK', { value: 'v', allowedHosts: ['ok.com', 'a.com:443'] }, 'body.allowedHosts.1'],
      ['/api/secrets/OK', { value: 'v', extra: 1 }, 'body'],
    ]
    for (const [url, body, path] of cases) {
      const res = await call('PUT', url, body)
      expect(res.statusCode, `${url} ${res.body}`).toBe(400)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(
        res.json().errors.some((e: { path: string }) => e.path.startsWith(path)),
        res.body,
      ).toBe(true)
    }
    const [n] = await ctx.database.sql<
      { n: number }[]
    >`select count(*)::int as n from tenant_secrets where name = 'OK'`
    expect(n!.n).toBe(0)
    expect((await call('DELETE', '/api/secrets/NOPE')).statusCode).toBe(404)
  })

  it('refuses to delete a secret a workflow refers to (409), and allows it once no workflow does', async () => {
    expect((await call('PUT', '/api/secrets/USED', { value: 'u' })).statusCode).toBe(204)
    const wf = await workflow([
      step('https://api.example.com/x', { headers: { authorization: 'Bearer {{ secrets.USED }}' } }),
    ])
    expect(wf.statusCode, wf.body).toBe(201)
    const refused = await call('DELETE', '/api/secrets/USED')
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe('SCHED_ERR_IN_USE')
    // Another tenant's workflow does not hold this tenant's secret.
    expect((await call('PUT', '/api/secrets/USED', { value: 'u' }, 'initech')).statusCode).toBe(204)
    expect((await call('DELETE', '/api/secrets/USED', undefined, 'initech')).statusCode).toBe(204)
    // The workflow no longer uses it: the delete goes through.
    const id = wf.json().id
    const patched = await call('PATCH', `/api/workflows/${id}`, {
      steps: [step('https://api.example.com/x')],
    })
    expect(patched.statusCode, patched.body).toBe(200)
    expect((await call('DELETE', '/api/secrets/USED')).statusCode).toBe(204)
    // A reference to a secret that does not exist is allowed (the step fails when run); deleting the
    // workflow drops its references.
    const later = await workflow([step('https://api.example.com/{{secrets.LATER}}')])
    expect(later.statusCode).toBe(201)
    expect((await call('PUT', '/api/secrets/LATER', { value: 'l' })).statusCode).toBe(204)
    expect((await call('DELETE', '/api/secrets/LATER')).statusCode).toBe(409)
    expect((await call('DELETE', `/api/workflows/${later.json().id}`)).statusCode).toBe(204)
    expect((await call('DELETE', '/api/secrets/LATER')).statusCode).toBe(204)
  })

  it('concurrent deletes and workflow writes never leave a workflow referring to a deleted secret', async () => {
    for (let i = 0; i < 10; i++) {
      const name = `RACE_${i}`
      expect((await call('PUT', `/api/secrets/${name}`, { value: 'r' })).statusCode).toBe(204)
      const [del, wf] = await Promise.all([
        call('DELETE', `/api/secrets/${name}`),
        workflow([step('https://api.example.com/', { body: { k: `{{secrets.${name}}}` } })]),
      ])
      expect(wf.statusCode).toBe(201)
      const [row] = await ctx.database.sql<{ n: number }[]>`
        select count(*)::int as n from tenant_secrets where tenant = 'acme' and name = ${name}`
      // Either the delete came first (204, the workflow refers to a secret that no longer exists), or it
      // saw the reference (409, the secret stays).
      expect([del.statusCode, row!.n]).toEqual(del.statusCode === 204 ? [204, 0] : [409, 1])
    }
  })
})

describe('workflows using secrets', () => {
  it('refuse urls whose authority is not literal, naming the step (422)', async () => {
    const header = { authorization: 'Bearer {{secrets.TOKEN}}' }
    for (const url of [
      '{{input.url}}',
      '{{input.callbackUrl}}/hook',
      'https://api.example.com{{input.x}}',
      'https://api.example.com@{{input.h}}/',
      'https://user@api.example.com/',
      'https://{{input.host}}/x',
      'https://api.example.com:{{input.port}}/x',
    ]) {
      const res = await workflow([step(url, { headers: header })])
      expect(res.statusCode, url).toBe(422)
      expect(res.json().code).toBe('SCHED_ERR_WORKFLOW_INVALID')
      expect(res.json().errors).toContainEqual({
        path: 'body.steps.0.url',
        message: expect.stringContaining("step 'call' uses a secret"),
      })
    }
    // The same urls without a secret stay allowed (a host from the input).
    expect((await workflow([step('https://{{input.host}}/x')])).statusCode).toBe(201)
    // A secret in the body or the query counts as use; a literal authority is fine.
    expect((await workflow([step('{{input.u}}', { body: { t: '{{secrets.T}}' } })])).statusCode).toBe(422)
    expect((await workflow([step('https://api.example.com?k={{secrets.T}}')])).statusCode).toBe(201)
    expect(
      (await workflow([step('https://api.example.com/{{input.p}}', { headers: header })])).statusCode,
    ).toBe(201)
  })

  it('refuse secret placeholders that can never resolve (422 naming the field)', async () => {
    for (const [headers, path] of [
      [{ a: '{{secrets.lower}}' }, 'body.steps.0.headers.a'],
      [{ a: '{{secrets}}' }, 'body.steps.0.headers.a'],
      [{ a: '{{secrets.A.B}}' }, 'body.steps.0.headers.a'],
    ] as const) {
      const res = await workflow([step('https://api.example.com/', { headers })])
      expect(res.statusCode).toBe(422)
      expect(res.json().errors[0].path).toBe(path)
    }
    const put = await call('PUT', `/api/workflows/00000000-0000-7000-8000-000000000000`, {
      name: 'x',
      steps: [step('{{input.u}}', { headers: { a: '{{secrets.T}}' } })],
    })
    expect(put.statusCode).toBe(422)
  })
})

describe('/api/signing-secret', () => {
  it('is created on first use (once, under concurrency), sealed, and rotated keeping the previous for 24 h', async () => {
    const first = await Promise.all(Array.from({ length: 8 }, () => call('GET', '/api/signing-secret')))
    const secrets = new Set(first.map((r) => r.json().secret))
    expect(secrets.size).toBe(1)
    const secret = [...secrets][0] as string
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const [row] = await ctx.database.sql<{ s: string; p: string | null }[]>`
      select secret_ciphertext as s, previous_secret_ciphertext as p from tenant_signing_secrets where tenant = 'acme'`
    expect(row!.s).not.toContain(secret.slice(6))
    expect(ctx.app.secretBox.open(row!.s, signingSecretAt('acme', 'secret_ciphertext'))).toBe(secret)
    expect(row!.p).toBeNull()
    // Per tenant.
    expect((await call('GET', '/api/signing-secret', undefined, 'initech')).json().secret).not.toBe(secret)

    const rotated = await call('POST', '/api/signing-secret/rotate')
    expect(rotated.statusCode, rotated.body).toBe(200)
    const next = rotated.json().secret as string
    expect(next).not.toBe(secret)
    expect((await call('GET', '/api/signing-secret')).json().secret).toBe(next)
    const [after] = await ctx.database.sql<{ p: string; e: string }[]>`
      select previous_secret_ciphertext as p, previous_expires_at as e from tenant_signing_secrets where tenant = 'acme'`
    expect(ctx.app.secretBox.open(after!.p, signingSecretAt('acme', 'previous_secret_ciphertext'))).toBe(
      secret,
    )
    const hours = (new Date(after!.e).getTime() - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(23.9)
    expect(hours).toBeLessThanOrEqual(24)
    const audit = (await call('GET', '/api/audit')).json()
    expect(audit.items.map((e: { action: string }) => e.action)).toContain('signing_secret.rotated')
    expect(JSON.stringify(audit)).not.toContain(next)
  })

  it('can be rotated when the stored one no longer opens (a key the ring lost): a fresh one replaces it', async () => {
    expect((await call('GET', '/api/signing-secret', undefined, 'lost')).statusCode).toBe(200)
    const lost = ctx.app.secretBox.seal('whsec_bG9zdA==', signingSecretAt('other', 'secret_ciphertext'))
    await ctx.database
      .sql`update tenant_signing_secrets set secret_ciphertext = ${lost} where tenant = 'lost'`
    const unreadable = await call('GET', '/api/signing-secret', undefined, 'lost')
    expect(unreadable.statusCode).toBe(500)
    expect(unreadable.json().code).toBe('SCHED_ERR_SECRET_UNREADABLE')
    const rotated = await call('POST', '/api/signing-secret/rotate', undefined, 'lost')
    expect(rotated.statusCode, rotated.body).toBe(200)
    expect((await call('GET', '/api/signing-secret', undefined, 'lost')).json().secret).toBe(
      rotated.json().secret,
    )
    const [row] = await ctx.database.sql<{ p: string | null }[]>`
      select previous_secret_ciphertext as p from tenant_signing_secrets where tenant = 'lost'`
    expect(row!.p).toBeNull() // nothing to keep: the old one signed nothing
  })
})
