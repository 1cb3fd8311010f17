import { uuidv7 } from '@punctual/core'
import {
  cancelForOverlap,
  type FireScheduleRow,
  insertFireExecutions,
  listUnfinishedExecutions,
  lockSchedulesForFiring,
  type OutboxEvent,
  type Sql,
  type UnfinishedExecutionRow,
  updateFiredSchedules,
} from '@punctual/db'
import type { DueClaim } from '@punctual/queue'
import { type ClaimDecision, type DecideInput, decideClaim, type FireDecision } from './decide.ts'
import type { Work } from './held-claims.ts'

/** What a chunk's transaction decided and wrote, for the Redis steps and events after COMMIT. */
export interface Committed<W = Work> {
  now: number
  decisions: { work: W; row: FireScheduleRow | undefined; decision: ClaimDecision }[]
  inserted: Set<string>
  cancelled: string[]
  cancelRequested: string[]
  written: Set<string>
  missedIncrements: Map<string, number>
  /** schedule.completed system events the transaction wrote to the outbox: published after COMMIT. */
  events: OutboxEvent[]
}

/**
 * The Postgres half of a round for a chunk of claims, in ONE transaction: lock the schedules, read their
 * unfinished executions, decide, cancel (cancel_previous), insert the fire rows, move the schedules on.
 * Idempotent per fire: recording the same claims again (a claim returned by its lease after a crash) inserts
 * nothing twice. Nothing here touches Redis.
 */
export function recordFires<W extends { claim: DueClaim }>(
  sql: Sql,
  chunk: readonly W[],
  opts: { clock: () => number; lookaheadMs: number },
): Promise<Committed<W>> {
  const { clock } = opts
  return sql.begin(async (tx): Promise<Committed<W>> => {
    const rows = await lockSchedulesForFiring(
      tx,
      chunk.map((w) => w.claim.scheduleId),
    )
    // After the locks: a writer we waited for has committed, and planning uses the latest time.
    const now = clock()
    const byId = new Map(rows.map((r) => [r.id, r]))
    const firing = chunk.filter((w) => {
      const row = byId.get(w.claim.scheduleId)
      return row?.state === 'active' && row.version === w.claim.version
    })
    const unfinished = groupBy(
      await listUnfinishedExecutions(
        tx,
        firing.map((w) => w.claim.scheduleId),
      ),
    )
    const decisions = chunk.map((work) => {
      const row = byId.get(work.claim.scheduleId)
      return {
        work,
        row,
        decision: decideSafely({
          claim: work.claim,
          row,
          unfinished: unfinished.get(work.claim.scheduleId) ?? [],
          now,
          lookaheadMs: opts.lookaheadMs,
          newId: () => uuidv7(now),
        }),
      }
    })
    decisions.sort(
      (a, b) =>
        a.work.claim.fireAtMs - b.work.claim.fireAtMs || (b.row?.priority ?? 0) - (a.row?.priority ?? 0),
    )
    const fires = decisions.filter(
      (d): d is typeof d & { decision: FireDecision } => d.decision.kind === 'fire',
    )
    const { cancelled, cancelRequested } = await cancelForOverlap(
      tx,
      fires.flatMap((d) => d.decision.cancelIds),
      now,
    )
    const inserted = await insertFireExecutions(
      tx,
      fires.flatMap((d) => d.decision.rows),
      now,
    )
    const missedIncrements = countMissed(fires, inserted)
    const { written, events } = await updateFiredSchedules(
      tx,
      fires
        .filter((d) => d.decision.changed)
        .map(({ decision, row }) => ({
          id: row!.id,
          version: row!.version,
          nextRunAtMs: decision.nextRunAtMs,
          state: decision.state,
          missedIncrement: missedIncrements.get(row!.id) ?? 0,
        })),
    )
    return { now, decisions, inserted, cancelled, cancelRequested, written, missedIncrements, events }
  })
}

/** How much each fired schedule's missed_count grows, given the fire rows the transaction inserted. */
export function countMissed(
  fires: readonly { row: FireScheduleRow | undefined; decision: FireDecision }[],
  inserted: ReadonlySet<string>,
): Map<string, number> {
  const missedIncrements = new Map<string, number>()
  for (const { decision, row } of fires) {
    const missedRows = decision.rows.filter((r) => r.status === 'missed')
    const insertedMissed = missedRows.filter((r) => inserted.has(r.id)).length
    // Missed rows that all exist already mean an earlier claim recorded (and counted) this resumption.
    const increment =
      insertedMissed > 0 || missedRows.length === 0 ? insertedMissed + decision.missedBeyondRows : 0
    missedIncrements.set(row!.id, increment)
  }
  return missedIncrements
}

/** One schedule that cannot be planned (a definition the engine rejects) must not fail the whole chunk. */
function decideSafely(input: DecideInput): ClaimDecision {
  try {
    return decideClaim(input)
  } catch (error) {
    return { kind: 'retry', reason: 'plan-failed', error }
  }
}

function groupBy(rows: readonly UnfinishedExecutionRow[]): Map<string, UnfinishedExecutionRow[]> {
  const map = new Map<string, UnfinishedExecutionRow[]>()
  for (const r of rows) {
    const list = map.get(r.scheduleId)
    if (list) list.push(r)
    else map.set(r.scheduleId, [r])
  }
  return map
}
