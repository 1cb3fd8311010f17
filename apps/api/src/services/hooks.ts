import {
  AppError,
  type CompiledInputTemplate,
  decodeJsonBytes,
  findJsonHygieneIssueInText,
  type JsonHygieneReason,
  jsonHygieneError,
  resolveRetryPolicy,
  type SecretBox,
  uuidv7,
  verifyGithubWebhook,
  verifyStandardWebhook,
  type WebhookFailureReason,
} from '@punctual/core'
import {
  type AuditRepo,
  createAuditRepo,
  createIngestRepo,
  type DbExecutor,
  type ExecutionStarter,
  type HookTriggerRow,
  type IngestRepo,
} from '@punctual/db'
import type { FastifyBaseLogger } from 'fastify'
import { compiledTemplate, type OnBodyRejected, startInput } from './hook-input.ts'
import type { HookRateLimiter } from './hook-rate-limit.ts'
import { triggerSecretAt } from './trigger-secrets.ts'

export interface HookServiceDeps {
  db: DbExecutor
  starter: ExecutionStarter
  limiter: HookRateLimiter
  now: () => Date
  log: FastifyBaseLogger
  /** Opens the sealed signing secrets (SECRETS_ENCRYPTION_KEY). */
  box: SecretBox
  /** How long a trigger read from Postgres is reused (0: read on every delivery). */
  cacheTtlMs: number
  /** Called once per signature check (after the body was read in full), with its result. */
  onVerification?: (scheme: string, result: 'ok' | WebhookFailureReason) => void
  /**
   * Called for a verified body refused by the JSON hygiene check (depth, NUL, unpaired surrogate), or because
   * matching it against the trigger's filter spent the work budget (too-costly, 422).
   */
  onBodyRejected?: OnBodyRejected
  /** Failed verifications audited per trigger and minute by one process; the others are counted in the next. */
  auditFailuresPerMinute?: number
}

/** A delivery as the route received it: the raw body bytes and the headers, nothing parsed yet. */
export interface Delivery {
  triggerId: string
  body: Buffer
  headers: Record<string, string | string[] | undefined>
  contentType: string | undefined
  /** The sender's address, for the audit of failed verifications. */
  ip: string
  /** The request's logger (its lines carry the request id); the service's own when absent. */
  log?: FastifyBaseLogger
}

export type DeliveryResult =
  | { status: 202; body: { executionId: string } }
  | { status: 200; body: { deduplicated: true } | { filtered: true } }
  | { status: 429; retryAfterSec: number; perMinute: number }

interface CachedTrigger {
  loadedAt: number
  row: HookTriggerRow | undefined
  /** The opened secrets: the current one, then the previous one with its end of grace (ms). */
  current?: string
  previous?: { secret: string; untilMs: number } | undefined
  /** The trigger's inputTemplate, compiled once per trigger version. */
  template?: CompiledInputTemplate | undefined
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_DELIVERY_ID = 256
const MAX_CACHED_TRIGGERS = 10_000
/** A verification failure re-reads a cached trigger older than this (a secret may have been rotated). */
const REREAD_AFTER_MS = 100
const DEFAULT_PER_MINUTE = 600

const REASONS: Record<WebhookFailureReason, string> = {
  'missing-header': 'a signature header is missing',
  'invalid-timestamp': 'webhook-timestamp is not unix seconds',
  'timestamp-too-old': 'webhook-timestamp is more than 5 minutes in the past',
  'timestamp-too-new': 'webhook-timestamp is more than 5 minutes in the future',
  'invalid-signature': 'no signature matches the trigger secret',
}

const header = (h: Delivery['headers'], name: string): string | undefined => {
  const v = h[name]
  return typeof v === 'string' ? v : undefined
}

/** An enabled webhook trigger whose secret could be opened. */
function usable(e: CachedTrigger): boolean {
  return e.row?.type === 'webhook' && e.row.enabled && e.current !== undefined
}

function notFound(id: string): AppError {
  return new AppError('SCHED_ERR_NOT_FOUND', `No enabled webhook trigger ${id}`)
}

/**
 * POST /hooks/:triggerId, in the order a delivery is checked:
 * 1. the body limit (Fastify, while reading: 413 before any signature work);
 * 2. the trigger: unknown, not a webhook trigger or disabled → 404 (a malformed id too);
 * 3. the signature over the raw bytes, with the current secret and the previous one during its grace period
 *    (401; counted, and audited without the body);
 * 4. the body: JSON (415 for another declared content type, 400 when it does not parse), then the JSON hygiene
 *    check (400 naming the path for depth > 32, a NUL or an unpaired surrogate; counted by reason), a JSON object;
 * 5. the trigger's rate limit (429 + Retry-After; only verified deliveries count, so a stranger cannot use up
 *    a sender's budget);
 * 6. the trigger's eventType against the delivery's event name (GitHub: X-GitHub-Event; standard: the body's
 *    top-level string `type`), then its filter (422 when matching it spends the work budget, counted with the
 *    body refusals, not audited: the sender is verified, as for the JSON hygiene refusals); a delivery that
 *    either check turns away starts nothing, but its receipt is written like a start's, so a repeat of its
 *    delivery id is answered `deduplicated` first (the receipt decides, in the start statement);
 * 7. the inputTemplate, resolved once (core input-template.ts; 422 when its input would pass 1 MiB), then the
 *    start: execution and delivery receipt committed in one statement shared with concurrent deliveries (group
 *    commit), then enqueued in Redis.
 */
export function createHookService(deps: HookServiceDeps) {
  const ctx: HookContext = {
    ...deps,
    repo: createIngestRepo(deps.db),
    audit: createAuditRepo(deps.db),
    cache: new Map(),
    templates: new Map(),
    auditBudget: deps.auditFailuresPerMinute ?? 20,
    auditWindows: new Map(),
  }
  return {
    deliver: (d: Delivery) => deliver(ctx, d),
    /** Forget a cached trigger (call after a trigger write in this process). */
    invalidate(triggerId: string) {
      ctx.cache.delete(triggerId)
    },
  }
}
export type HookService = ReturnType<typeof createHookService>

interface HookContext extends HookServiceDeps {
  repo: IngestRepo
  audit: AuditRepo
  /** Triggers by id, reused for cacheTtlMs (at most MAX_CACHED_TRIGGERS, the oldest dropped first). */
  cache: Map<string, CachedTrigger>
  /** Compiled inputTemplates by `<trigger id>:<version>` (at most MAX_CACHED_TRIGGERS, the oldest dropped first). */
  templates: Map<string, CompiledInputTemplate>
  auditBudget: number
  /** Per trigger, the current minute's audited and unaudited verification failures. */
  auditWindows: Map<string, { startedAt: number; written: number; suppressed: number }>
}

async function deliver(ctx: HookContext, d: Delivery): Promise<DeliveryResult> {
  if (!UUID.test(d.triggerId)) throw notFound(d.triggerId)
  let { entry, fresh } = await triggerOf(ctx, d.triggerId)
  if (!usable(entry)) throw notFound(d.triggerId)

  const nowMs = ctx.now().getTime()
  let verdict = verify(entry, d, nowMs)
  if (!verdict.ok && !fresh && Date.now() - entry.loadedAt > REREAD_AFTER_MS) {
    // The secret may have been rotated since the trigger was cached: check once against a fresh read.
    entry = await load(ctx, d.triggerId)
    fresh = true
    if (!usable(entry)) throw notFound(d.triggerId)
    verdict = verify(entry, d, nowMs)
  }
  const row = entry.row!
  ctx.onVerification?.(row.scheme ?? 'standard', verdict.ok ? 'ok' : verdict.reason)
  if (!verdict.ok) {
    await auditFailure(ctx, row, d, verdict.reason)
    throw new AppError('SCHED_ERR_WEBHOOK_SIGNATURE', `Webhook not verified: ${REASONS[verdict.reason]}`)
  }
  if (verdict.deliveryId.length > MAX_DELIVERY_ID) {
    const name = row.scheme === 'github' ? 'x-github-delivery' : 'webhook-id'
    throw new AppError('SCHED_ERR_VALIDATION', `${name} is longer than ${MAX_DELIVERY_ID} characters`, [
      { path: `headers.${name}`, message: `must be at most ${MAX_DELIVERY_ID} characters` },
    ])
  }

  const input = parseBody(d, ctx.onBodyRejected)

  const perMinute = row.rateLimitPerMinute ?? DEFAULT_PER_MINUTE
  const limit = await ctx.limiter.hit(row.id, perMinute)
  if (!limit.allowed) return { status: 429, retryAfterSec: limit.retryAfterSec, perMinute }

  const verified = { headers: d.headers, deliveryId: verdict.deliveryId, body: input }
  const start = startInput(row, entry.template, verified, ctx.onBodyRejected)
  const outcome = await ctx.starter.start({
    tenant: row.tenant,
    receipt: { kind: 'webhook', triggerId: row.id, deliveryId: verdict.deliveryId },
    starts:
      start === undefined
        ? []
        : [
            {
              id: uuidv7(),
              kind: 'webhook',
              triggerId: row.id,
              workflowId: row.workflowId,
              input: start,
              priority: row.priority,
              retryPolicy: { ...resolveRetryPolicy(row.retryPolicy) },
            },
          ],
  })
  if (outcome.outcome === 'gone') {
    ctx.cache.delete(row.id)
    throw notFound(row.id)
  }
  if (outcome.outcome === 'duplicate') return { status: 200, body: { deduplicated: true } }
  const [executionId] = outcome.executionIds
  return executionId ? { status: 202, body: { executionId } } : { status: 200, body: { filtered: true } }
}

async function load(ctx: HookContext, id: string): Promise<CachedTrigger> {
  const row = await ctx.repo.findHookTrigger(id)
  const entry: CachedTrigger = { loadedAt: Date.now(), row }
  if (row?.type === 'webhook' && row.inputTemplate)
    entry.template = compiledTemplate(ctx.templates, row, row.inputTemplate)
  if (row?.type === 'webhook' && row.enabled && row.secretCiphertext) {
    // An unreadable secret (wrong SECRETS_ENCRYPTION_KEY) is a server fault: 500, not the sender's 401.
    entry.current = ctx.box.open(row.secretCiphertext, triggerSecretAt(row, 'secretCiphertext'))
    if (row.previousSecretCiphertext && row.previousSecretExpiresAt) {
      entry.previous = {
        secret: ctx.box.open(row.previousSecretCiphertext, triggerSecretAt(row, 'previousSecretCiphertext')),
        untilMs: row.previousSecretExpiresAt.getTime(),
      }
    }
  }
  if (ctx.cacheTtlMs > 0) {
    ctx.cache.delete(id)
    if (ctx.cache.size >= MAX_CACHED_TRIGGERS) ctx.cache.delete(ctx.cache.keys().next().value!)
    ctx.cache.set(id, entry)
  }
  return entry
}

async function triggerOf(ctx: HookContext, id: string): Promise<{ entry: CachedTrigger; fresh: boolean }> {
  const hit = ctx.cache.get(id)
  if (hit && Date.now() - hit.loadedAt < ctx.cacheTtlMs) return { entry: hit, fresh: false }
  return { entry: await load(ctx, id), fresh: true }
}

function verify(entry: CachedTrigger, d: Delivery, nowMs: number) {
  const row = entry.row!
  const secrets = [entry.current!]
  if (entry.previous && entry.previous.untilMs > nowMs) secrets.push(entry.previous.secret)
  if (row.scheme === 'github') {
    const result = verifyGithubWebhook({
      secrets,
      signature: header(d.headers, 'x-hub-signature-256'),
      body: d.body,
    })
    const deliveryId = header(d.headers, 'x-github-delivery')
    // The delivery id is not signed by GitHub, but without it there is nothing to deduplicate on.
    if (result.ok && !deliveryId) return { ok: false as const, reason: 'missing-header' as const }
    return result.ok ? { ok: true as const, deliveryId: deliveryId! } : result
  }
  const deliveryId = header(d.headers, 'webhook-id')
  const result = verifyStandardWebhook({
    secrets,
    id: deliveryId,
    timestamp: header(d.headers, 'webhook-timestamp'),
    signature: header(d.headers, 'webhook-signature'),
    body: d.body,
    nowMs,
  })
  return result.ok ? { ok: true as const, deliveryId: deliveryId! } : result
}

async function auditFailure(
  ctx: HookContext,
  row: HookTriggerRow,
  d: Delivery,
  reason: WebhookFailureReason,
) {
  const nowMs = Date.now()
  let window = ctx.auditWindows.get(row.id)
  if (!window || nowMs - window.startedAt >= 60_000) {
    if (ctx.auditWindows.size >= MAX_CACHED_TRIGGERS) ctx.auditWindows.clear()
    window = { startedAt: nowMs, written: 0, suppressed: window?.suppressed ?? 0 }
    ctx.auditWindows.set(row.id, window)
  }
  if (window.written >= ctx.auditBudget) {
    window.suppressed++
    return
  }
  window.written++
  const suppressed = window.suppressed
  window.suppressed = 0
  const deliveryId = header(d.headers, row.scheme === 'github' ? 'x-github-delivery' : 'webhook-id')
  try {
    await ctx.audit.record({
      tenant: row.tenant,
      actor: `webhook:${d.ip}`,
      action: 'webhook.verification_failed',
      targetType: 'trigger',
      targetId: row.id,
      details: {
        scheme: row.scheme,
        reason,
        ...(deliveryId !== undefined && { deliveryId: deliveryId.slice(0, MAX_DELIVERY_ID) }),
        bodyBytes: d.body.length,
        ...(suppressed > 0 && { unauditedFailuresBefore: suppressed }),
      },
    })
  } catch (err) {
    const log = d.log ?? ctx.log
    log.warn({ err, triggerId: row.id }, 'failed webhook verification not audited')
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/**
 * The verified body as a JSON object: 415 for a declared non-JSON type, 400 for bad JSON, for JSON the API does
 * not store (depth, NUL, unpaired surrogate: see json-hygiene.ts) or for a non-object.
 */
function parseBody(d: Delivery, onRejected?: (reason: JsonHygieneReason) => void): Record<string, unknown> {
  if (d.contentType !== undefined && !JSON_TYPE.test(d.contentType)) {
    throw new AppError(
      'SCHED_ERR_UNSUPPORTED_MEDIA_TYPE',
      `Send the delivery as application/json (got ${d.contentType.slice(0, 100)})`,
    )
  }
  const text = decodeJsonBytes(d.body)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new AppError('SCHED_ERR_MALFORMED_JSON', `Body is not valid JSON: ${(err as Error).message}`, [
      { path: 'body', message: 'is not valid JSON' },
    ])
  }
  const issue = findJsonHygieneIssueInText(text, value)
  if (issue) {
    onRejected?.(issue.reason)
    throw jsonHygieneError(issue)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('SCHED_ERR_VALIDATION', 'The delivery body must be a JSON object', [
      { path: 'body', message: 'must be a JSON object (it becomes the workflow input)' },
    ])
  }
  return value as Record<string, unknown>
}
