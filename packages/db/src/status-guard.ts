import { STATUS_GUARDS, type StatusGuardName } from '@punctual/core'
import { sql as drizzleSql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Sql, TransactionSql } from 'postgres'

/**
 * The one place an execution status guard is written (core STATUS_GUARDS names them).
 *
 * Planner note: the guard is written `(status || '') in (…)`, so it does not imply the predicate of the
 * partial index executions_unfinished_idx. Written plainly, Postgres may scan that whole index instead of
 * the primary key when its statistics are behind (seen in the per-second benchmark: 636 ms per start and
 * 157 ms per end batch with 200,000 fires queued since the last ANALYZE; 2 ms and a few ms with the primary
 * key). Statements that find rows by id use it; statements that want that partial index (a schedule's
 * unfinished executions) write the plain form through `plain: true`.
 */

/** postgres.js: `(<column> || '') in (<guard's from>)`; `column` may be qualified (`e.status`). */
export function statusIn(
  db: Sql | TransactionSql,
  column: string,
  guard: StatusGuardName,
  opts: { plain?: boolean } = {},
) {
  // Literals, not parameters: a partial index's predicate is proven only against constants (a prepared
  // statement's generic plan would not see them), and the statuses are core's fixed names.
  const list = db.unsafe(literals(guard))
  return opts.plain ? db`${db(column)} in (${list})` : db`(${db(column)} || '') in (${list})`
}

function literals(guard: StatusGuardName): string {
  return STATUS_GUARDS[guard].from.map((s) => `'${s}'`).join(', ')
}

/** drizzle: the same guard on an executions status column. */
export function statusGuard(
  column: AnyPgColumn,
  guard: StatusGuardName,
  opts: { plain?: boolean } = {},
): SQL {
  const list = drizzleSql.raw(literals(guard))
  return opts.plain ? drizzleSql`${column} in (${list})` : drizzleSql`(${column} || '') in (${list})`
}
