import { uuidv7Floor } from '@punctual/core'
import type { Sql } from 'postgres'

/**
 * Retention (the contract's "Workers and operations"): executions finished before a horizon, `dead` ones
 * before their own, and audit entries, deleted in batches of at most 5,000 rows, each one statement (its own
 * short transaction) that locks only the rows it deletes.
 *
 * Rows are walked in id order: ids are UUIDv7, minted when the row is created, and a row finishes after it is
 * created, so every row finished before `before` has an id under uuidv7Floor(before) and the primary key
 * bounds the walk (no index on finished_at to keep up on the hottest table). A batch continues after the last
 * id the one before it reached, so rows kept (unfinished, younger, dead ones still needed) are passed over
 * once per pass, not once per batch.
 */

/** The most rows one retention statement deletes. */
export const RETENTION_BATCH_MAX = 5000

/** The smallest UUID: where a pass starts. */
export const RETENTION_FIRST_ID = '00000000-0000-0000-0000-000000000000'

export interface RetentionBatch {
  /** Rows deleted by this batch. */
  deleted: number
  /** The id the batch reached (the next batch starts after it); null when nothing was left to look at. */
  reachedId: string | null
}

export type RetentionTarget = 'executions' | 'dead' | 'audit'

interface BatchInput {
  target: RetentionTarget
  /** Delete what finished (executions) or happened (audit) before this instant. */
  before: Date
  /** Start after this id (RETENTION_FIRST_ID at the start of a pass). */
  afterId: string
  /** At most this many rows (≤ RETENTION_BATCH_MAX). */
  limit: number
}

/**
 * One batch. `executions`: succeeded, skipped, missed and cancelled ones; `dead`: dead ones, except those with
 * a redrive still unfinished (`retry_of` points at them: the unfinished rows are few and read once, hashed);
 * `audit`: entries of the audit log.
 */
export async function deleteRetentionBatch(sql: Sql, input: BatchInput): Promise<RetentionBatch> {
  const limit = Math.min(input.limit, RETENTION_BATCH_MAX)
  const floor = uuidv7Floor(input.before.getTime())
  const before = input.before.toISOString()
  // The walk's window: the next `limit` candidate ids after afterId (candidates: old enough by id). Of them,
  // those that qualify are deleted; the batch reaches the last candidate whatever was kept.
  const rows =
    input.target === 'audit'
      ? await sql<{ deleted: number; reached: string | null }[]>`
          with window_ids as (
            select id from audit_log where id > ${input.afterId}::uuid and id < ${floor}::uuid
             order by id limit ${limit}
          ), gone as (
            delete from audit_log a using window_ids w
             where a.id = w.id and a.at < ${before}::timestamptz
            returning a.id
          )
          select (select count(*) from gone)::int as deleted, (select id from window_ids order by id desc limit 1)::text as reached`
      : await sql<{ deleted: number; reached: string | null }[]>`
          with window_ids as (
            select id from executions where id > ${input.afterId}::uuid and id < ${floor}::uuid
             order by id limit ${limit}
          ), gone as (
            delete from executions e using window_ids w
             where e.id = w.id and e.finished_at < ${before}::timestamptz
               and ${
                 input.target === 'dead'
                   ? sql`e.status = 'dead' and e.id not in (
                       select retry_of from executions
                        where retry_of is not null and status in ('queued', 'running', 'retrying'))`
                   : sql`e.status in ('succeeded', 'skipped', 'missed', 'cancelled')`
               }
            returning e.id
          )
          select (select count(*) from gone)::int as deleted, (select id from window_ids order by id desc limit 1)::text as reached`
  const row = rows[0]!
  return { deleted: row.deleted, reachedId: row.reached }
}
