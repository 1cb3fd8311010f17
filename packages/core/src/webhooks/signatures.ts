import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Webhook signature maths for the two schemes of the contract. Verification never throws on bad input
 * (wrong lengths, bad base64, odd headers): it answers `{ ok: false, reason }`, and every comparison of a
 * received signature with an expected one is constant-time (timingSafeEqual, after a length check that
 * reveals only the length of the expected value, which is public).
 *
 * - Standard Webhooks (`standard`): `webhook-signature` holds one or more space-separated `v1,<base64>`
 *   signatures of `<webhook-id>.<webhook-timestamp>.<raw body>` (HMAC-SHA256), keyed with the
 *   base64-decoded part of the secret after `whsec_`. Any one signature matching any current secret passes
 *   (rotation: the sender signs with both, or we hold both). `webhook-timestamp` is unix seconds, at most
 *   `toleranceSec` (default 300) from now either way.
 * - GitHub (`github`): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed with the
 *   whole secret string (its UTF-8 bytes, `whsec_` included).
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_'
export const WEBHOOK_SECRET_BYTES = 32
export const WEBHOOK_TOLERANCE_SEC = 300

export type WebhookFailureReason =
  | 'missing-header'
  | 'invalid-timestamp'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'invalid-signature'

/** `secretIndex`: which of the given secrets matched (0 = the first, e.g. the current one). */
export type WebhookVerification =
  | { ok: true; secretIndex: number }
  | { ok: false; reason: WebhookFailureReason }

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(WEBHOOK_SECRET_BYTES).toString('base64')
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** The HMAC key of a Standard Webhooks secret, or null when it is not `[whsec_]<base64>` of some bytes. */
export function standardWebhookKey(secret: string): Buffer | null {
  const b64 = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret
  if (b64.length === 0 || !BASE64.test(b64)) return null
  return Buffer.from(b64, 'base64')
}

/** The HMAC-SHA256 a Standard Webhooks signature carries (base64 after `v1,`). */
export function standardWebhookDigest(
  key: Buffer,
  id: string,
  timestamp: string,
  body: Buffer | string,
): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest()
}

/** Equal-length buffers compared in constant time; different lengths are simply unequal. */
function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

const TIMESTAMP = /^\d{1,12}$/

export function verifyStandardWebhook(input: {
  /** Secrets accepted now, e.g. [current, previous during the rotation grace period]. */
  secrets: readonly string[]
  id: string | undefined
  timestamp: string | undefined
  signature: string | undefined
  body: Buffer
  nowMs: number
  toleranceSec?: number
}): WebhookVerification {
  const { id, timestamp, signature } = input
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing-header' }
  if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: 'invalid-timestamp' }
  const tolerance = input.toleranceSec ?? WEBHOOK_TOLERANCE_SEC
  const nowSec = Math.floor(input.nowMs / 1000)
  const ts = Number(timestamp)
  if (nowSec - ts > tolerance) return { ok: false, reason: 'timestamp-too-old' }
  if (ts - nowSec > tolerance) return { ok: false, reason: 'timestamp-too-new' }

  const offered: Buffer[] = []
  for (const part of signature.split(' ')) {
    // Other versions (e.g. v1a, asymmetric) are skipped, as the reference library does.
    if (part.startsWith('v1,')) offered.push(Buffer.from(part.slice(3), 'utf8'))
  }
  if (offered.length === 0) return { ok: false, reason: 'invalid-signature' }
  for (let i = 0; i < input.secrets.length; i++) {
    const key = standardWebhookKey(input.secrets[i]!)
    if (!key || key.length === 0) continue
    const expected = Buffer.from(
      standardWebhookDigest(key, id, timestamp, input.body).toString('base64'),
      'utf8',
    )
    for (const candidate of offered) if (safeEqual(candidate, expected)) return { ok: true, secretIndex: i }
  }
  return { ok: false, reason: 'invalid-signature' }
}

export function signGithubWebhook(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export function verifyGithubWebhook(input: {
  secrets: readonly string[]
  signature: string | undefined
  body: Buffer
}): WebhookVerification {
  const { signature } = input
  if (!signature) return { ok: false, reason: 'missing-header' }
  if (!signature.startsWith('sha256=')) return { ok: false, reason: 'invalid-signature' }
  const candidate = Buffer.from(signature.slice(7).toLowerCase(), 'utf8')
  for (let i = 0; i < input.secrets.length; i++) {
    const expected = Buffer.from(signGithubWebhook(input.secrets[i]!, input.body).slice(7), 'utf8')
    if (safeEqual(candidate, expected)) return { ok: true, secretIndex: i }
  }
  return { ok: false, reason: 'invalid-signature' }
}

/**
 * The `webhook-signature` header of an outbound request (Standard Webhooks): one `v1,<base64>` per key,
 * space-separated (during a rotation the new and the previous secret both sign). `keys` are the HMAC keys
 * (standardWebhookKey of each secret), computed once per secret by the caller: this is the hot path.
 */
export function standardWebhookSignatureHeader(
  keys: readonly Buffer[],
  id: string,
  timestamp: string,
  body: string,
): string {
  let header = ''
  for (const key of keys) {
    const sig = `v1,${standardWebhookDigest(key, id, timestamp, body).toString('base64')}`
    header = header === '' ? sig : `${header} ${sig}`
  }
  return header
}
