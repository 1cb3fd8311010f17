import { generateWebhookSecret, type SecretBox } from '@punctual/core'
import type { TriggerRow } from '@punctual/db'

/** The secret columns of a trigger row (a narrower SELECT is enough). */
export type SealedTriggerSecrets = Pick<
  TriggerRow,
  'secretCiphertext' | 'previousSecretCiphertext' | 'previousSecretExpiresAt'
>

/**
 * The secrets a webhook delivery may be signed with at `now`: the current one, then the previous one while
 * its rotation grace lasts (until `previousSecretExpiresAt`, exclusive). An event trigger has none. A sealed
 * value that does not open (another key, a tampered row) throws SCHED_ERR_SECRET_UNREADABLE.
 */
export function openTriggerSecrets(row: SealedTriggerSecrets, box: SecretBox, now: Date): string[] {
  const secrets: string[] = []
  if (row.secretCiphertext) secrets.push(box.open(row.secretCiphertext))
  if (
    row.previousSecretCiphertext &&
    row.previousSecretExpiresAt &&
    row.previousSecretExpiresAt.getTime() > now.getTime()
  ) {
    secrets.push(box.open(row.previousSecretCiphertext))
  }
  return secrets
}

/** A new webhook secret, plain (shown once) and sealed (stored). */
export function newTriggerSecret(box: SecretBox): { plain: string; sealed: string } {
  const plain = generateWebhookSecret()
  return { plain, sealed: box.seal(plain) }
}

/**
 * The columns of a rotation: the current secret becomes the previous one, accepted for `graceMs` more; a
 * second rotation inside the grace drops the older previous secret (Stripe keeps one, too).
 */
export function rotatedSecretColumns(
  row: Pick<TriggerRow, 'secretCiphertext'>,
  next: { sealed: string },
  now: Date,
  graceMs: number,
): Pick<TriggerRow, 'secretCiphertext' | 'previousSecretCiphertext' | 'previousSecretExpiresAt'> {
  return {
    secretCiphertext: next.sealed,
    previousSecretCiphertext: graceMs > 0 ? row.secretCiphertext : null,
    previousSecretExpiresAt: graceMs > 0 ? new Date(now.getTime() + graceMs) : null,
  }
}
