import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { AppError } from '../errors.ts'

/**
 * Encryption of secrets at rest (webhook signing secrets), so that a database dump alone does not reveal
 * them: AES-256-GCM with a 32-byte key from the environment and a random 12-byte nonce per value.
 * Sealed form: `v1.<base64url nonce>.<base64url ciphertext followed by the 16-byte tag>`; the `v1`
 * leaves room for another key or algorithm later. GCM authenticates: a changed byte or another key makes
 * `open` throw SCHED_ERR_SECRET_UNREADABLE instead of returning garbage.
 */

const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16
const VERSION = 'v1'

export interface SecretBox {
  seal(plain: string): string
  open(sealed: string): string
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/

/** A 32-byte key written as 64 hex characters or base64 (standard or url-safe, padding optional); else null. */
export function parseSecretKey(raw: string): Buffer | null {
  const s = raw.trim()
  if (HEX_KEY.test(s)) return Buffer.from(s, 'hex')
  const std = s.replaceAll('-', '+').replaceAll('_', '/')
  const padded = std.length === 43 ? `${std}=` : std
  if (!BASE64_KEY.test(padded)) return null
  const key = Buffer.from(padded, 'base64')
  // Canonical only: a last character with bits beyond the 32 bytes is a typo, not the same key.
  return key.length === KEY_BYTES && key.toString('base64') === padded ? key : null
}

export function createSecretBox(key: string): SecretBox {
  const k = parseSecretKey(key)
  if (!k) throw new TypeError('the secret key must be 32 bytes, as base64 or 64 hex characters')
  const unreadable = (cause?: unknown) =>
    new AppError(
      'SCHED_ERR_SECRET_UNREADABLE',
      'a stored secret cannot be decrypted with the configured key',
      undefined,
      {
        cause,
      },
    )
  return {
    seal(plain) {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv('aes-256-gcm', k, nonce)
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return `${VERSION}.${nonce.toString('base64url')}.${data.toString('base64url')}`
    },
    open(sealed) {
      const parts = typeof sealed === 'string' ? sealed.split('.') : []
      if (parts.length !== 3 || parts[0] !== VERSION) throw unreadable()
      const nonce = Buffer.from(parts[1]!, 'base64url')
      const data = Buffer.from(parts[2]!, 'base64url')
      if (nonce.length !== NONCE_BYTES || data.length < TAG_BYTES) throw unreadable()
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, nonce, { authTagLength: TAG_BYTES })
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
        return Buffer.concat([
          decipher.update(data.subarray(0, data.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8')
      } catch (err) {
        throw unreadable(err)
      }
    },
  }
}
