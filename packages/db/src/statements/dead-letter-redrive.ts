import type { ErrorClass } from '@punctual/core'
import type { Sql } from 'postgres'
import { type AuditEntry, insertAuditEntries } from '../repos/audit.ts'

/**
 * Transition: the bulk redrive of the dead-letter queue (`POST /api/executions/redrive`, http-api.md,
 * Executions). In one transaction: count the matching `dead` executions never redriven, take the oldest
 * `limit` of them (finished_at, id), mark each (`redriven_at`: never again, whatever becomes of its redrive)
 * and insert a `queued` `redrive` execution for it, plus the audit entry with the count. Rows a concurrent
 * redrive holds are skipped, never redriven twice. Reads executions_redrivable_idx.
 */

export interface RedriveFilter {
  workflowId?: string | undefined
  scheduleId?: string | undefined
  triggerId?: string | undefined
  errorClass?: ErrorClass | undefined
  finishedFrom?: Date | undefined
  /** Required here: the API fills in the request time. */
  finishedTo: Date
}

/** A redrive execution created, as the Redis queue takes it. */
export interface RedriveRow {
  id: string
  retryOf: string
  tenant: string
  workflowId: string
  scheduleId: string | null
  priority: number
}

export interface RedriveResult {
  /** Matching dead executions never redriven, before this call (the bound does not apply). */
  matched: number
  /** The redrives created, oldest dead one first (empty for a dry run). */
  created: RedriveRow[]
}

export interface RedriveInput {
  tenant: string
  filter: RedriveFilter
  /** At most this many redrives (the contract's 10,000). */
  limit: number
  dryRun: boolean
  now: Date
  /** Ids for the redrives, in order (UUIDv7 made by the caller); at least min(limit, matched) of them. */
  newIds: (count: number) => string[]
  /** The audit entry (its details get `count`), written in the same transaction. */
  audit: Omit<AuditEntry, 'details'> & { details: Record<string, unknown> }
}

function conditions(sql: Sql, tenant: string, f: RedriveFilter) {
  return sql`e.tenant = ${tenant} and e.status = 'dead' and e.redriven_at is null
    and e.finished_at <= ${f.finishedTo.toISOString()}::timestamptz
    ${f.finishedFrom ? sql`and e.finished_at >= ${f.finishedFrom.toISOString()}::timestamptz` : sql``}
    ${f.workflowId ? sql`and e.workflow_id = ${f.workflowId}` : sql``}
    ${f.scheduleId ? sql`and e.schedule_id = ${f.scheduleId}` : sql``}
    ${f.triggerId ? sql`and e.trigger_id = ${f.triggerId}` : sql``}
    ${f.errorClass ? sql`and e.error->>'class' = ${f.errorClass}` : sql``}`
}

export async function redriveDeadExecutions(sql: Sql, input: RedriveInput): Promise<RedriveResult> {
  const { tenant, filter } = input
  const count = async (db: Sql) => {
    const [row] = await db<{ n: number }[]>`
      select count(*)::int as n from executions e where ${conditions(db, tenant, filter)}`
    return row!.n
  }
  if (input.dryRun) return { matched: await count(sql), created: [] }
  return sql.begin(async (tx) => {
    const db = tx as unknown as Sql
    const matched = await count(db)
    const take = Math.min(matched, input.limit)
    const created = take === 0 ? [] : await redriveOldest(db, input, take)
    // Every call that could have redriven is audited, with its count (0 included).
    await insertAuditEntries(tx, [
      { ...input.audit, details: { ...input.audit.details, count: created.length, matched } },
    ])
    return { matched, created }
  })
}

/** Marks the oldest `take` matching dead rows and creates their redrives, in order. */
async function redriveOldest(db: Sql, input: RedriveInput, take: number): Promise<RedriveRow[]> {
  const { tenant, filter } = input
  // The oldest `take` first, locked; then the write by primary key from that list (an unnest the planner
  // probes executions_pkey with, whatever its statistics: a join with the pick itself could be planned as
  // a nested scan of the table per row when the dead rows are new since the last ANALYZE).
  const picked = await db<{ id: string }[]>`
      select e.id from executions e
       where ${conditions(db, tenant, filter)}
       order by e.finished_at, e.id
       limit ${take}
         for update skip locked`
  if (picked.length === 0) return []
  const ids = input.newIds(picked.length)
  const nowIso = input.now.toISOString()
  const created = await db<
    {
      id: string
      retry_of: string
      tenant: string
      workflow_id: string
      schedule_id: string | null
      priority: number
    }[]
  >`
      with v as (
        select * from unnest(${picked.map((r) => r.id)}::uuid[], ${ids}::uuid[]) as v(dead_id, new_id)
      ),
      marked as (
        update executions e set redriven_at = ${nowIso}::timestamptz
          from v
         where e.id = v.dead_id and e.redriven_at is null and e.status = 'dead'
        returning v.new_id, e.id, e.tenant, e.schedule_id, e.trigger_id, e.workflow_id, e.priority, e.input,
                  e.retry_policy
      )
      insert into executions (id, tenant, kind, schedule_id, trigger_id, workflow_id, scheduled_for,
                              enqueued_at, status, attempt, priority, retry_of, input, retry_policy,
                              available_at)
      select m.new_id, m.tenant, 'redrive', m.schedule_id, m.trigger_id, m.workflow_id,
             ${nowIso}::timestamptz, ${nowIso}::timestamptz, 'queued', 0, m.priority, m.id, m.input,
             m.retry_policy, ${nowIso}::timestamptz
        from marked m
      returning id, retry_of, tenant, workflow_id, schedule_id, priority`
  const rows = created.map((r) => ({
    id: r.id,
    retryOf: r.retry_of,
    tenant: r.tenant,
    workflowId: r.workflow_id,
    scheduleId: r.schedule_id,
    priority: r.priority,
  }))
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return rows
}
