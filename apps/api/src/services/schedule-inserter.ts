import { quotaExceeded } from '@punctual/core'
import {
  insertScheduleRow,
  insertScheduleRows,
  lockTenantUsage,
  type ScheduleCreator,
  type ScheduleRow,
  type Sql,
} from '@punctual/db'
import { type QueueKeys, type Redis, removeSchedule } from '@punctual/queue'
import type { TransactionSql } from 'postgres'
import { isDependencyDown } from '../plugins/errors.ts'

const MAX_BATCH = 200

type Outcome<W> = { p: Pending<W>; warnings: W } | { p: Pending<W>; error: unknown }

interface Pending<W> {
  row: ScheduleRow
  creator: ScheduleCreator
  resolve: (warnings: W) => void
  reject: (err: unknown) => void
}

export interface ScheduleInserterDeps<W> {
  sql: Sql
  redis: Redis
  keys: QueueKeys
  /** Writes the row's due-index entry; throws a 503 AppError when Redis is unavailable. */
  writeIndex: (row: ScheduleRow) => Promise<W>
  /** The API's error for a refused INSERT (unique or foreign-key violation; anything else as is). */
  insertError: (err: unknown, row: ScheduleRow) => unknown
  /** The API's error for a row whose name is already used in its tenant. */
  nameTaken: (row: ScheduleRow) => unknown
  /** TENANT_MAX_SCHEDULES. */
  maxSchedules: number
}

/**
 * Group commit for schedule creates. Creates that arrive while a batch is being written wait and go together
 * in the next one: one transaction for the batch instead of one per request. The transaction first locks the
 * batch's tenants' usage rows (tenant_usage): creates past TENANT_MAX_SCHEDULES are refused before anything is
 * written, and two creates at the edge, in any API process, cannot both pass. Then the index entries are
 * written (one burst of script calls; a create whose entry Redis refused is answered 503 and not inserted) and
 * the rows inserted in one multi-row INSERT, their `schedule.created` audit entries in the same statement (a
 * data-modifying CTE). A row the INSERT refused (or every row, when the transaction fails) has its index entry
 * taken back; should that fail too, the entry names no row, which consumers leave alone and the reconciler
 * removes. Callers are answered once the transaction has committed.
 */
export function createScheduleInserter<W>(deps: ScheduleInserterDeps<W>) {
  let queue: Pending<W>[] = []
  let writing = false

  async function takeBack(rows: ScheduleRow[]) {
    await Promise.all(
      rows.map((row) => removeSchedule(deps.redis, deps.keys, { scheduleId: row.id }).catch(() => {})),
    )
  }

  /** Splits the batch into the creates the tenants' quotas leave room for and the ones they refuse. */
  async function admit(tx: TransactionSql, batch: Pending<W>[]) {
    const usage = await lockTenantUsage(
      tx,
      batch.map((p) => p.row.tenant),
    )
    const taken = new Map<string, number>()
    const admitted: Pending<W>[] = []
    const refused: Pending<W>[] = []
    for (const p of batch) {
      const held = (usage.get(p.row.tenant)?.schedules ?? 0) + (taken.get(p.row.tenant) ?? 0)
      if (held >= deps.maxSchedules) {
        refused.push(p)
        continue
      }
      taken.set(p.row.tenant, (taken.get(p.row.tenant) ?? 0) + 1)
      admitted.push(p)
    }
    return { admitted, refused }
  }

  /** Inserts `ready`; returns each create's outcome (an inserted row resolves, any other rejects). */
  async function insert(tx: TransactionSql, ready: { p: Pending<W>; warnings: W }[]) {
    const outcomes: Outcome<W>[] = []
    let inserted: Set<string>
    try {
      inserted = await tx.savepoint((sp) =>
        ready.length === 1
          ? insertScheduleRow(sp, ready[0]!.p.row, ready[0]!.p.creator).then(
              () => new Set([ready[0]!.p.row.id]),
            )
          : insertScheduleRows(
              sp,
              ready.map((r) => r.p.row),
              ready.map((r) => r.p.creator),
            ),
      )
    } catch (err) {
      if (isDependencyDown(err) || ready.length === 1) {
        if (isDependencyDown(err)) throw err
        return [{ p: ready[0]!.p, error: deps.insertError(err, ready[0]!.p.row) }]
      }
      // One row failed the whole statement (e.g. an unknown workflow): find it by inserting one by one.
      for (const r of ready) {
        try {
          await tx.savepoint((sp) => insertScheduleRow(sp, r.p.row, r.p.creator))
          outcomes.push({ p: r.p, warnings: r.warnings })
        } catch (rowErr) {
          if (isDependencyDown(rowErr)) throw rowErr
          outcomes.push({ p: r.p, error: deps.insertError(rowErr, r.p.row) })
        }
      }
      return outcomes
    }
    for (const r of ready) {
      // Skipped by ON CONFLICT: the name is taken (by an existing schedule or an earlier row of this batch).
      outcomes.push(
        inserted.has(r.p.row.id)
          ? { p: r.p, warnings: r.warnings }
          : { p: r.p, error: deps.nameTaken(r.p.row) },
      )
    }
    return outcomes
  }

  async function writeBatch(batch: Pending<W>[]) {
    let outcomes: Outcome<W>[] = []
    const indexed: ScheduleRow[] = []
    try {
      await deps.sql.begin(async (tx) => {
        const { admitted, refused } = await admit(tx, batch)
        for (const p of refused)
          outcomes.push({ p, error: quotaExceeded('TENANT_MAX_SCHEDULES', deps.maxSchedules) })
        const written = await Promise.allSettled(admitted.map((p) => deps.writeIndex(p.row)))
        const ready: { p: Pending<W>; warnings: W }[] = []
        written.forEach((result, i) => {
          const p = admitted[i]!
          if (result.status === 'fulfilled') {
            indexed.push(p.row)
            ready.push({ p, warnings: result.value })
          } else outcomes.push({ p, error: result.reason })
        })
        if (ready.length > 0) outcomes = outcomes.concat(await insert(tx, ready))
      })
    } catch (err) {
      await takeBack(indexed)
      for (const p of batch) p.reject(err)
      return
    }
    const failed = outcomes.filter((o) => 'error' in o)
    const notInserted = new Set(failed.map((o) => o.p.row.id))
    await takeBack(indexed.filter((row) => notInserted.has(row.id)))
    for (const o of outcomes) {
      if ('error' in o) o.p.reject(o.error)
      else o.p.resolve(o.warnings)
    }
  }

  async function drain() {
    writing = true
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_BATCH)
        queue = queue.slice(batch.length)
        await writeBatch(batch).catch((err) => {
          for (const p of batch) p.reject(err)
        })
      }
    } finally {
      writing = false
    }
  }

  return {
    /**
     * Resolves with the row's index warnings once the row is committed (with its `schedule.created` audit
     * entry, written by the same statement); rejects with the API's error.
     */
    insert(row: ScheduleRow, creator: ScheduleCreator): Promise<W> {
      return new Promise<W>((resolve, reject) => {
        queue.push({ row, creator, resolve, reject })
        if (!writing) void drain()
      })
    },
  }
}
