import { uuidv7 } from '@punctual/core'
import { and, desc, eq, lt } from 'drizzle-orm'
import type { Sql, TransactionSql } from 'postgres'
import { auditLog } from '../schema/audit.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'

/**
 * The actions the audit log records, `<target type>.<verb>`. The column is free text so that a new action
 * needs no migration; this list is the vocabulary the README documents.
 */
export const auditActions = [
  'workflow.created',
  'workflow.updated',
  'workflow.deleted',
  'schedule.created',
  'schedule.updated',
  'schedule.deleted',
  'schedule.paused',
  'schedule.resumed',
  'trigger.created',
  'trigger.updated',
  'trigger.deleted',
  'trigger.secret_rotated',
  'webhook.verification_failed',
  'apikey.created',
  'apikey.revoked',
  // Tenant secrets (never their values) and the outbound signing secret.
  'secret.created',
  'secret.updated',
  'secret.deleted',
  'signing_secret.rotated',
  // Runs started or stopped by hand: a schedule's manual trigger, a cancel, a redrive of a dead execution.
  'schedule.triggered',
  'execution.cancelled',
  'execution.redriven',
  // POST /api/executions/redrive: one entry per call, with the filter and how many it redrove.
  'execution.bulk_redriven',
  // PATCH /api/executions/:id: a waiting execution's new priority.
  'execution.reprioritised',
  // The system's own: a chain of system events looped back onto itself too often (actor `system`).
  'chain.stopped',
] as const
export type AuditAction = (typeof auditActions)[number]

export interface AuditEntry {
  tenant: string
  /** Who: the JWT `sub`, `apikey:<id>` for an API key, or e.g. `webhook:<ip>` for an unauthenticated sender. */
  actor: string
  action: AuditAction
  /** `workflow`, `schedule`, `trigger`, `apikey`, `execution`, `secret`, `signing_secret`. */
  targetType: string
  targetId?: string | null | undefined
  /** What changed (field names, versions); never secret material or request bodies. */
  details?: Record<string, unknown> | undefined
  /** Defaults to the database's now() (the transaction's start). */
  at?: Date | undefined
}

export type AuditRow = typeof auditLog.$inferSelect

export interface AuditListOptions {
  limit: number
  /** Cursor: only ids below this one (newest first). */
  before?: string | undefined
}

function listQuery(db: DbExecutor, tenant: string, opts: AuditListOptions) {
  const where = opts.before
    ? and(eq(auditLog.tenant, tenant), lt(auditLog.id, opts.before))
    : eq(auditLog.tenant, tenant)
  return db.select().from(auditLog).where(where).orderBy(desc(auditLog.id)).limit(opts.limit)
}

/** One audit row per entry; ids are UUIDv7, so id order is time order. */
export function auditRow(entry: AuditEntry): typeof auditLog.$inferInsert {
  return {
    id: uuidv7(),
    tenant: entry.tenant,
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    details: entry.details ?? {},
    ...(entry.at && { at: entry.at }),
  }
}

/**
 * The audit log. `record` writes with the handle it was created on: pass the transaction that makes the
 * change (createAuditRepo(tx)) so the entry commits, or rolls back, with it.
 */
export function createAuditRepo(db: DbExecutor) {
  return {
    async record(entry: AuditEntry | AuditEntry[]): Promise<void> {
      const entries = Array.isArray(entry) ? entry : [entry]
      if (entries.length === 0) return
      await db.insert(auditLog).values(entries.map(auditRow))
    },
    /** Newest first; `before` is the id of the last entry of the previous page. */
    async list(tenant: string, opts: AuditListOptions): Promise<AuditRow[]> {
      return listQuery(db, tenant, opts)
    },
    /** One page of the list: at most `limit` entries and PAGE_FETCH_BYTES of details. */
    async page(tenant: string, opts: AuditListOptions): Promise<RowPage<AuditRow>> {
      const query = listQuery(db, tenant, { ...opts, limit: opts.limit + 1 })
      return selectPage(db, query, { limit: opts.limit, order: 'desc', sized: ['details'] })
    },
  }
}
export type AuditRepo = ReturnType<typeof createAuditRepo>

/**
 * `record` for a caller inside a plain postgres.js transaction (e.g. one that also runs insertStartBatch):
 * the same rows (auditRow), one INSERT for all of them.
 */
export async function insertAuditEntries(sql: Sql | TransactionSql, entries: readonly AuditEntry[]) {
  if (entries.length === 0) return
  const rows = entries.map((e) => {
    const r = auditRow(e)
    return {
      id: r.id,
      tenant: r.tenant,
      actor: r.actor,
      action: r.action,
      target_type: r.targetType,
      target_id: r.targetId ?? null,
      details: r.details ?? {},
      at: r.at instanceof Date ? r.at.toISOString() : null,
    }
  })
  await sql`
    insert into audit_log (id, tenant, actor, action, target_type, target_id, details, at)
    select r.id, r.tenant, r.actor, r.action, r.target_type, r.target_id, r.details, coalesce(r.at, now())
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(id uuid, tenant text, actor text, action text, target_type text, target_id text, details jsonb,
             at timestamptz)`
}
