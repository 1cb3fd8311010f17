import { type SQL, type Subquery, sql } from 'drizzle-orm'
import type { SelectedFields } from 'drizzle-orm/pg-core'
import type { DbExecutor } from './executor.ts'

/**
 * The most a list reads for one page, counted as the text of its large columns (jsonb, free text) as Postgres
 * prints them: twice the API's 1 MiB page, because jsonb's text (`{"a": 1, "b": 2}`) is longer than the
 * compact JSON the API sends, so that the API can still fill its page to the byte. Without it a page of 500
 * rows of 1 MiB each would bring 500 MiB into the API to send 1 MiB of it.
 */
export const PAGE_FETCH_BYTES = 2 * 1024 * 1024

/** Rows of one page, in list order; `more` when the list goes on after the last of them. */
export interface RowPage<T> {
  rows: T[]
  more: boolean
}

/** A select ordered by `id` and limited to the page size + 1 (drizzle's query builder, not yet run). */
interface PageQuery<T> extends PromiseLike<T[]> {
  as(alias: string): unknown
}

/** A subquery as drizzle builds it: its selected fields are also its properties. */
type Rows = Subquery<string, SelectedFields> & SelectedFields

/**
 * Runs `query` (ordered by id, limit = `limit` + 1) and keeps its rows while the text of the `sized` columns
 * of the rows before stays under PAGE_FETCH_BYTES: the row that crosses it is the last one read. The query's
 * own plan is untouched (it is the innermost subquery, its LIMIT applied first); the sizes and the cut are
 * computed on those rows by a window in the statement around it, so the rows cut never leave Postgres.
 */
export async function selectPage<T extends { id: string }>(
  db: DbExecutor,
  query: PageQuery<T>,
  opts: { limit: number; order: 'asc' | 'desc'; sized: readonly (keyof T & string)[] },
): Promise<RowPage<T>> {
  const rows = query.as('page_rows') as Rows
  const size = sql.join(
    opts.sized.map((field) => sql`coalesce(octet_length(${rows[field]}::text), 0)`),
    sql` + `,
  )
  const order: SQL = sql`order by ${rows.id} ${opts.order === 'asc' ? sql`asc` : sql`desc`}`
  const sized = db
    .select({
      ...rows._.selectedFields,
      pageBytesBefore:
        sql<number>`coalesce(sum(${size}) over (${order} rows between unbounded preceding and 1 preceding), 0)`
          .mapWith(Number)
          .as('page_bytes_before'),
      pageNext: sql<string | null>`lead(${rows.id}) over (${order})`.as('page_next'),
    })
    .from(rows)
    .as('page_sized') as unknown as Rows
  const found = (await db
    .select()
    .from(sized)
    .where(sql`${sized.pageBytesBefore} < ${PAGE_FETCH_BYTES}`)
    .orderBy(sql`${sized.id} ${opts.order === 'asc' ? sql`asc` : sql`desc`}`)) as unknown as (T & {
    pageBytesBefore: number
    pageNext: string | null
  })[]
  const kept = found.slice(0, opts.limit)
  const more = found.length > opts.limit || (kept.length > 0 && kept[kept.length - 1]!.pageNext !== null)
  return {
    rows: kept.map(({ pageBytesBefore: _bytes, pageNext: _next, ...row }) => row as unknown as T),
    more,
  }
}
