import type { Sql } from 'postgres'
import { statusIn } from '../status-guard.ts'

/**
 * `GET /api/queue` read from Postgres (the source of truth; Redis only adds what holds items back): a
 * tenant's waiting executions (queued / retrying), first those ready now in the order workers take them
 * (priority, then scheduledFor, then id: the Redis ready score and member order), then the delayed ones by
 * the time they become available. A fire held back by buffer_one is listed where it would be ready (it waits
 * for its schedule's slot). Reads executions_waiting_idx (tenant, priority desc, scheduled_for, id), whose
 * predicate the `status in (...)` below repeats (both from core's `waiting` status guard, as literals).
 */

export type QueueCursor =
  | { phase: 'ready'; priority: number; scheduledForMs: number; id: string }
  | { phase: 'delayed'; availableAtMs: number; id: string }

export interface WaitingRow {
  id: string
  workflowId: string
  scheduleId: string | null
  triggerId: string | null
  priority: number
  scheduledForMs: number
  /** When it may start: available_at, else scheduledFor. */
  availableAtMs: number
  held: boolean
  phase: 'ready' | 'delayed'
}

interface Row {
  id: string
  workflow_id: string
  schedule_id: string | null
  trigger_id: string | null
  priority: number
  scheduled_for_ms: number
  available_at_ms: number
  held: boolean
}

const toRow =
  (phase: WaitingRow['phase']) =>
  (r: Row): WaitingRow => ({
    id: r.id,
    workflowId: r.workflow_id,
    scheduleId: r.schedule_id,
    triggerId: r.trigger_id,
    priority: r.priority,
    scheduledForMs: r.scheduled_for_ms,
    availableAtMs: r.available_at_ms,
    held: r.held,
    phase,
  })

/** At most `limit` + 1 rows (the extra one says the list goes on) after `cursor`. */
export async function waitingPage(
  sql: Sql,
  input: { tenant: string; nowMs: number; limit: number; cursor?: QueueCursor | undefined },
): Promise<WaitingRow[]> {
  const { tenant, cursor } = input
  const now = new Date(input.nowMs).toISOString()
  const want = input.limit + 1
  const cols = sql`e.id, e.workflow_id, e.schedule_id, e.trigger_id, e.priority, e.held,
    (extract(epoch from e.scheduled_for) * 1000)::float8 as scheduled_for_ms,
    (extract(epoch from coalesce(e.available_at, e.scheduled_for)) * 1000)::float8 as available_at_ms`
  const out: WaitingRow[] = []
  if (!cursor || cursor.phase === 'ready') {
    const waitingNow = sql`e.tenant = ${tenant} and ${statusIn(sql, 'e.status', 'waiting', { plain: true })}
         and (e.held or coalesce(e.available_at, e.scheduled_for) <= ${now}::timestamptz)`
    const order = sql`order by e.priority desc nulls last, e.scheduled_for, e.id`
    // After a cursor: the rest of its priority, then the lower priorities; each part an index range of
    // executions_waiting_idx (an OR of the two would scan the tenant's line from its start on every page).
    const ready = cursor
      ? await sql<Row[]>`
          select * from (
            (select ${cols} from executions e
              where ${waitingNow} and e.priority = ${cursor.priority}
                and (e.scheduled_for, e.id) >
                    (${new Date(cursor.scheduledForMs).toISOString()}::timestamptz, ${cursor.id}::uuid)
              ${order} limit ${want})
            union all
            (select ${cols} from executions e
              where ${waitingNow} and e.priority < ${cursor.priority}
              ${order} limit ${want})
          ) e order by e.priority desc, e.scheduled_for_ms, e.id limit ${want}`
      : await sql<Row[]>`select ${cols} from executions e where ${waitingNow} ${order} limit ${want}`
    out.push(...ready.map(toRow('ready')))
    if (out.length >= want) return out
  }
  const after =
    cursor?.phase === 'delayed'
      ? sql`and (coalesce(e.available_at, e.scheduled_for), e.id) >
              (${new Date(cursor.availableAtMs).toISOString()}::timestamptz, ${cursor.id}::uuid)`
      : sql``
  const delayed = await sql<Row[]>`
    select ${cols} from executions e
     where e.tenant = ${tenant} and ${statusIn(sql, 'e.status', 'waiting', { plain: true })} and not e.held
       and coalesce(e.available_at, e.scheduled_for) > ${now}::timestamptz
       ${after}
     order by coalesce(e.available_at, e.scheduled_for), e.id
     limit ${want - out.length}`
  out.push(...delayed.map(toRow('delayed')))
  return out
}
