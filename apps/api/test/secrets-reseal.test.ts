import { createCipheriv, randomBytes } from 'node:crypto'
import {
  createSecretBox,
  generateWebhookSecret,
  secretKeyId,
  signingSecretAt,
  tenantSecretAt,
  uuidv7,
} from '@punctual/core'
import type { FastifyBaseLogger } from 'fastify'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resealSecrets } from '../src/secrets-reseal.ts'
import { triggerSecretAt } from '../src/services/trigger-secrets.ts'
import { setup, type TestContext } from './helper.ts'
import { insertTrigger } from './trigger-rows.ts'

const oldKey = randomBytes(32)
const newKey = randomBytes(32)
const lostKey = randomBytes(32)

/** A value of the first format (v1: no key id, bound to nothing), as the API sealed them before. */
function sealV1(key: Buffer, plain: string): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `v1.${nonce.toString('base64url')}.${data.toString('base64url')}`
}

function captureLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = []
  const at = (level: string) => (obj: Record<string, unknown> | string, msg?: string) =>
    lines.push(typeof obj === 'string' ? { level, obj: {}, msg: obj } : { level, obj, msg: msg ?? '' })
  const log = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') }
  return { lines, log: log as unknown as FastifyBaseLogger }
}

function signed(secret: string, body: string) {
  const id = `msg_${randomBytes(6).toString('hex')}`
  const at = new Date()
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  }
}

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup({
    env: { SECRETS_ENCRYPTION_KEYS: `${newKey.toString('base64')}, ${oldKey.toString('hex')}` },
  })
})
afterAll(async () => {
  await ctx?.close()
})

const deliver = (id: string, secret: string, app = ctx.app) =>
  app.inject({ method: 'POST', url: `/hooks/${id}`, headers: signed(secret, '{}'), payload: '{}' })

describe('re-sealing at boot (key rotation, v1 values)', () => {
  it('re-seals v1 values and values under an older key under the newest one, in batches, and says when the old key is free', async () => {
    const secrets = Array.from({ length: 5 }, () => generateWebhookSecret())
    const before = createSecretBox([oldKey])
    const webhook = { type: 'webhook' as const, scheme: 'standard' as const, eventType: null }
    const v1 = await insertTrigger(ctx, 'acme', {
      ...webhook,
      secretCiphertext: sealV1(oldKey, secrets[0]!),
      previousSecretCiphertext: sealV1(oldKey, secrets[1]!),
      previousSecretExpiresAt: new Date(Date.now() + 3_600_000),
    })
    const older = await insertTrigger(ctx, 'initech', webhook)
    await ctx.database.sql`update triggers set secret_ciphertext = ${before.seal(
      secrets[2]!,
      triggerSecretAt(older, 'secretCiphertext'),
    )} where id = ${older.id}`
    const current = await insertTrigger(ctx, 'acme', webhook)
    const currentSealed = ctx.app.secretBox.seal(secrets[3]!, triggerSecretAt(current, 'secretCiphertext'))
    await ctx.database.sql`update triggers set secret_ciphertext = ${currentSealed} where id = ${current.id}`
    const lost = await insertTrigger(ctx, 'acme', webhook)
    const lostSealed = createSecretBox([lostKey]).seal(secrets[4]!, triggerSecretAt(lost, 'secretCiphertext'))
    await ctx.database.sql`update triggers set secret_ciphertext = ${lostSealed} where id = ${lost.id}`
    // The old formats work before the re-seal (the ring holds the old key; v1 is accepted by default).
    expect((await deliver(v1.id, secrets[0]!)).statusCode).toBe(202)

    const { lines, log } = captureLog()
    const result = await resealSecrets({ sql: ctx.database.sql, box: ctx.app.secretBox, log, batchSize: 1 })
    expect(result).toEqual({ resealed: 2, unreadable: 1 })
    const rows = await ctx.database.sql<{ id: string; s: string | null; p: string | null }[]>`
      select id, secret_ciphertext as s, previous_secret_ciphertext as p from triggers`
    const byId = new Map(rows.map((r) => [r.id, r]))
    const newest = `v2.${secretKeyId(newKey)}.`
    expect(byId.get(v1.id)!.s).toMatch(new RegExp(`^${newest.replaceAll('.', '\\.')}`))
    expect(byId.get(v1.id)!.p!.startsWith(newest)).toBe(true)
    expect(byId.get(older.id)!.s!.startsWith(newest)).toBe(true)
    expect(byId.get(current.id)!.s).toBe(currentSealed)
    expect(byId.get(lost.id)!.s).toBe(lostSealed)
    // The same secrets, now only under the newest key: the new key alone opens them, bound to their rows.
    const newOnly = createSecretBox([newKey], { acceptV1: false })
    expect(newOnly.open(byId.get(v1.id)!.s!, triggerSecretAt(v1, 'secretCiphertext'))).toBe(secrets[0])
    expect(newOnly.open(byId.get(v1.id)!.p!, triggerSecretAt(v1, 'previousSecretCiphertext'))).toBe(
      secrets[1],
    )
    expect(newOnly.open(byId.get(older.id)!.s!, triggerSecretAt(older, 'secretCiphertext'))).toBe(secrets[2])
    ctx.app.services.hooks.invalidate(v1.id)
    expect((await deliver(v1.id, secrets[0]!)).statusCode).toBe(202)
    expect((await deliver(v1.id, secrets[1]!)).statusCode).toBe(202)

    // One line for the unreadable value (its trigger id, never a value) and one saying the old key is free.
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', obj: { triggerId: lost.id } }))
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        obj: { keyId: secretKeyId(oldKey) },
        msg: expect.stringMatching(/can be removed/),
      }),
    )
    const logged = JSON.stringify(lines)
    for (const s of [...secrets, lostSealed, currentSealed]) expect(logged).not.toContain(s)

    // A second pass (another replica, the next boot) has nothing left to do.
    expect(await resealSecrets({ sql: ctx.database.sql, box: ctx.app.secretBox, log })).toEqual({
      resealed: 0,
      unreadable: 1,
    })
  })

  it('re-seals tenant secrets and outbound signing secrets too, bound to tenant and name', async () => {
    const before = createSecretBox([oldKey])
    const sql = ctx.database.sql
    await sql`
      insert into tenant_secrets (id, tenant, name, value_ciphertext)
      values (${uuidv7()}, 'hooli', 'OLD_ONE', ${before.seal('old-value', tenantSecretAt('hooli', 'OLD_ONE'))})`
    await sql`
      insert into tenant_signing_secrets (tenant, secret_ciphertext, previous_secret_ciphertext, previous_expires_at)
      values ('hooli', ${before.seal('whsec_c2lnbg==', signingSecretAt('hooli', 'secret_ciphertext'))},
              ${before.seal('whsec_cHJldg==', signingSecretAt('hooli', 'previous_secret_ciphertext'))},
              now() + interval '1 hour')`
    const { log } = captureLog()
    const result = await resealSecrets({ sql, box: ctx.app.secretBox, log, batchSize: 1 })
    expect(result.resealed).toBe(2)
    const newOnly = createSecretBox([newKey], { acceptV1: false })
    const [secret] = await sql<{ v: string }[]>`
      select value_ciphertext as v from tenant_secrets where tenant = 'hooli'`
    expect(newOnly.open(secret!.v, tenantSecretAt('hooli', 'OLD_ONE'))).toBe('old-value')
    const [signing] = await sql<{ s: string; p: string }[]>`
      select secret_ciphertext as s, previous_secret_ciphertext as p from tenant_signing_secrets where tenant = 'hooli'`
    expect(newOnly.open(signing!.s, signingSecretAt('hooli', 'secret_ciphertext'))).toBe('whsec_c2lnbg==')
    expect(newOnly.open(signing!.p, signingSecretAt('hooli', 'previous_secret_ciphertext'))).toBe(
      'whsec_cHJldg==',
    )
  })

  it('refuses v1 values once SECRETS_ACCEPT_V1=false', async () => {
    const strict = await setup({
      env: { SECRETS_ACCEPT_V1: 'false', SECRETS_ENCRYPTION_KEY: oldKey.toString('base64') },
    })
    try {
      const secret = generateWebhookSecret()
      const t = await insertTrigger(strict, 'acme', {
        type: 'webhook',
        scheme: 'standard',
        eventType: null,
        secretCiphertext: sealV1(oldKey, secret),
      })
      const res = await deliver(t.id, secret, strict.app)
      expect(res.statusCode).toBe(500)
      expect(res.json().code).toBe('SCHED_ERR_SECRET_UNREADABLE')
      const executions = await strict.database.sql`select 1 from executions where trigger_id = ${t.id}`
      expect(executions).toHaveLength(0)
    } finally {
      await strict.close()
    }
  })
})
