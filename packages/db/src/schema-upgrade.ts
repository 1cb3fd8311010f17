import { readdirSync, readFileSync } from 'node:fs'
import type postgres from 'postgres'

/**
 * The move into the deployment's own Postgres schema (issue 18, DATABASE_SCHEMA). Databases migrated before it
 * hold every table in `public` and drizzle's bookkeeping in `drizzle.__drizzle_migrations`, a table a host
 * application that also uses drizzle would share. `upgradeLayout` runs under the migration lock before
 * drizzle's migrator: it moves our tables and functions into the schema (ALTER … SET SCHEMA keeps their rows,
 * indexes, constraints, owned sequences and triggers) and copies our rows of the bookkeeping, all in one
 * transaction. What is ours is read from the migrations folder: the tables and enums of the newest snapshot,
 * the functions the SQL files create, and the journal's timestamps (the bookkeeping's `created_at`).
 */

export interface LayoutUpgrade {
  /** Tables, functions and types moved out of `public`. */
  moved: number
  /** Bookkeeping rows copied from `drizzle.__drizzle_migrations`. */
  copied: number
}

interface Ours {
  tables: string[]
  enums: string[]
  functions: string[]
  journalMillis: number[]
}

const LEGACY_BOOKKEEPING = 'drizzle.__drizzle_migrations'

/** What the migrations create: read from the folder, so the list never falls behind a new migration. */
export function ownObjects(folder: string): Ours {
  const journal = JSON.parse(readFileSync(`${folder}/meta/_journal.json`, 'utf8')) as {
    entries: { tag: string; when: number }[]
  }
  const snapshots = readdirSync(`${folder}/meta`)
    .filter((f) => f.endsWith('_snapshot.json'))
    .sort()
  const newest = JSON.parse(readFileSync(`${folder}/meta/${snapshots[snapshots.length - 1]}`, 'utf8')) as {
    tables: Record<string, { name: string }>
    enums?: Record<string, { name: string }>
  }
  const functions = new Set<string>()
  for (const { tag } of journal.entries) {
    const text = readFileSync(`${folder}/${tag}.sql`, 'utf8')
    for (const m of text.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+"?(\w+)"?\s*\(/gi))
      functions.add(m[1]!)
  }
  return {
    tables: Object.values(newest.tables).map((t) => t.name),
    enums: Object.values(newest.enums ?? {}).map((e) => e.name),
    functions: [...functions],
    journalMillis: journal.entries.map((e) => e.when),
  }
}

/**
 * Upgrades a database laid out before DATABASE_SCHEMA, once: when `schema` has no bookkeeping yet and the
 * legacy bookkeeping holds rows of our migrations. Anything else (a new database, one already upgraded, a
 * host application's own drizzle bookkeeping) is left alone.
 */
export async function upgradeLayout(
  sql: postgres.Sql,
  schema: string,
  folder: string,
): Promise<LayoutUpgrade> {
  const [state] = await sql<{ current: boolean; legacy: boolean }[]>`
    select to_regclass(${`${schema}.__drizzle_migrations`}) is not null as current,
           to_regclass(${LEGACY_BOOKKEEPING}) is not null as legacy`
  if (!state || state.current || !state.legacy) return { moved: 0, copied: 0 }
  const ours = ownObjects(folder)
  const rows = await sql<{ hash: string; created_at: string }[]>`
    select hash, created_at from drizzle.__drizzle_migrations
     where created_at = any(${ours.journalMillis.map(String)}::bigint[]) order by id`
  if (rows.length === 0) return { moved: 0, copied: 0 }
  return sql.begin(async (tx) => {
    const moved = schema === 'public' ? 0 : await moveOutOfPublic(tx, schema, ours)
    await tx.unsafe(`create table ${schema}.__drizzle_migrations (
      id serial primary key, hash text not null, created_at bigint)`)
    for (const r of rows)
      await tx`insert into ${tx(schema)}.__drizzle_migrations (hash, created_at) values (${r.hash}, ${r.created_at})`
    return { moved, copied: rows.length }
  })
}

async function moveOutOfPublic(tx: postgres.TransactionSql, schema: string, ours: Ours): Promise<number> {
  let moved = 0
  const tables = await tx<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname = any(${ours.tables})`
  for (const { name } of tables) {
    await tx.unsafe(`alter table public.${quote(name)} set schema ${schema}`)
    moved++
  }
  const types = await tx<{ name: string }[]>`
    select t.typname as name from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where n.nspname = 'public' and t.typname = any(${ours.enums})`
  for (const { name } of types) {
    await tx.unsafe(`alter type public.${quote(name)} set schema ${schema}`)
    moved++
  }
  const functions = await tx<{ signature: string }[]>`
    select p.oid::regprocedure::text as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = any(${ours.functions})`
  for (const { signature } of functions) {
    // regprocedure text is schema-qualified only when the schema is off the search_path: qualify it here.
    const bare = signature.replace(/^public\./, '')
    await tx.unsafe(`alter function public.${bare} set schema ${schema}`)
    moved++
  }
  return moved
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
