import {
  AppError,
  countFilterMatchers,
  countUnanchoredSubpatterns,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TENANT_QUOTAS,
  type FieldError,
  quotaExceeded,
  type SecretBox,
  subpatternAnchors,
  type TenantQuotas,
  type Trigger,
  type TriggerCreate,
  type TriggerPatch,
  type TriggerType,
  uuidv7,
  validateEventPattern,
  validateEventType,
} from '@punctual/core'
import {
  createTriggersRepo,
  type DbExecutor,
  isForeignKeyViolation,
  isUniqueViolation,
  lockTenantUsageRow,
  type NewTriggerRow,
  type TriggerRow,
} from '@punctual/db'
import type { Principal } from '../plugins/auth.ts'
import { validationFailed } from '../plugins/errors.ts'
import { auditChange } from './audit-change.ts'
import { newTriggerSecret, rotatedSecretColumns } from './trigger-secrets.ts'

export interface TriggerServiceDeps {
  db: DbExecutor
  box: SecretBox
  now: () => Date
  /** How long a rotated-out secret keeps verifying (WEBHOOK_SECRET_GRACE_MS). */
  graceMs: number
  /** Prefix of the `url` shown for webhook triggers (PUBLIC_BASE_URL); unset: a path. */
  publicBaseUrl?: string | undefined
  /** Per-tenant quotas (TENANT_MAX_*); the contract's defaults when left out. */
  quotas?: TenantQuotas
}

export const DEFAULT_WEBHOOK_RATE_LIMIT = 600

const WEBHOOK_ONLY = ['rateLimitPerMinute', 'scheme'] as const

/**
 * The checks the body schema cannot express, as field errors (400): the eventType syntax, eventType required
 * for an event trigger and refused for a webhook one, the webhook-only fields refused for an event trigger.
 * `type` is the trigger's type when known (from the body on create/PUT, from the row on PATCH). Safe on a body
 * that failed its schema.
 */
export function triggerRuleErrors(
  body: unknown,
  type: TriggerType | undefined,
  opts: { requireEventType: boolean },
): FieldError[] {
  if (typeof body !== 'object' || body === null) return []
  const b = body as Record<string, unknown>
  const errors: FieldError[] = []
  if (typeof b.eventType === 'string') {
    const reason = validateEventType(b.eventType)
    if (reason) errors.push({ path: 'body.eventType', message: reason })
  }
  if (type === 'event') {
    if (b.eventType === undefined && opts.requireEventType) {
      errors.push({ path: 'body.eventType', message: 'is required for an event trigger' })
    }
    for (const field of WEBHOOK_ONLY) {
      if (b[field] !== undefined) {
        errors.push({ path: `body.${field}`, message: 'is only for webhook triggers' })
      }
    }
  }
  if (type === 'webhook' && b.eventType !== undefined) {
    errors.push({
      path: 'body.eventType',
      message: 'is only for event triggers (a webhook trigger runs on every verified delivery; use filter)',
    })
  }
  return errors
}

/** A malformed filter is 422, naming the JSON pointer of each problem inside the body (`/filter/...`). */
function assertFilterValid(filter: Record<string, unknown> | null | undefined): void {
  if (filter === undefined || filter === null) return
  const problems = validateEventPattern(filter)
  if (problems.length === 0) return
  const errors = problems.map((e) => ({ path: `/filter${e.path}`, message: e.message }))
  throw new AppError(
    'SCHED_ERR_FILTER_INVALID',
    `filter is not a valid event pattern: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  )
}

/**
 * Refuses a write that would take the tenant past a quota: `addTriggers` more triggers, a filter change of
 * `matcherDelta` leaf entries and `unanchoredDelta` unanchored sub-patterns, and `newAnchors` that the trigger
 * (`id`, on update) did not hold yet. Locks the tenant's usage row for the rest of the transaction, so
 * concurrent writes at the edge (in any API process) are decided one after the other.
 */
async function assertQuotas(
  tx: DbExecutor,
  tenant: string,
  quotas: TenantQuotas,
  change: {
    addTriggers: number
    matcherDelta: number
    unanchoredDelta: number
    newAnchors: readonly string[]
    id?: string
  },
) {
  const { addTriggers, matcherDelta, unanchoredDelta, newAnchors } = change
  if (addTriggers <= 0 && matcherDelta <= 0 && unanchoredDelta <= 0 && newAnchors.length === 0) return
  const usage = await lockTenantUsageRow(tx, tenant)
  if (addTriggers > 0 && usage.triggers + addTriggers > quotas.maxTriggers) {
    throw quotaExceeded('TENANT_MAX_TRIGGERS', quotas.maxTriggers)
  }
  if (matcherDelta > 0 && usage.filterMatchers + matcherDelta > quotas.maxFilterMatchers) {
    throw quotaExceeded('TENANT_MAX_FILTER_MATCHERS', quotas.maxFilterMatchers, 'body.filter')
  }
  if (
    unanchoredDelta > 0 &&
    usage.unanchoredSubpatterns + unanchoredDelta > quotas.maxUnanchoredSubpatterns
  ) {
    throw quotaExceeded('TENANT_MAX_UNANCHORED_SUBPATTERNS', quotas.maxUnanchoredSubpatterns, 'body.filter')
  }
  if (newAnchors.length > 0) {
    // Every other trigger's anchors are stable while the usage row is locked: their writes lock it too.
    const most = await createTriggersRepo(tx).mostHeldAnchor(tenant, newAnchors, change.id)
    if (most !== undefined && most.holders + 1 > quotas.maxSubpatternsPerAnchor) {
      throw quotaExceeded('TENANT_MAX_SUBPATTERNS_PER_ANCHOR', quotas.maxSubpatternsPerAnchor, 'body.filter')
    }
  }
}

/**
 * Trigger writes. Each runs in one transaction with its audit entry. A webhook secret is generated here,
 * sealed with the secret box before it reaches the database, and handed back in plain text only to the
 * create or rotate call that made it.
 */
export function createTriggerService({
  db,
  box,
  now,
  graceMs,
  publicBaseUrl,
  quotas = DEFAULT_TENANT_QUOTAS,
}: TriggerServiceDeps) {
  function writeError(err: unknown, name: string): never {
    if (isUniqueViolation(err)) throw nameTakenError(name)
    if (isForeignKeyViolation(err)) throw unknownWorkflow()
    throw err
  }

  /** The definition columns a create or a PUT writes: every field, defaults for the ones left out. */
  function definition(body: TriggerCreate) {
    const webhook = body.type === 'webhook'
    return {
      workflowId: body.workflowId,
      name: body.name,
      eventType: webhook ? null : body.eventType!,
      filter: body.filter ?? null,
      filterMatchers: countFilterMatchers(body.filter ?? null),
      unanchoredSubpatterns: webhook ? 0 : countUnanchoredSubpatterns(body.filter ?? null),
      subpatternAnchors: webhook ? [] : subpatternAnchors(body.filter ?? null),
      scheme: webhook ? (body.scheme ?? 'standard') : null,
      rateLimitPerMinute: webhook ? (body.rateLimitPerMinute ?? DEFAULT_WEBHOOK_RATE_LIMIT) : null,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, ...body.retryPolicy },
      priority: body.priority ?? 5,
      enabled: body.enabled ?? true,
    } satisfies Partial<NewTriggerRow>
  }

  return {
    /** The body has passed the schema and triggerRuleErrors. */
    async create(p: Principal, body: TriggerCreate): Promise<{ row: TriggerRow; secret?: string }> {
      assertFilterValid(body.filter)
      const at = now()
      const secret = body.type === 'webhook' ? newTriggerSecret(box) : undefined
      const row = await db
        .transaction(async (tx) => {
          const def = definition(body)
          await assertQuotas(tx, p.tenant, quotas, {
            addTriggers: 1,
            matcherDelta: def.filterMatchers,
            unanchoredDelta: def.unanchoredSubpatterns,
            newAnchors: def.subpatternAnchors,
          })
          const created = await createTriggersRepo(tx).insert({
            id: uuidv7(),
            tenant: p.tenant,
            type: body.type,
            ...def,
            secretCiphertext: secret?.sealed ?? null,
            createdAt: at,
            updatedAt: at,
          })
          await auditChange(tx, p, { type: 'trigger', id: created.id }, 'trigger.created', at, {
            name: created.name,
            type: created.type,
            workflowId: created.workflowId,
          })
          return created
        })
        .catch((err) => writeError(err, body.name))
      return secret ? { row, secret: secret.plain } : { row }
    },

    /**
     * PUT (`replace`: the body is a whole definition, fields left out return to their defaults; `type` must be
     * the trigger's) or PATCH (the fields given).
     */
    async update(
      p: Principal,
      id: string,
      body: TriggerPatch | TriggerCreate,
      replace: boolean,
    ): Promise<TriggerRow> {
      assertFilterValid(body.filter)
      const at = now()
      return db.transaction(async (tx) => {
        const repo = createTriggersRepo(tx)
        const current = await repo.get(p.tenant, id, { forUpdate: true })
        if (!current) throw notFound(id)
        if (replace && 'type' in body && body.type !== current.type) {
          throw new AppError(
            'SCHED_ERR_IMMUTABLE_FIELD',
            `A trigger keeps its type (this one is ${current.type}); create a new trigger instead`,
            [{ path: 'body.type', message: `cannot change from ${current.type}` }],
          )
        }
        const ruleErrors = triggerRuleErrors(body, current.type, { requireEventType: false })
        if (ruleErrors.length > 0) throw validationFailed(ruleErrors)
        const patch: Partial<NewTriggerRow> = replace
          ? definition({ ...(body as TriggerCreate), type: current.type })
          : {
              ...(body.workflowId !== undefined && { workflowId: body.workflowId }),
              ...(body.name !== undefined && { name: body.name }),
              ...(body.eventType !== undefined && { eventType: body.eventType }),
              ...(body.filter !== undefined && {
                filter: body.filter,
                filterMatchers: countFilterMatchers(body.filter),
                unanchoredSubpatterns: current.type === 'event' ? countUnanchoredSubpatterns(body.filter) : 0,
                subpatternAnchors: current.type === 'event' ? subpatternAnchors(body.filter) : [],
              }),
              ...(body.scheme !== undefined && { scheme: body.scheme }),
              ...(body.rateLimitPerMinute !== undefined && { rateLimitPerMinute: body.rateLimitPerMinute }),
              ...(body.retryPolicy !== undefined && {
                retryPolicy: { ...DEFAULT_RETRY_POLICY, ...body.retryPolicy },
              }),
              ...(body.priority !== undefined && { priority: body.priority }),
              ...(body.enabled !== undefined && { enabled: body.enabled }),
            }
        if (patch.filterMatchers !== undefined) {
          const held = new Set(current.subpatternAnchors)
          await assertQuotas(tx, p.tenant, quotas, {
            addTriggers: 0,
            matcherDelta: patch.filterMatchers - current.filterMatchers,
            unanchoredDelta: (patch.unanchoredSubpatterns ?? 0) - current.unanchoredSubpatterns,
            newAnchors: (patch.subpatternAnchors ?? []).filter((a) => !held.has(a)),
            id,
          })
        }
        const row = await repo
          .update(p.tenant, id, { ...patch, version: current.version + 1, updatedAt: at })
          .catch((err) => writeError(err, body.name ?? current.name))
        await auditChange(tx, p, { type: 'trigger', id }, 'trigger.updated', at, {
          fields: Object.keys(body).filter((k) => k !== 'type'),
          replace,
          version: row!.version,
        })
        return row!
      })
    },

    async remove(p: Principal, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const deleted = await createTriggersRepo(tx).delete(p.tenant, id)
        if (!deleted) throw notFound(id)
        await auditChange(tx, p, { type: 'trigger', id }, 'trigger.deleted', now(), {
          name: deleted.name,
        })
      })
    },

    /** A new secret; the current one keeps verifying for `graceMs`. Answers the new secret, once. */
    async rotateSecret(p: Principal, id: string): Promise<{ row: TriggerRow; secret: string }> {
      const at = now()
      const next = newTriggerSecret(box)
      const row = await db.transaction(async (tx) => {
        const repo = createTriggersRepo(tx)
        const current = await repo.get(p.tenant, id, { forUpdate: true })
        if (!current) throw notFound(id)
        if (current.type !== 'webhook') {
          throw new AppError(
            'SCHED_ERR_INVALID_STATE',
            'Only a webhook trigger has a signing secret; this one is an event trigger',
          )
        }
        // A secret sealed under another key (SECRETS_ENCRYPTION_KEY changed) verifies nothing: rotating
        // replaces it outright instead of keeping an unreadable previous secret.
        const readable = current.secretCiphertext !== null && canOpen(box, current.secretCiphertext)
        const updated = (await repo.update(p.tenant, id, {
          ...rotatedSecretColumns(current, next, at, readable ? graceMs : 0),
          version: current.version + 1,
          updatedAt: at,
        }))!
        // Never the secret itself, sealed or not: when the old one stops working is what an auditor needs.
        await auditChange(tx, p, { type: 'trigger', id }, 'trigger.secret_rotated', at, {
          previousSecretExpiresAt: updated.previousSecretExpiresAt?.toISOString() ?? null,
          version: updated.version,
        })
        return updated
      })
      return { row, secret: next.plain }
    },

    /** Where senders POST a webhook trigger's deliveries. */
    hookUrl(id: string): string {
      return `${(publicBaseUrl ?? '').replace(/\/+$/, '')}/hooks/${id}`
    },
  }
}
export type TriggerService = ReturnType<typeof createTriggerService>

function canOpen(box: SecretBox, sealed: string): boolean {
  try {
    box.open(sealed)
    return true
  } catch {
    return false
  }
}

export function notFound(id: string): AppError {
  return new AppError('SCHED_ERR_NOT_FOUND', `No trigger ${id}`)
}

function nameTakenError(name: string): AppError {
  return new AppError('SCHED_ERR_NAME_TAKEN', `A trigger named '${name}' already exists in this tenant`, [
    { path: 'body.name', message: 'is already used in this tenant' },
  ])
}

function unknownWorkflow(): AppError {
  return new AppError('SCHED_ERR_WORKFLOW_UNKNOWN', 'workflowId names no workflow of this tenant', [
    { path: 'body.workflowId', message: 'does not name a workflow of this tenant' },
  ])
}

/** The outside view of a trigger: never a secret, sealed or not. */
export function toTriggerDto(row: TriggerRow, hookUrl: (id: string) => string): Trigger {
  return {
    id: row.id,
    workflowId: row.workflowId,
    name: row.name,
    type: row.type,
    eventType: row.eventType,
    filter: row.filter,
    scheme: row.scheme,
    rateLimitPerMinute: row.rateLimitPerMinute,
    retryPolicy: { ...(row.retryPolicy ?? DEFAULT_RETRY_POLICY) },
    priority: row.priority,
    enabled: row.enabled,
    url: row.type === 'webhook' ? hookUrl(row.id) : null,
    previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
