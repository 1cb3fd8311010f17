import type { Sql } from 'postgres'
import { statusIn } from '../status-guard.ts'

/**
 * Transition: a runner records a step's success before the next step starts (http-api.md, Workflows: "A
 * step's outcome … is kept in the execution's history, written before the next step starts"), group-
 * committed across executions: the outcome appended to `executions.steps`, and the result a later attempt
 * resumes from (execution_step_results: status code and the body placeholders read, up to 256 KiB) in the
 * same statement. Guarded like the end (`running`, this worker, this attempt), so a worker whose lease was
 * taken over can never record into the newer run; idempotent (a statement retried after a lost answer finds
 * its result already there and appends nothing twice).
 */

export interface StepRecord {
  executionId: string
  /** The attempt the runner started (the guard). */
  attempt: number
  /** Position of the step in the workflow version the execution runs. */
  stepIndex: number
  stepName: string
  /** The step's outcome as the history keeps it. */
  outcome: unknown
  statusCode: number | null
  /** The body as placeholders read it (JSON text of the value), or null (none, or over the bound). */
  bodyJson: string | null
  /** false: the body was over the bound; a later attempt starts over. */
  bodyKept: boolean
}

/** The ids whose step is recorded (now, or by an earlier try of the same record). */
export async function recordStepOutcomes(
  sql: Sql,
  input: { workerId: string; records: readonly StepRecord[] },
): Promise<Set<string>> {
  const { records, workerId } = input
  if (records.length === 0) return new Set()
  const rows = await sql<{ id: string }[]>`
    with v as (
      select * from unnest(
        ${records.map((r) => r.executionId)}::uuid[],
        ${records.map((r) => r.attempt)}::int[],
        ${records.map((r) => r.stepIndex)}::int[],
        ${records.map((r) => r.stepName)}::text[],
        ${records.map((r) => JSON.stringify(r.outcome))}::text[],
        ${records.map((r) => (r.statusCode === null ? null : String(r.statusCode)))}::text[],
        ${records.map((r) => r.bodyJson)}::text[],
        ${records.map((r) => (r.bodyKept ? 't' : 'f'))}::text[]
      ) as v(id, attempt, idx, name, outcome, code, body, kept)
    ),
    done as (
      select v.id from v join execution_step_results r
        on r.execution_id = v.id and r.step_index = v.idx and r.attempt = v.attempt and r.step_name = v.name
    ),
    upd as (
      update executions e
         set steps = e.steps || jsonb_build_array(v.outcome::jsonb)
        from v
       where e.id = v.id and ${statusIn(sql, 'e.status', 'recordStep')} and e.worker_id = ${workerId}
         and e.attempt = v.attempt and not exists (select 1 from done d where d.id = v.id)
      returning e.id, e.tenant
    ),
    ins as (
      insert into execution_step_results (execution_id, tenant, step_index, step_name, attempt, status_code,
                                          body, body_kept)
      select v.id, u.tenant, v.idx, v.name, v.attempt, v.code::int, v.body::jsonb, v.kept::bool
        from v join upd u on u.id = v.id
      on conflict (execution_id, step_index) do update
         set step_name = excluded.step_name, attempt = excluded.attempt, status_code = excluded.status_code,
             body = excluded.body, body_kept = excluded.body_kept
    )
    select id from upd
    union
    select id from done`
  return new Set(rows.map((r) => r.id))
}

export interface RecordedStep {
  stepIndex: number
  stepName: string
  statusCode: number | null
  body: unknown
  bodyKept: boolean
}

/** The recorded successes of an execution's steps, in step order (a later attempt resumes after them). */
export async function loadRecordedSteps(sql: Sql, executionId: string): Promise<RecordedStep[]> {
  const rows = await sql<
    { step_index: number; step_name: string; status_code: number | null; body: unknown; body_kept: boolean }[]
  >`
    select step_index, step_name, status_code, body, body_kept from execution_step_results
     where execution_id = ${executionId} order by step_index`
  return rows.map((r) => ({
    stepIndex: r.step_index,
    stepName: r.step_name,
    statusCode: r.status_code,
    body: r.body,
    bodyKept: r.body_kept,
  }))
}
