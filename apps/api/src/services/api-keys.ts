import { createHash, randomBytes } from 'node:crypto'
import { type ApiKeyCreate, AppError, uuidv7 } from '@punctual/core'
import {
  type ApiKeyIdentity,
  type ApiKeyRow,
  createApiKeysRepo,
  type DbExecutor,
  isUniqueViolation,
} from '@punctual/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal, Role } from '../plugins/auth.ts'
import { auditChange } from './audit-change.ts'

/**
 * API keys (the contract's Authentication section): `pk_` + base64url of 32 random bytes, shown once by the
 * create; stored only as its SHA-256 (hex), by which a request's key is looked up. A key acts for its tenant
 * with its role, as `apikey:<id>` in the audit log. Revoking deletes the row.
 */

export const API_KEY_PREFIX = 'pk_'
/** `pk_` + 43 base64url characters (32 bytes): anything else is refused without a lookup. */
const API_KEY_RE = /^pk_[A-Za-z0-9_-]{43}$/

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

export function isApiKeyCredential(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX)
}

export interface ApiKeyServiceDeps {
  db: DbExecutor
  now: () => Date
  /** After a revocation commits: this process refuses the key at once (the others within their cache TTL). */
  onRevoked?: (id: string) => void
}

export function createApiKeyService(deps: ApiKeyServiceDeps) {
  return {
    create: (p: Principal, body: ApiKeyCreate) => createApiKey(deps, p, body),
    page: (p: Principal, opts: { limit: number; after?: string | undefined }) =>
      createApiKeysRepo(deps.db).page(p.tenant, opts),
    remove: (p: Principal, id: string) => revokeApiKey(deps, p, id),
  }
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>

async function createApiKey(
  deps: ApiKeyServiceDeps,
  p: Principal,
  body: ApiKeyCreate,
): Promise<{ row: ApiKeyRow; key: string }> {
  const at = deps.now()
  const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt)
  if (expiresAt && expiresAt.getTime() <= at.getTime()) {
    throw new AppError('SCHED_ERR_VALIDATION', 'expiresAt must lie in the future', [
      { path: 'body.expiresAt', message: 'must lie in the future' },
    ])
  }
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const row = await deps.db
    .transaction(async (tx) => {
      const created = await createApiKeysRepo(tx).insert({
        id: uuidv7(),
        tenant: p.tenant,
        name: body.name,
        role: body.role,
        prefix: key.slice(0, API_KEY_PREFIX.length + 8),
        keyHash: hashApiKey(key),
        createdAt: at,
        expiresAt,
      })
      await auditChange(tx, p, { type: 'apikey', id: created.id }, 'apikey.created', at, {
        name: created.name,
        role: created.role,
        expiresAt: created.expiresAt?.toISOString() ?? null,
      })
      return created
    })
    .catch((err: unknown) => {
      if (isUniqueViolation(err, 'api_keys_tenant_name_uq')) {
        throw new AppError(
          'SCHED_ERR_NAME_TAKEN',
          `An API key named '${body.name}' already exists in this tenant`,
          [{ path: 'body.name', message: 'is already used in this tenant' }],
        )
      }
      throw err
    })
  return { row, key }
}

async function revokeApiKey(deps: ApiKeyServiceDeps, p: Principal, id: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const deleted = await createApiKeysRepo(tx).delete(p.tenant, id)
    if (!deleted) throw new AppError('SCHED_ERR_NOT_FOUND', `No API key ${id}`)
    await auditChange(tx, p, { type: 'apikey', id }, 'apikey.revoked', deps.now(), { name: deleted.name })
  })
  deps.onRevoked?.(id)
}

export interface ApiKeyAuthenticatorOptions {
  db: DbExecutor
  now: () => Date
  log: FastifyBaseLogger
  /** How long a found key is trusted without reading it again: bounds how late a revocation is seen. */
  positiveTtlMs?: number
  /** How long an unknown key is remembered as unknown (a repeated bogus key costs no read). */
  negativeTtlMs?: number
  /** Cached keys, found or not, per process. */
  maxEntries?: number
}

interface CachedKey {
  identity: Promise<ApiKeyIdentity | undefined>
  untilMs: number
}

/** When lastUsedAt is written: at most once a minute per key. */
const TOUCH_EVERY_MS = 60_000

/**
 * Authenticates API keys with a short cache per process: a key found is trusted for 2 s (a revocation on any
 * replica is refused everywhere within 5 s, Postgres being the only shared state: nothing to lose if Redis is
 * down), an unknown one is remembered for 10 s; a malformed one is refused without a lookup. Concurrent
 * requests with the same uncached key share one read. lastUsedAt is written at most once a minute, in the
 * background, by a conditional update that also bounds the other replicas.
 */
export function createApiKeyAuthenticator(opts: ApiKeyAuthenticatorOptions) {
  const repo = createApiKeysRepo(opts.db)
  const positiveTtlMs = opts.positiveTtlMs ?? 2000
  const negativeTtlMs = opts.negativeTtlMs ?? 10_000
  const maxEntries = opts.maxEntries ?? 10_000
  const cache = new Map<string, CachedKey>()
  const touchedAtMs = new Map<string, number>()
  /** Key id → the hash it is cached under (for forget). */
  const hashes = new Map<string, string>()

  function lookup(hash: string): Promise<ApiKeyIdentity | undefined> {
    const nowMs = Date.now()
    const hit = cache.get(hash)
    if (hit && hit.untilMs > nowMs) return hit.identity
    cache.delete(hash)
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!)
    const entry: CachedKey = { identity: repo.findByHash(hash), untilMs: nowMs + positiveTtlMs }
    cache.set(hash, entry)
    entry.identity.then(
      (found) => {
        if (!found) entry.untilMs = Date.now() + negativeTtlMs
        else {
          hashes.set(found.id, hash)
          if (hashes.size > maxEntries) hashes.delete(hashes.keys().next().value!)
        }
      },
      // A failed read (Postgres down) is not remembered: the request answers 503 and the next one reads again.
      () => cache.get(hash) === entry && cache.delete(hash),
    )
    return entry.identity
  }

  function touch(identity: ApiKeyIdentity, at: Date) {
    const last = Math.max(touchedAtMs.get(identity.id) ?? 0, identity.lastUsedAt?.getTime() ?? 0)
    if (at.getTime() - last < TOUCH_EVERY_MS) return
    touchedAtMs.set(identity.id, at.getTime())
    if (touchedAtMs.size > maxEntries) touchedAtMs.delete(touchedAtMs.keys().next().value!)
    repo.touch(identity.id, at).catch((err: unknown) => {
      opts.log.debug({ err, apiKeyId: identity.id }, 'API key lastUsedAt not written; written on a later use')
      touchedAtMs.delete(identity.id)
    })
  }

  return {
    /** Drops a revoked key from this process's cache: refused from the next request on. */
    forget(id: string) {
      const hash = hashes.get(id)
      if (hash !== undefined) cache.delete(hash)
      hashes.delete(id)
    },
    /** The principal of a key, or undefined (unknown, malformed, revoked, expired). Postgres down: throws. */
    async authenticate(key: string): Promise<Principal | undefined> {
      if (!API_KEY_RE.test(key)) return undefined
      const identity = await lookup(hashApiKey(key))
      const at = opts.now()
      if (!identity || (identity.expiresAt && identity.expiresAt.getTime() <= at.getTime())) return undefined
      touch(identity, at)
      return { sub: `apikey:${identity.id}`, tenant: identity.tenant, role: identity.role as Role }
    },
  }
}
export type ApiKeyAuthenticator = ReturnType<typeof createApiKeyAuthenticator>

/** The outside view of a key: never the key nor its hash. */
export function toApiKeyDto(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  }
}
