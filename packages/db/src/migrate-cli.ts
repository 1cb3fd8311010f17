// `pnpm run migrate`: create the database named in DATABASE_URL if needed, then apply pending migrations.
import { DATABASE_SCHEMA_PATTERN, DEFAULT_DATABASE_SCHEMA, maskUrl } from '@punctual/core'
import { databaseName, ensureDatabase, migrate } from './migrate.ts'

const defaultUrl = 'postgres://postgres@127.0.0.1:5432/punctual'

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const code = (err as { code?: string }).code
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join('; ')
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message
}

async function main(): Promise<number> {
  const url = process.env['DATABASE_URL'] || defaultUrl
  const schema = process.env['DATABASE_SCHEMA'] || DEFAULT_DATABASE_SCHEMA
  if (!new RegExp(DATABASE_SCHEMA_PATTERN).test(schema)) {
    console.error(`migrate: invalid DATABASE_SCHEMA: must match ${DATABASE_SCHEMA_PATTERN}`)
    return 1
  }
  let name: string
  try {
    name = databaseName(url)
  } catch (err) {
    console.error(`migrate: invalid DATABASE_URL: ${describe(err)}`)
    return 1
  }
  try {
    const created = await ensureDatabase(url)
    const { applied, total, layout } = await migrate(url, { schema })
    if (layout.copied > 0)
      console.log(
        `migrate: moved ${layout.moved} tables and functions from public into schema ${schema}, ` +
          `and its ${layout.copied} migration records from drizzle.__drizzle_migrations`,
      )
    const what =
      applied === 0 ? 'already up to date' : `applied ${applied} migration${applied === 1 ? '' : 's'}`
    console.log(
      `migrate: database ${name} ${created ? 'created, ' : ''}${what} (schema ${schema}, ${total} total)`,
    )
    return 0
  } catch (err) {
    console.error(`migrate: failed for ${maskUrl(url)}: ${describe(err)}`)
    return 1
  }
}

process.exitCode = await main()
