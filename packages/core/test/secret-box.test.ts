import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AppError, createSecretBox, parseSecretKey } from '../src/index.ts'

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

describe('createSecretBox', () => {
  const box = createSecretBox(key)

  it('round-trips, in the v1.<nonce>.<ciphertext+tag> form', () => {
    for (const plain of [
      'whsec_' + randomBytes(32).toString('base64'),
      '',
      'déjà vu ✓',
      'x'.repeat(10_000),
    ]) {
      const sealed = box.seal(plain)
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
      expect(sealed).not.toContain(plain || '\u0000')
      expect(box.open(sealed)).toBe(plain)
    }
    // Another box with the same key (another process) opens it; a hex spelling of the key too.
    const sealed = box.seal('secret')
    expect(createSecretBox(key).open(sealed)).toBe('secret')
    expect(createSecretBox(rawKey.toString('hex')).open(sealed)).toBe('secret')
  })

  it('uses a fresh nonce for every seal', () => {
    const sealed = Array.from({ length: 1000 }, () => box.seal('same'))
    expect(new Set(sealed).size).toBe(1000)
    expect(new Set(sealed.map((s) => s.split('.')[1])).size).toBe(1000)
  })

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

  it('refuses a tampered value with a typed error', () => {
    const sealed = box.seal('whsec_abc')
    const [v, nonce, data] = sealed.split('.') as [string, string, string]
    const flip = (s: string, i: number) => {
      const b = Buffer.from(s, 'base64url')
      b[i] = b[i]! ^ 1
      return b.toString('base64url')
    }
    expectUnreadable(() => box.open(`${v}.${flip(nonce, 0)}.${data}`))
    expectUnreadable(() => box.open(`${v}.${nonce}.${flip(data, 0)}`))
    expectUnreadable(() => box.open(`${v}.${nonce}.${flip(data, Buffer.from(data, 'base64url').length - 1)}`))
    expectUnreadable(() => box.open(`${v}.${nonce}.${data.slice(0, -4)}`))
    expectUnreadable(() => box.open(`v2.${nonce}.${data}`))
    expectUnreadable(() => box.open(`${v}.${nonce}`))
    expectUnreadable(() => box.open(`${v}.${nonce.slice(0, 8)}.${data}`))
    expectUnreadable(() => box.open(`${v}.${nonce}.AAAA`))
    expectUnreadable(() => box.open('whsec_plaintext'))
    expectUnreadable(() => box.open(undefined as never))
  })

  it('refuses a value sealed with another key', () => {
    const other = createSecretBox(randomBytes(32).toString('base64'))
    expectUnreadable(() => other.open(box.seal('whsec_abc')))
  })

  it('refuses a bad key at creation', () => {
    expect(() => createSecretBox('short')).toThrow(/32 bytes/)
  })
})
