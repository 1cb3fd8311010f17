import type { Sql } from 'postgres'
import { statusIn } from '../status-guard.ts'

/** Of these executions, the ones whose cancel was requested (the fallback when a pub/sub message is lost). */
export async function findCancelRequested(sql: Sql, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await sql<{ id: string }[]>`
    select id from executions
     where id = any(${ids as string[]}::uuid[]) and ${statusIn(sql, 'status', 'requestCancel')} and cancel_requested_at is not null`
  return rows.map((r) => r.id)
}
