import type { Sql } from 'postgres'
import { statusIn } from '../status-guard.ts'

/**
 * Graceful shutdown: attempts this worker started and aborted go back to `queued` with the attempt they
 * started from, so the worker that takes them over runs the same attempt number again (a handback is not a
 * failed attempt). started_at stays, so a fire is not counted twice toward maxExecutions.
 */
export async function handBackExecutions(
  sql: Sql,
  input: { workerId: string; items: readonly { id: string; attempt: number }[] },
): Promise<string[]> {
  if (input.items.length === 0) return []
  const rows = await sql<{ id: string }[]>`
    update executions e
       set status = 'queued', attempt = e.attempt - 1, worker_id = null
      from unnest(${input.items.map((i) => i.id)}::uuid[], ${input.items.map((i) => i.attempt)}::int[])
           as v(id, attempt)
     where e.id = v.id and ${statusIn(sql, 'e.status', 'handBack')} and e.worker_id = ${input.workerId} and e.attempt = v.attempt
    returning e.id`
  return rows.map((r) => r.id)
}
