import { type SQL, sql } from 'drizzle-orm'

/**
 * `('a', 'b')` for a CHECK constraint, built from the same `as const` array that types the column,
 * so the TypeScript union and the SQL constraint cannot drift apart.
 */
export function sqlList(values: readonly string[]): SQL {
  return sql.raw(`(${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')})`)
}
