import type { SealedAt } from './secret-box.ts'

/**
 * Where the sealed values of tenant secrets and outbound signing secrets are bound (the API seals them, the
 * worker opens them, the API's boot re-seal moves them to the newest key): table and column as in Postgres,
 * the row as the secret's name (tenant secrets, "bound to their tenant and name") or the tenant (signing).
 */
export function tenantSecretAt(tenant: string, name: string): SealedAt {
  return { tenant, table: 'tenant_secrets', row: name, column: 'value_ciphertext' }
}

export function signingSecretAt(
  tenant: string,
  column: 'secret_ciphertext' | 'previous_secret_ciphertext',
): SealedAt {
  return { tenant, table: 'tenant_signing_secrets', row: tenant, column }
}
