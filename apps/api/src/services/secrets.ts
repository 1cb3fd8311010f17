import {
  AppError,
  type FieldError,
  generateWebhookSecret,
  normalizeAllowedHost,
  SECRET_VALUE_MAX_BYTES,
  type SecretBox,
  type SecretPut,
  signingSecretAt,
  tenantSecretAt,
  uuidv7,
} from '@punctual/core'
import {
  createTenantSecretsRepo,
  type DbExecutor,
  ensureSigningSecret,
  insertAuditEntries,
  readSigningSecret,
  type Sql,
  type TenantSecretListRow,
  writeSigningSecretRotation,
} from '@punctual/db'
import type { Principal } from '../plugins/auth.ts'
import { auditChange } from './audit-change.ts'

/**
 * Tenant secrets (`/api/secrets`, admin only) and the outbound signing secret (`/api/signing-secret`). Values
 * are sealed here with the newest key of the ring, bound to tenant and name (core sealed-places.ts), and never
 * read back by the API: only workers open them, at run time. Every change is audited, without the value.
 */

/** After a rotation the previous signing secret keeps signing this long (the contract's 24 h). */
export const SIGNING_SECRET_GRACE_MS = 24 * 3_600_000

export interface SecretServiceDeps {
  db: DbExecutor
  sql: Sql
  box: SecretBox
  now: () => Date
}

/** allowedHosts in their stored form; 400 naming each entry that is not a host. */
function normalizeHosts(hosts: readonly string[] | null | undefined): string[] | null {
  if (hosts === undefined || hosts === null) return null
  const errors: FieldError[] = []
  const out = new Set<string>()
  hosts.forEach((h, i) => {
    const n = normalizeAllowedHost(h)
    if (n === null) {
      errors.push({
        path: `body.allowedHosts.${i}`,
        message: 'must be a host name, *.host name or IP address (no scheme, port or path)',
      })
    } else out.add(n)
  })
  if (errors.length > 0)
    throw new AppError('SCHED_ERR_VALIDATION', 'allowedHosts holds entries that are not hosts', errors)
  return [...out]
}

async function putSecret(deps: SecretServiceDeps, p: Principal, name: string, body: SecretPut) {
  if (Buffer.byteLength(body.value, 'utf8') > SECRET_VALUE_MAX_BYTES) {
    throw new AppError('SCHED_ERR_VALIDATION', 'value is longer than 8 KiB', [
      { path: 'body.value', message: `must be at most ${SECRET_VALUE_MAX_BYTES} bytes of UTF-8` },
    ])
  }
  const allowedHosts = normalizeHosts(body.allowedHosts)
  const sealed = deps.box.seal(body.value, tenantSecretAt(p.tenant, name))
  const at = deps.now()
  await deps.db.transaction(async (tx) => {
    const { created } = await createTenantSecretsRepo(tx).put({
      id: uuidv7(),
      tenant: p.tenant,
      name,
      valueCiphertext: sealed,
      allowedHosts,
      at,
    })
    await auditChange(
      tx,
      p,
      { type: 'secret', id: name },
      created ? 'secret.created' : 'secret.updated',
      at,
      {
        allowedHosts,
      },
    )
  })
}

async function removeSecret(deps: SecretServiceDeps, p: Principal, name: string) {
  await deps.db.transaction(async (tx) => {
    const outcome = await createTenantSecretsRepo(tx).deleteUnreferenced(p.tenant, name)
    if (outcome === 'not_found') throw new AppError('SCHED_ERR_NOT_FOUND', `No secret ${name}`)
    if (outcome === 'in_use') {
      throw new AppError(
        'SCHED_ERR_IN_USE',
        `A workflow refers to the secret ${name}; change or delete the workflows that use it first`,
      )
    }
    await auditChange(tx, p, { type: 'secret', id: name }, 'secret.deleted', deps.now(), {})
  })
}

/** The tenant's signing-secret row, created with a new sealed secret on first use. */
function ensureSigningRow(deps: SecretServiceDeps, tenant: string) {
  return ensureSigningSecret(deps.sql, tenant, () =>
    deps.box.seal(generateWebhookSecret(), signingSecretAt(tenant, 'secret_ciphertext')),
  )
}

/** The tenant's current signing secret, created (and sealed) on first use. */
async function signingSecret(deps: SecretServiceDeps, tenant: string): Promise<string> {
  const row = await ensureSigningRow(deps, tenant)
  return deps.box.open(row.secretCiphertext, signingSecretAt(tenant, 'secret_ciphertext'))
}

/**
 * A new signing secret; the current one becomes the previous one and keeps signing for 24 h (a second
 * rotation within them drops the older previous one). Answers the new secret.
 */
async function rotateSigningSecret(deps: SecretServiceDeps, p: Principal): Promise<string> {
  const tenant = p.tenant
  const next = generateWebhookSecret()
  // The row exists from here on (a first use by rotation rotates the secret just created); not opened: a
  // secret sealed under a key the ring lost is exactly what a rotation must be able to replace.
  await ensureSigningRow(deps, tenant)
  const at = deps.now()
  await deps.sql.begin(async (tx) => {
    const row = await readSigningSecret(tx, tenant, { forUpdate: true })
    if (!row) throw new Error('signing secret row missing inside its rotation')
    let previous: string | null = null
    try {
      const plain = deps.box.open(row.secretCiphertext, signingSecretAt(tenant, 'secret_ciphertext'))
      previous = deps.box.seal(plain, signingSecretAt(tenant, 'previous_secret_ciphertext'))
    } catch {
      // Sealed under a key the ring no longer holds: it signs nothing, so nothing to keep.
    }
    await writeSigningSecretRotation(tx, tenant, {
      secretCiphertext: deps.box.seal(next, signingSecretAt(tenant, 'secret_ciphertext')),
      previousSecretCiphertext: previous,
      previousExpiresAt: previous ? new Date(at.getTime() + SIGNING_SECRET_GRACE_MS) : null,
    })
    await insertAuditEntries(tx, [
      {
        tenant,
        actor: p.sub,
        action: 'signing_secret.rotated',
        targetType: 'signing_secret',
        targetId: tenant,
        details: { previousSignsUntil: previous ? new Date(at.getTime() + SIGNING_SECRET_GRACE_MS) : null },
        at,
      },
    ])
  })
  return next
}

export function createSecretService(deps: SecretServiceDeps) {
  return {
    put: (p: Principal, name: string, body: SecretPut) => putSecret(deps, p, name, body),
    page: (p: Principal, opts: { limit: number; after?: string | undefined }) =>
      createTenantSecretsRepo(deps.db).page(p.tenant, opts),
    remove: (p: Principal, name: string) => removeSecret(deps, p, name),
    signingSecret: (p: Principal) => signingSecret(deps, p.tenant),
    rotateSigningSecret: (p: Principal) => rotateSigningSecret(deps, p),
  }
}
export type SecretService = ReturnType<typeof createSecretService>

export function toSecretDto(row: TenantSecretListRow) {
  return {
    name: row.name,
    allowedHosts: row.allowedHosts,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
