import type { Sql } from 'postgres'

/** Transition: a schedule's execution_count grows by the fires that started (maxExecutions counts them). */

/**
 * Adds fire starts to schedules' execution_count (the fast path's `countLater`), in one statement that locks
 * the rows in id order first, so two workers adding to overlapping schedules never deadlock. A row another
 * transaction holds (a scheduler recording the schedule's fires) is skipped rather than waited for: the caller
 * keeps its count for the next turn. Schedules that are gone are skipped too (history outlives them) and
 * reported as added. Returns the ids whose count was written or is moot.
 */
export async function addExecutionCounts(
  sql: Sql,
  counts: ReadonlyMap<string, number>,
): Promise<Set<string>> {
  if (counts.size === 0) return new Set()
  const entries = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const ids = entries.map(([id]) => id)
  const rows = await sql<{ id: string; added: boolean }[]>`
    with v as (
      select * from unnest(${ids}::uuid[], ${entries.map(([, n]) => n)}::int[]) as v(id, n)
    ),
    locked as (
      select s.id from schedules s where s.id in (select id from v) order by s.id for no key update skip locked
    ),
    upd as (
      update schedules s set execution_count = s.execution_count + v.n
        from v join locked l on l.id = v.id
       where s.id = v.id
      returning s.id
    )
    select v.id, (u.id is not null or not exists (select 1 from schedules s where s.id = v.id)) as added
      from v left join upd u on u.id = v.id`
  return new Set(rows.filter((r) => r.added).map((r) => r.id))
}
