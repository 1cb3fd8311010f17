import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { AppError } from '../errors.ts'

/**
 * Encryption of secrets at rest (webhook signing secrets), so that a database dump alone does not reveal
 * them, and a sealed value copied onto another row (another tenant's trigger) does not open there:
 * AES-256-GCM, a random 12-byte nonce per value, under the newest key of a key ring.
 *
 * - `v2.<key id>.<base64url nonce>.<base64url ciphertext + 16-byte tag>`, with the place the value is stored
 *   (tenant, table, row, column) and the key id as additional authenticated data: the same bytes anywhere else
 *   fail to open. The key id (secretKeyId) names the key that sealed it, so the ring can hold older keys while
 *   the API re-seals their values (apps/api/src/secrets-reseal.ts).
 * - `v1.<nonce>.<ciphertext + tag>`: the first format, bound to nothing and naming no key; opened (by trying
 *   every key of the ring) only while `acceptV1`, and re-sealed as v2 at API boot.
 * GCM authenticates: a changed byte, another key or another place makes `open` throw
 * SCHED_ERR_SECRET_UNREADABLE instead of returning garbage.
 */

const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16

/** Where a sealed value lives: what it is bound to. */
export interface SealedAt {
  tenant: string
  table: string
  /** The row's id. */
  row: string
  column: string
}

export interface SecretBox {
  /** Sealed under the newest key, bound to `at`. */
  seal(plain: string, at: SealedAt): string
  open(sealed: string, at: SealedAt): string
  /** The id of the key a value was sealed with (`v1` for the first format, null when unparseable). */
  keyIdOf(sealed: string): string | null
  /** The newest key's id: what `seal` uses, and what a value need not be re-sealed from. */
  readonly currentKeyId: string
  /** The ids of the ring, newest first. */
  readonly keyIds: readonly string[]
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

/**
 * A key's public name: 8 hex characters of a SHA-256 of the key (domain-separated), the same whichever way the
 * key is written (base64, url-safe, hex). Says which key sealed a value without revealing anything of it.
 */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update('punctual-secret-key-id\0').update(key).digest('hex').slice(0, 8)
}

function unreadable(cause?: unknown): AppError {
  return new AppError(
    'SCHED_ERR_SECRET_UNREADABLE',
    'a stored secret cannot be decrypted with the configured keys',
    undefined,
    { cause },
  )
}

function aad(keyId: string, at: SealedAt): Buffer {
  return Buffer.from(JSON.stringify(['v2', keyId, at.tenant, at.table, at.row, at.column]), 'utf8')
}

function decrypt(key: Buffer, nonceText: string, dataText: string, additional?: Buffer): string {
  const nonce = Buffer.from(nonceText, 'base64url')
  const data = Buffer.from(dataText, 'base64url')
  if (nonce.length !== NONCE_BYTES || data.length < TAG_BYTES) throw unreadable()
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  if (additional) decipher.setAAD(additional)
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
  return Buffer.concat([
    decipher.update(data.subarray(0, data.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8')
}

export interface SecretBoxOptions {
  /** Open `v1` values (unbound, the first format). SECRETS_ACCEPT_V1; default true. */
  acceptV1?: boolean
}

/**
 * A box over a key ring, newest first (`keys` as parsed keys, or one key as text). Seals with the newest;
 * opens with the key a value names.
 */
export function createSecretBox(keys: string | readonly Buffer[], opts: SecretBoxOptions = {}): SecretBox {
  const ring = typeof keys === 'string' ? [parseSecretKey(keys)] : [...keys]
  if (ring.length === 0 || ring.some((k) => !k || k.length !== KEY_BYTES)) {
    throw new TypeError('every secret key must be 32 bytes, as base64 or 64 hex characters')
  }
  const byId = new Map<string, Buffer>()
  for (const k of ring as Buffer[]) if (!byId.has(secretKeyId(k))) byId.set(secretKeyId(k), k)
  const currentKeyId = secretKeyId(ring[0]!)
  const current = ring[0]!
  const acceptV1 = opts.acceptV1 ?? true
  return {
    currentKeyId,
    keyIds: [...byId.keys()],
    seal(plain, at) {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv('aes-256-gcm', current, nonce)
      cipher.setAAD(aad(currentKeyId, at))
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return `v2.${currentKeyId}.${nonce.toString('base64url')}.${data.toString('base64url')}`
    },
    open(sealed, at) {
      const parts = typeof sealed === 'string' ? sealed.split('.') : []
      if (parts[0] === 'v2' && parts.length === 4) {
        const key = byId.get(parts[1]!)
        if (!key) throw unreadable()
        try {
          return decrypt(key, parts[2]!, parts[3]!, aad(parts[1]!, at))
        } catch (err) {
          throw unreadable(err)
        }
      }
      if (parts[0] === 'v1' && parts.length === 3 && acceptV1) {
        for (const key of byId.values()) {
          try {
            return decrypt(key, parts[1]!, parts[2]!)
          } catch {
            // Not this key: try the next one.
          }
        }
      }
      throw unreadable()
    },
    keyIdOf(sealed) {
      const parts = sealed.split('.')
      if (parts[0] === 'v2' && parts.length === 4) return parts[1]!
      if (parts[0] === 'v1' && parts.length === 3) return 'v1'
      return null
    },
  }
}
