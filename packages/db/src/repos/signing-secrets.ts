import type { Sql, TransactionSql } from 'postgres'

type Executor = Sql | TransactionSql

/**
 * The tenants' outbound signing secrets (one row per tenant, created on first use by whoever needs it first,
 * an API request or a worker's http step): INSERT … ON CONFLICT DO NOTHING then a read, so concurrent first
 * uses all end up with the one secret that won. Values are sealed by the caller (bound to tenant and column).
 */
export interface SigningSecretRow {
  tenant: string
  secretCiphertext: string
  previousSecretCiphertext: string | null
  previousExpiresAt: Date | null
}

/** The tenant's row, or undefined before its first use. */
export async function readSigningSecret(
  sql: Executor,
  tenant: string,
  opts: { forUpdate?: boolean } = {},
): Promise<SigningSecretRow | undefined> {
  const lock = opts.forUpdate ? sql`for update` : sql``
  const [row] = await sql<
    (Omit<SigningSecretRow, 'previousExpiresAt'> & { previousExpiresAt: string | null })[]
  >`
    select tenant, secret_ciphertext as "secretCiphertext",
           previous_secret_ciphertext as "previousSecretCiphertext", previous_expires_at as "previousExpiresAt"
      from tenant_signing_secrets where tenant = ${tenant} ${lock}`
  // The client returns timestamps as text.
  return row && { ...row, previousExpiresAt: row.previousExpiresAt ? new Date(row.previousExpiresAt) : null }
}

/** The tenant's row, created with `seal()`'s value when it has none yet (the first writer wins). */
export async function ensureSigningSecret(
  sql: Sql,
  tenant: string,
  seal: () => string,
): Promise<SigningSecretRow> {
  const found = await readSigningSecret(sql, tenant)
  if (found) return found
  await sql`
    insert into tenant_signing_secrets (tenant, secret_ciphertext) values (${tenant}, ${seal()})
    on conflict (tenant) do nothing`
  const row = await readSigningSecret(sql, tenant)
  if (!row) throw new Error('signing secret row missing right after its insert')
  return row
}

/** Writes a rotation (the caller holds the row lock: readSigningSecret with forUpdate in its transaction). */
export async function writeSigningSecretRotation(
  sql: Executor,
  tenant: string,
  next: { secretCiphertext: string; previousSecretCiphertext: string | null; previousExpiresAt: Date | null },
): Promise<void> {
  await sql`
    update tenant_signing_secrets
       set secret_ciphertext = ${next.secretCiphertext},
           previous_secret_ciphertext = ${next.previousSecretCiphertext},
           previous_expires_at = ${next.previousExpiresAt?.toISOString() ?? null}::timestamptz,
           rotated_at = now()
     where tenant = ${tenant}`
}
