import {
  AppError,
  countFilterMatchers,
  countUnanchoredSubpatterns,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TENANT_QUOTAS,
  type SecretBox,
  subpatternAnchors,
  type TenantQuotas,
  type Trigger,
  type TriggerCreate,
  type TriggerPatch,
  type TriggerType,
  uuidv7,
} from '@punctual/core'
import {
  createTriggersRepo,
  type DbExecutor,
  isForeignKeyViolation,
  isUniqueViolation,
  type NewTriggerRow,
  type TriggerRow,
} from '@punctual/db'
import type { Principal } from '../plugins/auth.ts'
import { validationFailed } from '../plugins/errors.ts'
import { auditChange } from './audit-change.ts'
import {
  assertEventTypeValid,
  assertFilterValid,
  assertQuotas,
  assertTemplateValid,
  triggerRuleErrors,
} from './trigger-rules.ts'
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

interface TriggerContext extends TriggerServiceDeps {
  quotas: TenantQuotas
}

/**
 * Trigger writes. Each runs in one transaction with its audit entry. A webhook secret is generated here,
 * sealed with the secret box before it reaches the database, and handed back in plain text only to the
 * create or rotate call that made it.
 */
export function createTriggerService(deps: TriggerServiceDeps) {
  const ctx: TriggerContext = { ...deps, quotas: deps.quotas ?? DEFAULT_TENANT_QUOTAS }
  return {
    /** The body has passed the schema and triggerRuleErrors. */
    create: (p: Principal, body: TriggerCreate) => createTrigger(ctx, p, body),
    /**
     * PUT (`replace`: the body is a whole definition, fields left out return to their defaults; `type` must be
     * the trigger's) or PATCH (the fields given).
     */
    update: (p: Principal, id: string, body: TriggerPatch | TriggerCreate, replace: boolean) =>
      updateTrigger(ctx, p, id, body, replace),
    remove: (p: Principal, id: string) => removeTrigger(ctx, p, id),
    /** A new secret; the current one keeps verifying for `graceMs`. Answers the new secret, once. */
    rotateSecret: (p: Principal, id: string) => rotateSecret(ctx, p, id),
    /** Where senders POST a webhook trigger's deliveries. */
    hookUrl: (id: string) => `${(deps.publicBaseUrl ?? '').replace(/\/+$/, '')}/hooks/${id}`,
  }
}
export type TriggerService = ReturnType<typeof createTriggerService>

async function createTrigger(
  ctx: TriggerContext,
  p: Principal,
  body: TriggerCreate,
): Promise<{ row: TriggerRow; secret?: string }> {
  assertFilterValid(body.filter)
  assertEventTypeValid(body.eventType)
  assertTemplateValid(body.inputTemplate, body.type)
  const at = ctx.now()
  const id = uuidv7()
  const secret = body.type === 'webhook' ? newTriggerSecret(ctx.box, { id, tenant: p.tenant }) : undefined
  const row = await ctx.db
    .transaction(async (tx) => {
      const def = definition(body)
      await assertQuotas(tx, p.tenant, ctx.quotas, {
        addTriggers: 1,
        matcherDelta: def.filterMatchers,
        unanchoredDelta: def.unanchoredSubpatterns,
        newAnchors: def.subpatternAnchors,
      })
      const created = await createTriggersRepo(tx).insert({
        id,
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
}

async function updateTrigger(
  ctx: TriggerContext,
  p: Principal,
  id: string,
  body: TriggerPatch | TriggerCreate,
  replace: boolean,
): Promise<TriggerRow> {
  assertFilterValid(body.filter)
  const at = ctx.now()
  return ctx.db.transaction(async (tx) => {
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
    assertEventTypeValid(body.eventType)
    assertTemplateValid(body.inputTemplate, current.type)
    const patch: Partial<NewTriggerRow> = replace
      ? definition({ ...(body as TriggerCreate), type: current.type })
      : patchedColumns(body, current.type)
    if (patch.filterMatchers !== undefined) {
      const held = new Set(current.subpatternAnchors)
      await assertQuotas(tx, p.tenant, ctx.quotas, {
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
}

/** The definition columns a create or a PUT writes: every field, defaults for the ones left out. */
function definition(body: TriggerCreate) {
  const webhook = body.type === 'webhook'
  return {
    workflowId: body.workflowId,
    name: body.name,
    eventType: webhook ? (body.eventType ?? null) : body.eventType!,
    filter: body.filter ?? null,
    inputTemplate: body.inputTemplate ?? null,
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

/** The columns a PATCH writes: the fields given (the filter's counts with the filter). */
function patchedColumns(body: TriggerPatch, type: TriggerType): Partial<NewTriggerRow> {
  return {
    ...(body.workflowId !== undefined && { workflowId: body.workflowId }),
    ...(body.name !== undefined && { name: body.name }),
    ...(body.eventType !== undefined && { eventType: body.eventType }),
    ...(body.inputTemplate !== undefined && { inputTemplate: body.inputTemplate }),
    ...(body.filter !== undefined && {
      filter: body.filter,
      filterMatchers: countFilterMatchers(body.filter),
      unanchoredSubpatterns: type === 'event' ? countUnanchoredSubpatterns(body.filter) : 0,
      subpatternAnchors: type === 'event' ? subpatternAnchors(body.filter) : [],
    }),
    ...(body.scheme !== undefined && { scheme: body.scheme }),
    ...(body.rateLimitPerMinute !== undefined && { rateLimitPerMinute: body.rateLimitPerMinute }),
    ...(body.retryPolicy !== undefined && {
      retryPolicy: { ...DEFAULT_RETRY_POLICY, ...body.retryPolicy },
    }),
    ...(body.priority !== undefined && { priority: body.priority }),
    ...(body.enabled !== undefined && { enabled: body.enabled }),
  }
}

async function removeTrigger(ctx: TriggerContext, p: Principal, id: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const deleted = await createTriggersRepo(tx).delete(p.tenant, id)
    if (!deleted) throw notFound(id)
    await auditChange(tx, p, { type: 'trigger', id }, 'trigger.deleted', ctx.now(), {
      name: deleted.name,
    })
  })
}

async function rotateSecret(
  ctx: TriggerContext,
  p: Principal,
  id: string,
): Promise<{ row: TriggerRow; secret: string }> {
  const at = ctx.now()
  const next = newTriggerSecret(ctx.box, { id, tenant: p.tenant })
  const row = await ctx.db.transaction(async (tx) => {
    const repo = createTriggersRepo(tx)
    const current = await repo.get(p.tenant, id, { forUpdate: true })
    if (!current) throw notFound(id)
    if (current.type !== 'webhook') {
      throw new AppError(
        'SCHED_ERR_INVALID_STATE',
        'Only a webhook trigger has a signing secret; this one is an event trigger',
      )
    }
    // A secret sealed under a key the ring lost verifies nothing: rotating replaces it outright instead of
    // keeping an unreadable previous secret (rotatedSecretColumns keeps none then).
    const updated = (await repo.update(p.tenant, id, {
      ...rotatedSecretColumns(ctx.box, current, next, at, ctx.graceMs),
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
}

function writeError(err: unknown, name: string): never {
  if (isUniqueViolation(err)) throw nameTakenError(name)
  if (isForeignKeyViolation(err)) throw unknownWorkflow()
  throw err
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
    inputTemplate: row.inputTemplate,
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
