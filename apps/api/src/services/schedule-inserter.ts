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
type Ready<W> = { p: Pending<W>; warnings: W }

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
export function createScheduleInserter<W>(deps: ScheduleInserterDeps<W>): ScheduleInserter<W> {
  const state: InserterState<W> = { deps, queue: [], writing: false }
  return {
    insert(row, creator) {
      return new Promise<W>((resolve, reject) => {
        state.queue.push({ row, creator, resolve, reject })
        if (!state.writing) void drain(state)
      })
    },
  }
}

export interface ScheduleInserter<W> {
  /**
   * Resolves with the row's index warnings once the row is committed (with its `schedule.created` audit
   * entry, written by the same statement); rejects with the API's error.
   */
  insert(row: ScheduleRow, creator: ScheduleCreator): Promise<W>
}

interface InserterState<W> {
  deps: ScheduleInserterDeps<W>
  /** Creates waiting for the next batch. */
  queue: Pending<W>[]
  /** A batch is being written: new creates wait for the next one. */
  writing: boolean
}

async function drain<W>(state: InserterState<W>) {
  state.writing = true
  try {
    while (state.queue.length > 0) {
      const batch = state.queue.slice(0, MAX_BATCH)
      state.queue = state.queue.slice(batch.length)
      await writeBatch(state.deps, batch).catch((err) => {
        for (const p of batch) p.reject(err)
      })
    }
  } finally {
    state.writing = false
  }
}

async function writeBatch<W>(deps: ScheduleInserterDeps<W>, batch: Pending<W>[]) {
  let outcomes: Outcome<W>[] = []
  const indexed: ScheduleRow[] = []
  let retry: Ready<W>[] | undefined
  try {
    await deps.sql.begin(async (tx) => {
      const { admitted, refused } = await admit(deps, tx, batch)
      for (const p of refused) outcomes.push({ p, error: overQuota(deps) })
      const written = await Promise.allSettled(admitted.map((p) => deps.writeIndex(p.row)))
      const ready: Ready<W>[] = []
      written.forEach((result, i) => {
        const p = admitted[i]!
        if (result.status === 'fulfilled') {
          indexed.push(p.row)
          ready.push({ p, warnings: result.value })
        } else outcomes.push({ p, error: result.reason })
      })
      if (ready.length === 0) return
      try {
        outcomes = outcomes.concat(await insertAll(deps, tx, ready))
      } catch (err) {
        if (isDependencyDown(err)) throw err
        retry = ready
        throw err
      }
    })
  } catch (err) {
    if (!retry) {
      await takeBack(deps, indexed)
      for (const p of batch) p.reject(err)
      return
    }
  }
  if (retry) {
    try {
      outcomes = outcomes.concat(await insertOneByOne(deps, retry))
    } catch (err) {
      await takeBack(deps, indexed)
      for (const p of batch) p.reject(err)
      return
    }
  }
  const failed = outcomes.filter((o) => 'error' in o)
  const notInserted = new Set(failed.map((o) => o.p.row.id))
  await takeBack(
    deps,
    indexed.filter((row) => notInserted.has(row.id)),
  )
  for (const o of outcomes) {
    if ('error' in o) o.p.reject(o.error)
    else o.p.resolve(o.warnings)
  }
}

async function takeBack<W>(deps: ScheduleInserterDeps<W>, rows: ScheduleRow[]) {
  await Promise.all(
    rows.map((row) => removeSchedule(deps.redis, deps.keys, { scheduleId: row.id }).catch(() => {})),
  )
}

/**
 * Splits creates into those the tenants' quotas leave room for and those they refuse, locking the tenants'
 * usage rows until the transaction ends.
 */
async function admit<W, T extends { row: ScheduleRow }>(
  deps: ScheduleInserterDeps<W>,
  tx: TransactionSql,
  creates: T[],
) {
  const usage = await lockTenantUsage(
    tx,
    creates.map((c) => c.row.tenant),
  )
  const taken = new Map<string, number>()
  const admitted: T[] = []
  const refused: T[] = []
  for (const c of creates) {
    const held = usage.get(c.row.tenant)?.schedules ?? 0
    const mine = taken.get(c.row.tenant) ?? 0
    if (held + mine >= deps.maxSchedules) {
      refused.push(c)
      continue
    }
    taken.set(c.row.tenant, mine + 1)
    admitted.push(c)
  }
  return { admitted, refused }
}

const overQuota = <W>(deps: ScheduleInserterDeps<W>) =>
  quotaExceeded('TENANT_MAX_SCHEDULES', deps.maxSchedules)

/** Inserts `ready` in one statement; a row skipped by ON CONFLICT has its name taken. */
async function insertAll<W>(
  deps: ScheduleInserterDeps<W>,
  tx: TransactionSql,
  ready: Ready<W>[],
): Promise<Outcome<W>[]> {
  const inserted = await insertScheduleRows(
    tx,
    ready.map((r) => r.p.row),
    ready.map((r) => r.p.creator),
  )
  // Skipped by ON CONFLICT: the name is taken (by an existing schedule or an earlier row of this batch).
  return ready.map((r) =>
    inserted.has(r.p.row.id) ? { p: r.p, warnings: r.warnings } : { p: r.p, error: deps.nameTaken(r.p.row) },
  )
}

/**
 * The rare path: a row failed the whole statement (e.g. an unknown workflow), which aborted the batch's
 * transaction. A second one locks the quotas again and inserts the rows one by one (a savepoint each), so
 * only the faulty rows fail. Their index entries are already written.
 */
async function insertOneByOne<W>(deps: ScheduleInserterDeps<W>, ready: Ready<W>[]): Promise<Outcome<W>[]> {
  return deps.sql.begin(async (tx) => {
    const { admitted, refused } = await admit(
      deps,
      tx,
      ready.map((r) => ({ ...r, row: r.p.row })),
    )
    const outcomes: Outcome<W>[] = refused.map((r) => ({ p: r.p, error: overQuota(deps) }))
    for (const r of admitted) {
      try {
        await tx.savepoint((sp) => insertScheduleRow(sp, r.p.row, r.p.creator))
        outcomes.push({ p: r.p, warnings: r.warnings })
      } catch (err) {
        if (isDependencyDown(err)) throw err
        outcomes.push({ p: r.p, error: deps.insertError(err, r.p.row) })
      }
    }
    return outcomes
  })
}
