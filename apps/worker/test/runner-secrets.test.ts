import {
  createSecretBox,
  createSecretMasker,
  loadSecretKeyRing,
  tenantSecretAt,
  uuidv7,
} from '@punctual/core'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSigningCache, signRequest } from '../src/runner/outbound-signing.ts'
import { createSecretCache, PermanentStepError, resolveStepSecrets } from '../src/runner/step-secrets.ts'

const box = createSecretBox(loadSecretKeyRing({ SECRETS_ACCEPT_V1: true }).keys)
let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database?.close()
})

async function putSecret(tenant: string, name: string, value: string, allowedHosts: string[] | null = null) {
  const sealed = box.seal(value, tenantSecretAt(tenant, name))
  await database.sql`
    insert into tenant_secrets (id, tenant, name, value_ciphertext, allowed_hosts)
    values (${uuidv7()}, ${tenant}, ${name}, ${sealed}, ${allowedHosts})
    on conflict (tenant, name) do update set value_ciphertext = excluded.value_ciphertext`
}

describe('the secret cache', () => {
  it('opens secrets by tenant and name, keeps them for its TTL, and reads again after it', async () => {
    await putSecret('acme', 'A', 'one')
    let now = 1000
    const cache = createSecretCache({ sql: database.sql, box, ttlMs: 500, now: () => now })
    expect(await cache.get('acme', ['A', 'B'])).toEqual(
      new Map<string, unknown>([
        ['A', { value: 'one', allowedHosts: null }],
        ['B', 'missing'],
      ]),
    )
    expect(await cache.get('initech', ['A'])).toEqual(new Map([['A', 'missing']]))
    await putSecret('acme', 'A', 'two')
    expect((await cache.get('acme', ['A'])).get('A')).toEqual({ value: 'one', allowedHosts: null })
    now += 501
    expect((await cache.get('acme', ['A'])).get('A')).toEqual({ value: 'two', allowedHosts: null })
  })

  it('answers unreadable for a value sealed for another place (copied rows do not open)', async () => {
    const copied = box.seal('x', tenantSecretAt('other', 'C'))
    await database.sql`
      insert into tenant_secrets (id, tenant, name, value_ciphertext) values (${uuidv7()}, 'acme', 'C', ${copied})`
    const cache = createSecretCache({ sql: database.sql, box })
    expect((await cache.get('acme', ['C'])).get('C')).toBe('unreadable')
    const step = { name: 's', url: 'https://a.example/', headers: { h: '{{secrets.C}}' } }
    await expect(
      resolveStepSecrets(step, (n) => cache.get('acme', n), createSecretMasker()),
    ).rejects.toBeInstanceOf(PermanentStepError)
  })

  it('checks the resolved host against the literal one and allowedHosts before anything is sent', async () => {
    await putSecret('acme', 'H', 'h', ['api.example.com'])
    const cache = createSecretCache({ sql: database.sql, box })
    const masker = createSecretMasker()
    const step = { name: 's', url: 'https://api.example.com/{{input.p}}', headers: { h: '{{secrets.H}}' } }
    const resolved = (await resolveStepSecrets(step, (n) => cache.get('acme', n), masker))!
    expect(resolved.values).toEqual({ H: 'h' })
    expect(masker.mask('a h b')).toBe('a *** b')
    resolved.checkTarget(new URL('https://api.example.com/x'))
    expect(() => resolved.checkTarget(new URL('https://evil.example/x'))).toThrow(PermanentStepError)
    // A definition stored before the write-time rule (no literal authority) is refused at run time too.
    const old = { name: 's', url: '{{input.u}}', headers: { h: '{{secrets.H}}' } }
    await expect(resolveStepSecrets(old, (n) => cache.get('acme', n), masker)).rejects.toThrow(
      /literal scheme/,
    )
  })
})

describe('the signing cache', () => {
  it('creates one secret per tenant whatever the number of concurrent first uses, and signs with it', async () => {
    const caches = Array.from({ length: 4 }, () => createSigningCache({ sql: database.sql, box }))
    const keys = await Promise.all(caches.flatMap((c) => [c.keysFor('race'), c.keysFor('race')]))
    const distinct = new Set(keys.map((k) => k.map((b) => b.toString('hex')).join()))
    expect(distinct.size).toBe(1)
    expect(keys[0]).toHaveLength(1)
    const [n] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from tenant_signing_secrets where tenant = 'race'`
    expect(n!.n).toBe(1)
    const headers = signRequest(
      { 'Webhook-Signature': 'forged', 'X-Execution-Id': 'forged', accept: 'x' },
      { keys: keys[0]!, executionId: 'e1', stepName: 'call', body: '', nowMs: 1_700_000_000_000 },
    )
    expect(headers).toEqual({
      accept: 'x',
      'x-execution-id': 'e1',
      'webhook-id': 'e1.call',
      'webhook-timestamp': '1700000000',
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
    })
  })
})
