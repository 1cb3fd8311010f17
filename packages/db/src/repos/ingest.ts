import type { CompiledInputTemplate } from '@punctual/core'
import { and, sql as dsql, eq } from 'drizzle-orm'
import { eventReceipts, webhookDeliveries } from '../schema/deduplication.ts'
import type { RetryPolicy } from '../schema/schedules.ts'
import { triggers } from '../schema/triggers.ts'
import { RECEIPT_TTL_MS } from '../statements/trigger-start-batch.ts'
import type { DbExecutor } from './executor.ts'

/**
 * Reads and writes of the ingestion paths (POST /hooks/:triggerId, POST /api/events, and later the internal
 * event bus). Trigger management (create, update, rotate) lives in repos/triggers.ts; this file only reads
 * what ingestion needs and owns the two receipt tables.
 */

/** What a webhook delivery needs from its trigger: who, what to start, how to verify and limit. */
export interface HookTriggerRow {
  id: string
  tenant: string
  workflowId: string
  type: 'event' | 'webhook'
  enabled: boolean
  scheme: 'standard' | 'github' | null
  rateLimitPerMinute: number | null
  secretCiphertext: string | null
  previousSecretCiphertext: string | null
  previousSecretExpiresAt: Date | null
  filter: Record<string, unknown> | null
  /** Webhook: the event-name glob a delivery must match (null: every delivery). */
  eventType: string | null
  inputTemplate: Record<string, unknown> | null
  retryPolicy: RetryPolicy | null
  priority: number
  version: number
}

/** What POST /api/events needs from each enabled event trigger of a tenant. */
export interface EventTriggerRow {
  /** The inputTemplate compiled (by createEventTriggerIndex, once per trigger version). */
  template?: CompiledInputTemplate | undefined
  id: string
  workflowId: string
  eventType: string
  filter: Record<string, unknown> | null
  inputTemplate?: Record<string, unknown> | null
  retryPolicy: RetryPolicy | null
  priority: number
  version: number
}

const hookColumns = {
  id: triggers.id,
  tenant: triggers.tenant,
  workflowId: triggers.workflowId,
  type: triggers.type,
  enabled: triggers.enabled,
  scheme: triggers.scheme,
  rateLimitPerMinute: triggers.rateLimitPerMinute,
  secretCiphertext: triggers.secretCiphertext,
  previousSecretCiphertext: triggers.previousSecretCiphertext,
  previousSecretExpiresAt: triggers.previousSecretExpiresAt,
  filter: triggers.filter,
  eventType: triggers.eventType,
  inputTemplate: triggers.inputTemplate,
  retryPolicy: triggers.retryPolicy,
  priority: triggers.priority,
  version: triggers.version,
}

export function createIngestRepo(db: DbExecutor) {
  /**
   * Deletes receipts received before `before` (they no longer deduplicate: a repeat past the window is a new
   * delivery), at most `limit` of each table per call. Returns how many rows went.
   */
  async function purgeReceipts(
    before: Date,
    limit = 10_000,
  ): Promise<{ deliveries: number; events: number }> {
    const cutoff = before.toISOString()
    const deliveries = await db.execute(dsql`
      delete from ${webhookDeliveries} where ctid in (
        select ctid from ${webhookDeliveries} where received_at < ${cutoff}::timestamptz limit ${limit})`)
    const events = await db.execute(dsql`
      delete from ${eventReceipts} where ctid in (
        select ctid from ${eventReceipts} where received_at < ${cutoff}::timestamptz limit ${limit})`)
    return { deliveries: deliveries.count ?? 0, events: events.count ?? 0 }
  }

  return {
    /** A trigger by id alone (a webhook URL carries no tenant), whatever its type or state: the caller decides. */
    async findHookTrigger(id: string): Promise<HookTriggerRow | undefined> {
      const [row] = await db.select(hookColumns).from(triggers).where(eq(triggers.id, id))
      return row as HookTriggerRow | undefined
    },

    /** Every enabled event trigger of the tenant (partial index triggers_event_idx). */
    async listEventTriggers(tenant: string): Promise<EventTriggerRow[]> {
      const rows = await db
        .select({
          id: triggers.id,
          workflowId: triggers.workflowId,
          eventType: triggers.eventType,
          filter: triggers.filter,
          inputTemplate: triggers.inputTemplate,
          retryPolicy: triggers.retryPolicy,
          priority: triggers.priority,
          version: triggers.version,
        })
        .from(triggers)
        .where(and(eq(triggers.tenant, tenant), dsql`${triggers.type} = 'event' and ${triggers.enabled}`))
      // An event trigger always has an eventType (the API requires it); a row without one matches nothing.
      return rows.filter((r) => typeof r.eventType === 'string') as EventTriggerRow[]
    },

    purgeReceipts,

    /**
     * The maintenance pass (the worker's, or an API-only deployment's): purgeReceipts of the receipts past
     * their window (RECEIPT_TTL_MS) at `now`.
     */
    purgeExpiredReceipts(now: Date, limit?: number): Promise<{ deliveries: number; events: number }> {
      return purgeReceipts(new Date(now.getTime() - RECEIPT_TTL_MS), limit)
    },
  }
}
export type IngestRepo = ReturnType<typeof createIngestRepo>
