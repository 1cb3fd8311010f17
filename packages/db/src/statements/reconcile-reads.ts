import type { Sql } from 'postgres'
import type { ExecutionKind } from '../schema/executions.ts'
import { statusIn } from '../status-guard.ts'

/**
 * The reconciler's reads (apps/worker/src/maintenance/reconcile.ts): pages of what Postgres, the source of
 * truth, says Redis must hold. Raw rows: timestamps arrive as ISO text (drizzle's pass-through codecs).
 */

export interface DueSourceRow {
  id: string
  workflow_id: string
  version: number
  state: string
  next_run_at: string | null
  conflict_profile: string
}

/** A page of schedules by id, after `afterId`: what each one's due-index entry must be. */
export function scheduleDuePage(sql: Sql, afterId: string, limit: number) {
  return sql<DueSourceRow[]>`
    select id, workflow_id, version, state, next_run_at, conflict_profile
      from schedules where id > ${afterId} order by id limit ${limit}`
}

/** Of these schedule ids, the ones that exist. */
export async function existingScheduleIds(sql: Sql, ids: readonly string[]): Promise<Set<string>> {
  const rows = await sql<
    { id: string }[]
  >`select id from schedules where id = any(${ids as string[]}::uuid[])`
  return new Set(rows.map((r) => r.id))
}

export interface UnfinishedRef {
  id: string
  priority: number
}

/**
 * A page of executions that may still run and are not held back by buffer_one, after `afterId`, with the
 * priority Postgres holds (what Redis's copy must equal).
 */
export function unfinishedExecutionPage(sql: Sql, afterId: string, limit: number) {
  return sql<UnfinishedRef[]>`
    select id, priority from executions
     where ${statusIn(sql, 'status', 'unfinished', { plain: true })} and not held and id > ${afterId}
     order by id limit ${limit}`
}

/**
 * Repairs Redis priorities that differ from Postgres (a PATCH whose COMMIT failed after its Redis write, with
 * the API's put-back failing too). The rows are read under FOR SHARE: a PATCH in flight holds its row until it
 * commits, so this waits for it and reads what it committed, and no PATCH can reach its Redis write while
 * `repair` runs (its UPDATE waits for the share lock). `repair` gets the committed priorities of the ids that
 * are still unfinished.
 */
export async function withCommittedPriorities(
  sql: Sql,
  ids: readonly string[],
  repair: (rows: readonly UnfinishedRef[]) => Promise<void>,
): Promise<void> {
  await sql.begin(async (tx) => {
    const rows = await tx<UnfinishedRef[]>`
      select id, priority from executions
       where id = any(${ids as string[]}::uuid[]) and ${statusIn(tx, 'status', 'unfinished')}
       order by id for share`
    await repair(rows)
  })
}

export interface RequeueRow {
  id: string
  tenant: string
  kind: ExecutionKind
  schedule_id: string | null
  workflow_id: string
  scheduled_for: string
  available_at: string | null
  priority: number
  attempt: number
}

/** Of these ids, the executions still unfinished and not held, as Redis must queue them. */
export function unfinishedExecutionsAmong(sql: Sql, ids: readonly string[]) {
  return sql<RequeueRow[]>`
    select id, tenant, kind, schedule_id, workflow_id, scheduled_for, available_at, priority, attempt
      from executions
     where id = any(${ids as string[]}::uuid[]) and ${statusIn(sql, 'status', 'unfinished')} and not held`
}

export interface WorkflowCapRow {
  id: string
  tenant: string
  version: number
  max_concurrency: number | null
}

/** Every workflow with a concurrency cap: what Redis's wf-cap must hold (few rows: caps are opt-in). */
export function cappedWorkflows(sql: Sql) {
  return sql<WorkflowCapRow[]>`
    select id, tenant, version, max_concurrency from workflows where max_concurrency is not null`
}

/** These workflows as they are now (missing ids: deleted). */
export function workflowCapsOf(sql: Sql, ids: readonly string[]) {
  return sql<WorkflowCapRow[]>`
    select id, tenant, version, max_concurrency from workflows where id = any(${ids as string[]}::uuid[])`
}
