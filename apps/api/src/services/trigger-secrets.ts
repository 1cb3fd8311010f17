import { generateWebhookSecret, type SealedAt, type SecretBox } from '@punctual/core'
import type { TriggerRow } from '@punctual/db'

const COLUMN_NAMES = {
  secretCiphertext: 'secret_ciphertext',
  previousSecretCiphertext: 'previous_secret_ciphertext',
}

/** Where a trigger's sealed column is bound (core SealedAt): its tenant, table, row and column. */
export function triggerSecretAt(
  row: { id: string; tenant: string },
  column: 'secretCiphertext' | 'previousSecretCiphertext',
): SealedAt {
  return { tenant: row.tenant, table: 'triggers', row: row.id, column: COLUMN_NAMES[column] }
}

/** The secret columns of a trigger row (a narrower SELECT is enough). */
export type SealedTriggerSecrets = Pick<
  TriggerRow,
  'id' | 'tenant' | 'secretCiphertext' | 'previousSecretCiphertext' | 'previousSecretExpiresAt'
>

/**
 * The secrets a webhook delivery may be signed with at `now`: the current one, then the previous one while
 * its rotation grace lasts (until `previousSecretExpiresAt`, exclusive). An event trigger has none. A sealed
 * value that does not open (another key, a tampered row) throws SCHED_ERR_SECRET_UNREADABLE.
 */
export function openTriggerSecrets(row: SealedTriggerSecrets, box: SecretBox, now: Date): string[] {
  const secrets: string[] = []
  if (row.secretCiphertext)
    secrets.push(box.open(row.secretCiphertext, triggerSecretAt(row, 'secretCiphertext')))
  if (
    row.previousSecretCiphertext &&
    row.previousSecretExpiresAt &&
    row.previousSecretExpiresAt.getTime() > now.getTime()
  ) {
    secrets.push(box.open(row.previousSecretCiphertext, triggerSecretAt(row, 'previousSecretCiphertext')))
  }
  return secrets
}

/** A new webhook secret for the trigger `row`: plain (shown once) and sealed for its current-secret column. */
export function newTriggerSecret(
  box: SecretBox,
  row: { id: string; tenant: string },
): { plain: string; sealed: string } {
  const plain = generateWebhookSecret()
  return { plain, sealed: box.seal(plain, triggerSecretAt(row, 'secretCiphertext')) }
}

/**
 * The columns of a rotation: the current secret becomes the previous one, accepted for `graceMs` more; a
 * second rotation inside the grace drops the older previous secret (Stripe keeps one, too). A sealed value is
 * bound to its column, so the current one moves by being opened and sealed again for the previous column;
 * `graceMs` 0 (or a current secret that does not open) keeps no previous secret.
 */
export function rotatedSecretColumns(
  box: SecretBox,
  row: Pick<TriggerRow, 'id' | 'tenant' | 'secretCiphertext'>,
  next: { sealed: string },
  now: Date,
  graceMs: number,
): Pick<TriggerRow, 'secretCiphertext' | 'previousSecretCiphertext' | 'previousSecretExpiresAt'> {
  const previous = graceMs > 0 ? movedToPrevious(box, row) : null
  return {
    secretCiphertext: next.sealed,
    previousSecretCiphertext: previous,
    previousSecretExpiresAt: previous ? new Date(now.getTime() + graceMs) : null,
  }
}

function movedToPrevious(box: SecretBox, row: Pick<TriggerRow, 'id' | 'tenant' | 'secretCiphertext'>) {
  if (row.secretCiphertext === null) return null
  try {
    const plain = box.open(row.secretCiphertext, triggerSecretAt(row, 'secretCiphertext'))
    return box.seal(plain, triggerSecretAt(row, 'previousSecretCiphertext'))
  } catch {
    // Sealed under a key the ring no longer holds (or tampered): it verifies nothing, so nothing to keep.
    return null
  }
}
