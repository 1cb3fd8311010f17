import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  AppError,
  ConfigError,
  createSecretBox,
  DEV_SECRETS_ENCRYPTION_KEY,
  loadSecretKeyRing,
  parseSecretKey,
  type SealedAt,
  secretKeyId,
} from '../src/index.ts'

const rawKey = randomBytes(32)
const key = rawKey.toString('base64')

describe('parseSecretKey', () => {
  it('reads 32 bytes as base64 (standard or url-safe, padded or not) or as 64 hex characters', () => {
    expect(parseSecretKey(key)).toEqual(rawKey)
    expect(parseSecretKey(rawKey.toString('base64url'))).toEqual(rawKey)
    expect(parseSecretKey(key.replace('=', ''))).toEqual(rawKey)
    expect(parseSecretKey(` ${key}\n`)).toEqual(rawKey)
    expect(parseSecretKey(rawKey.toString('hex'))).toEqual(rawKey)
    expect(parseSecretKey(rawKey.toString('hex').toUpperCase())).toEqual(rawKey)
  })
  it('refuses other lengths, other alphabets and non-canonical base64', () => {
    expect(parseSecretKey('')).toBeNull()
    expect(parseSecretKey(randomBytes(16).toString('base64'))).toBeNull()
    expect(parseSecretKey(randomBytes(33).toString('base64'))).toBeNull()
    expect(parseSecretKey(randomBytes(31).toString('hex'))).toBeNull()
    expect(parseSecretKey(`${'g'.repeat(64)}`)).toBeNull()
    expect(parseSecretKey(`${key.slice(0, 10)}!${key.slice(11)}`)).toBeNull()
    // 43 base64 characters carry 258 bits: a last character with the spare bits set is a typo.
    const b = Buffer.alloc(32)
    expect(parseSecretKey(`${b.toString('base64').slice(0, 42)}B=`)).toBeNull()
    expect(parseSecretKey(`${b.toString('base64').slice(0, 42)}A=`)).toEqual(b)
  })
})

const at: SealedAt = {
  tenant: 'acme',
  table: 'triggers',
  row: '0190d5a4-0000-7000-8000-000000000001',
  column: 'secret_ciphertext',
}

/** A value of the first format (v1: no key id, bound to nothing), as the API sealed them before. */
function sealV1(k: Buffer, plain: string): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', k, nonce)
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `v1.${nonce.toString('base64url')}.${data.toString('base64url')}`
}

const expectUnreadable = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('SCHED_ERR_SECRET_UNREADABLE')
    expect((err as AppError).status).toBe(500)
    return
  }
  throw new Error('expected SCHED_ERR_SECRET_UNREADABLE')
}

describe('createSecretBox', () => {
  const box = createSecretBox(key)

  it('round-trips, in the v2.<key id>.<nonce>.<ciphertext+tag> form', () => {
    for (const plain of [
      'whsec_' + randomBytes(32).toString('base64'),
      '',
      'déjà vu ✓',
      'x'.repeat(10_000),
    ]) {
      const sealed = box.seal(plain, at)
      expect(sealed).toMatch(/^v2\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
      expect(sealed.split('.')[1]).toBe(secretKeyId(rawKey))
      expect(sealed).not.toContain(plain || '\u0000')
      expect(box.open(sealed, at)).toBe(plain)
    }
    // Another box with the same key (another process) opens it; a hex spelling of the key too.
    const sealed = box.seal('secret', at)
    expect(createSecretBox(key).open(sealed, at)).toBe('secret')
    expect(createSecretBox(rawKey.toString('hex')).open(sealed, at)).toBe('secret')
  })

  it('binds a value to its tenant, table, row and column: copied anywhere else it does not open', () => {
    const sealed = box.seal('whsec_abc', at)
    for (const elsewhere of [
      { ...at, tenant: 'intruder' },
      { ...at, table: 'workflows' },
      { ...at, row: '0190d5a4-0000-7000-8000-000000000002' },
      { ...at, column: 'previous_secret_ciphertext' },
    ]) {
      expectUnreadable(() => box.open(sealed, elsewhere))
    }
    expect(box.open(sealed, { ...at })).toBe('whsec_abc')
  })

  it('uses a fresh nonce for every seal', () => {
    const sealed = Array.from({ length: 1000 }, () => box.seal('same', at))
    expect(new Set(sealed).size).toBe(1000)
    expect(new Set(sealed.map((s) => s.split('.')[2])).size).toBe(1000)
  })

  it('refuses a tampered value with a typed error', () => {
    const sealed = box.seal('whsec_abc', at)
    const [v, id, nonce, data] = sealed.split('.') as [string, string, string, string]
    const flip = (s: string, i: number) => {
      const b = Buffer.from(s, 'base64url')
      b[i] = b[i]! ^ 1
      return b.toString('base64url')
    }
    expectUnreadable(() => box.open(`${v}.${id}.${flip(nonce, 0)}.${data}`, at))
    expectUnreadable(() => box.open(`${v}.${id}.${nonce}.${flip(data, 0)}`, at))
    expectUnreadable(() =>
      box.open(`${v}.${id}.${nonce}.${flip(data, Buffer.from(data, 'base64url').length - 1)}`, at),
    )
    expectUnreadable(() => box.open(`${v}.${id}.${nonce}.${data.slice(0, -4)}`, at))
    expectUnreadable(() => box.open(`${v}.00000000.${nonce}.${data}`, at))
    expectUnreadable(() => box.open(`v3.${id}.${nonce}.${data}`, at))
    expectUnreadable(() => box.open(`v1.${nonce}.${data}`, at))
    expectUnreadable(() => box.open(`${v}.${id}.${nonce}`, at))
    expectUnreadable(() => box.open(`${v}.${id}.${nonce.slice(0, 8)}.${data}`, at))
    expectUnreadable(() => box.open(`${v}.${id}.${nonce}.AAAA`, at))
    expectUnreadable(() => box.open('whsec_plaintext', at))
    expectUnreadable(() => box.open(undefined as never, at))
  })

  it('refuses a value sealed with a key the ring does not hold', () => {
    const other = createSecretBox(randomBytes(32).toString('base64'))
    expectUnreadable(() => other.open(box.seal('whsec_abc', at), at))
  })

  it('refuses a bad key at creation', () => {
    expect(() => createSecretBox('short')).toThrow(/32 bytes/)
    expect(() => createSecretBox([])).toThrow(/32 bytes/)
  })
})

describe('a key ring (rotation) and the first format', () => {
  const older = randomBytes(32)
  const newer = randomBytes(32)

  it('seals with the newest key and opens values of every key of the ring', () => {
    const before = createSecretBox([older])
    const ring = createSecretBox([newer, older])
    const sealedBefore = before.seal('whsec_old', at)
    expect(ring.keyIdOf(sealedBefore)).toBe(secretKeyId(older))
    expect(ring.open(sealedBefore, at)).toBe('whsec_old')
    const sealedNow = ring.seal('whsec_new', at)
    expect(ring.keyIdOf(sealedNow)).toBe(secretKeyId(newer))
    expect(ring.currentKeyId).toBe(secretKeyId(newer))
    expect(ring.keyIds).toEqual([secretKeyId(newer), secretKeyId(older)])
    // The older key alone cannot read what the newest sealed.
    expectUnreadable(() => before.open(sealedNow, at))
  })

  it('opens v1 values (bound to nothing) with any key of the ring until acceptV1 is false', () => {
    const v1 = sealV1(older, 'whsec_v1')
    const ring = createSecretBox([newer, older])
    expect(ring.keyIdOf(v1)).toBe('v1')
    expect(ring.open(v1, at)).toBe('whsec_v1')
    expectUnreadable(() => createSecretBox([newer, older], { acceptV1: false }).open(v1, at))
    expectUnreadable(() => createSecretBox([newer]).open(v1, at))
  })

  it('names a key by a hash, the same however the key is written', () => {
    expect(secretKeyId(parseSecretKey(rawKey.toString('hex'))!)).toBe(secretKeyId(parseSecretKey(key)!))
    expect(secretKeyId(rawKey)).not.toContain(rawKey.toString('hex').slice(0, 8))
  })
})

describe('loadSecretKeyRing', () => {
  const devBytes = parseSecretKey(DEV_SECRETS_ENCRYPTION_KEY)!
  const base = { SECRETS_ACCEPT_V1: true }
  const refusal = (config: Parameters<typeof loadSecretKeyRing>[0]) => {
    try {
      loadSecretKeyRing(config)
    } catch (err) {
      if (err instanceof ConfigError) return err
      throw err
    }
    throw new Error('accepted')
  }

  it('falls back to the development key outside production, and says so', () => {
    expect(loadSecretKeyRing(base)).toEqual({ keys: [devBytes], usesDevKey: true, acceptV1: true })
  })

  it('reads SECRETS_ENCRYPTION_KEYS newest first, ignoring SECRETS_ENCRYPTION_KEY then', () => {
    const a = randomBytes(32)
    const b = randomBytes(32)
    const ring = loadSecretKeyRing({
      ...base,
      SECRETS_ENCRYPTION_KEYS: ` ${a.toString('base64')} , ${b.toString('hex')}`,
      SECRETS_ENCRYPTION_KEY: 'ignored',
    })
    expect(ring.keys).toEqual([a, b])
    expect(loadSecretKeyRing({ ...base, SECRETS_ENCRYPTION_KEY: a.toString('base64url') }).keys).toEqual([a])
  })

  it('refuses in production no key, or any key that decodes to the development key, naming the variable only', () => {
    const own = randomBytes(32).toString('base64')
    const devForms = [
      DEV_SECRETS_ENCRYPTION_KEY,
      DEV_SECRETS_ENCRYPTION_KEY.replace(/=+$/, ''),
      `  ${DEV_SECRETS_ENCRYPTION_KEY}  `,
      devBytes.toString('hex'),
      devBytes.toString('hex').toUpperCase(),
      devBytes.toString('base64url'),
    ]
    expect(refusal({ ...base, NODE_ENV: 'production' }).variable).toBe('SECRETS_ENCRYPTION_KEY')
    for (const dev of devForms) {
      const single = refusal({ ...base, NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: dev })
      expect(single.variable).toBe('SECRETS_ENCRYPTION_KEY')
      expect(single.message).not.toContain(dev.trim())
      const ring = refusal({ ...base, NODE_ENV: ' Production', SECRETS_ENCRYPTION_KEYS: `${own},${dev}` })
      expect(ring.variable).toBe('SECRETS_ENCRYPTION_KEYS')
      expect(ring.message).toMatch(/entry 2/)
      expect(ring.message).not.toContain(own)
      // Outside production the same keys are accepted (with the warning).
      expect(loadSecretKeyRing({ ...base, SECRETS_ENCRYPTION_KEY: dev }).usesDevKey).toBe(true)
    }
    expect(
      loadSecretKeyRing({ ...base, NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: own }).usesDevKey,
    ).toBe(false)
  })

  it('refuses a malformed entry without repeating it', () => {
    const bad = 'not-a-key-but-a-secret-value'
    const err = refusal({ ...base, SECRETS_ENCRYPTION_KEYS: `${randomBytes(32).toString('base64')},${bad}` })
    expect(err.variable).toBe('SECRETS_ENCRYPTION_KEYS')
    expect(err.message).not.toContain(bad)
  })
})
