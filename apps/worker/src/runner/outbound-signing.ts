import {
  generateWebhookSecret,
  type SecretBox,
  signingSecretAt,
  standardWebhookKey,
  standardWebhookSignatureHeader,
} from '@punctual/core'
import { ensureSigningSecret, type SigningSecretRow, type Sql } from '@punctual/db'

/**
 * Outbound signing of http step requests (the contract's Workflows section, Standard Webhooks): every request
 * carries `webhook-id` (`<execution id>.<step name>`, the same on every attempt so a receiver can
 * deduplicate), `webhook-timestamp` (unix seconds) and `webhook-signature`, an HMAC-SHA256 of
 * `<id>.<timestamp>.<body>` with the tenant's signing secret, and during the 24 h after a rotation a second
 * one with the previous secret; and `X-Execution-Id`.
 *
 * The tenant's secret is created on first use (INSERT … ON CONFLICT DO NOTHING, then read: concurrent first
 * uses on several workers and the API agree on one), opened once and cached per worker as HMAC keys for a
 * short time, bounded: a rotation is seen within the TTL. Signing itself is node:crypto HMAC, no library.
 */

export interface SigningKeys {
  current: Buffer
  previous: Buffer | null
  /** Until when (ms) the previous key signs. */
  previousUntilMs: number
}

export interface SigningCacheOptions {
  sql: Sql
  box: SecretBox
  /** Default 5000. */
  ttlMs?: number
  /** Tenants kept, oldest out first. Default 10000. */
  maxEntries?: number
  now?: () => number
}

function keyOf(plain: string): Buffer {
  const key = standardWebhookKey(plain)
  if (!key) throw new Error('the stored signing secret is not a whsec_ secret')
  return key
}

function openKeys(box: SecretBox, row: SigningSecretRow): SigningKeys {
  const current = keyOf(box.open(row.secretCiphertext, signingSecretAt(row.tenant, 'secret_ciphertext')))
  let previous: Buffer | null = null
  if (row.previousSecretCiphertext && row.previousExpiresAt) {
    try {
      previous = keyOf(
        box.open(row.previousSecretCiphertext, signingSecretAt(row.tenant, 'previous_secret_ciphertext')),
      )
    } catch {
      previous = null // a previous secret that does not open signs nothing; the current one still does
    }
  }
  return { current, previous, previousUntilMs: row.previousExpiresAt?.getTime() ?? 0 }
}

export function createSigningCache(opts: SigningCacheOptions) {
  const ttlMs = opts.ttlMs ?? 5000
  const maxEntries = opts.maxEntries ?? 10_000
  const now = opts.now ?? Date.now
  const entries = new Map<string, { untilMs: number; keys: Promise<SigningKeys> }>()
  return {
    /** The HMAC keys that sign for `tenant` now (the previous one only inside its 24 h). */
    async keysFor(tenant: string): Promise<Buffer[]> {
      const t = now()
      let entry = entries.get(tenant)
      if (!entry || entry.untilMs <= t) {
        const keys = ensureSigningSecret(opts.sql, tenant, () =>
          opts.box.seal(generateWebhookSecret(), signingSecretAt(tenant, 'secret_ciphertext')),
        ).then((row) => openKeys(opts.box, row))
        const fresh = { untilMs: t + ttlMs, keys }
        entry = fresh
        entries.delete(tenant)
        entries.set(tenant, fresh)
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
        keys.catch(() => entries.get(tenant) === fresh && entries.delete(tenant))
      }
      const keys = await entry.keys
      return keys.previous && keys.previousUntilMs > t ? [keys.current, keys.previous] : [keys.current]
    },
  }
}
export type SigningCache = ReturnType<typeof createSigningCache>

const SIGNING_HEADERS = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-execution-id'])

/**
 * `headers` with the signing headers set (a step's own header of the same name, in any case, is replaced:
 * a step cannot forge or drop them). `body` is exactly the bytes sent ('' for none).
 */
export function signRequest(
  headers: Record<string, string>,
  opts: { keys: readonly Buffer[]; executionId: string; stepName: string; body: string; nowMs: number },
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!SIGNING_HEADERS.has(name.toLowerCase())) out[name] = value
  }
  out['x-execution-id'] = opts.executionId
  if (opts.keys.length === 0) return out
  const id = `${opts.executionId}.${opts.stepName}`
  const timestamp = String(Math.floor(opts.nowMs / 1000))
  out['webhook-id'] = id
  out['webhook-timestamp'] = timestamp
  out['webhook-signature'] = standardWebhookSignatureHeader(opts.keys, id, timestamp, opts.body)
  return out
}
