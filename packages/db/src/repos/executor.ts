import type { PgDatabase } from 'drizzle-orm/pg-core'
import type { PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js'

/** A database handle or an open transaction: repositories work with either. */
// biome-ignore lint/suspicious/noExplicitAny: the schema generic is irrelevant to the repositories
export type DbExecutor = PgDatabase<PostgresJsQueryResultHKT, any>
