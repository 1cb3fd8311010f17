import {
  insertScheduleRow,
  insertScheduleRows,
  type ScheduleCreator,
  type ScheduleRow,
  type Sql,
} from '@punctual/db'
import { type QueueKeys, type Redis, removeSchedule } from '@punctual/queue'
import { isDependencyDown } from '../plugins/errors.ts'

const MAX_BATCH = 200

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
}

/**
 * Group commit for schedule creates. Each create is a single-statement transaction that commits after its
 * due-index entry is written (Redis first: if Redis is down nothing is inserted). Creates that arrive while a
 * batch is being written wait and go together in the next one: their index entries in one burst of script
 * calls, their rows in one multi-row INSERT — one commit for the batch instead of one per request. Their
 * `schedule.created` audit entries ride in the same statement (a data-modifying CTE): no extra round trip.
 * With no concurrency a batch is a single create and nothing waits. A row the INSERT refused has its index
 * entry taken back; should that fail too, the entry names no row, which consumers leave alone and the
 * reconciler removes.
 */
export function createScheduleInserter<W>(deps: ScheduleInserterDeps<W>) {
  let queue: Pending<W>[] = []
  let writing = false

  async function takeBack(rows: ScheduleRow[]) {
    await Promise.all(
      rows.map((row) => removeSchedule(deps.redis, deps.keys, { scheduleId: row.id }).catch(() => {})),
    )
  }

  async function insertOne(p: Pending<W>, warnings: W) {
    try {
      await insertScheduleRow(deps.sql, p.row, p.creator)
      p.resolve(warnings)
    } catch (err) {
      await takeBack([p.row])
      p.reject(deps.insertError(err, p.row))
    }
  }

  async function writeBatch(batch: Pending<W>[]) {
    const indexed = await Promise.allSettled(batch.map((p) => deps.writeIndex(p.row)))
    const ready: { p: Pending<W>; warnings: W }[] = []
    indexed.forEach((result, i) => {
      const p = batch[i]!
      if (result.status === 'fulfilled') ready.push({ p, warnings: result.value })
      else p.reject(result.reason)
    })
    if (ready.length === 0) return
    if (ready.length === 1) return insertOne(ready[0]!.p, ready[0]!.warnings)
    let inserted: Set<string>
    try {
      inserted = await insertScheduleRows(
        deps.sql,
        ready.map((r) => r.p.row),
        ready.map((r) => r.p.creator),
      )
    } catch (err) {
      if (isDependencyDown(err)) {
        await takeBack(ready.map((r) => r.p.row))
        for (const r of ready) r.p.reject(err)
        return
      }
      // One row failed the whole statement (e.g. an unknown workflow): find it by inserting one by one.
      await Promise.all(ready.map((r) => insertOne(r.p, r.warnings)))
      return
    }
    const skipped = ready.filter((r) => !inserted.has(r.p.row.id))
    if (skipped.length > 0) await takeBack(skipped.map((r) => r.p.row))
    for (const r of ready) {
      if (inserted.has(r.p.row.id)) {
        r.p.resolve(r.warnings)
        continue
      }
      // Skipped by ON CONFLICT: the name is taken (by an existing schedule or an earlier row of this batch).
      r.p.reject(deps.nameTaken(r.p.row))
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
