import type { Sql } from 'postgres'

/**
 * The sealed columns of the database, read and rewritten by the API's boot-time re-seal
 * (apps/api/src/secrets-reseal.ts) when the key ring gains a newer key or values of the first format (`v1`,
 * bound to no row) are left. Plain SQL over a table described by a SealedTable, paged by its key.
 */
export interface SealedTable {
  table: string
  /** The column rows are paged by (unique), and its SQL type. */
  key: string
  keyType: 'uuid' | 'text'
  /** The column whose value a sealed value is bound to as its `row` (core SealedAt). */
  bind: string
  /** The sealed columns. */
  columns: readonly string[]
}

/** Every table holding sealed values: webhook trigger secrets, tenant secrets, outbound signing secrets. */
export const SEALED_TABLES: readonly SealedTable[] = [
  {
    table: 'triggers',
    key: 'id',
    keyType: 'uuid',
    bind: 'id',
    columns: ['secret_ciphertext', 'previous_secret_ciphertext'],
  },
  { table: 'tenant_secrets', key: 'id', keyType: 'uuid', bind: 'name', columns: ['value_ciphertext'] },
  {
    table: 'tenant_signing_secrets',
    key: 'tenant',
    keyType: 'text',
    bind: 'tenant',
    columns: ['secret_ciphertext', 'previous_secret_ciphertext'],
  },
]

export interface SealedRow {
  key: string
  tenant: string
  /** What the values are bound to as their row. */
  bind: string
  /** The sealed columns' values, in SealedTable.columns order. */
  values: (string | null)[]
}

export interface ResealedRow {
  key: string
  /** What was read: the write happens only if the row still holds it (a rotation or a PUT meanwhile wins). */
  before: (string | null)[]
  values: (string | null)[]
}

/** A quoted identifier of the constant table descriptions above (never text from a row or a request). */
const id = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Up to `limit` rows after `after` (key order) holding a sealed value that does not start with `current`. */
export async function findStaleSealedRows(
  sql: Sql,
  spec: SealedTable,
  current: string,
  after: string | null,
  limit: number,
): Promise<SealedRow[]> {
  const stale = spec.columns.map((c) => `(${id(c)} is not null and ${id(c)} not like $1)`).join(' or ')
  const from = after === null ? 'true' : `${id(spec.key)} > $3::${spec.keyType}`
  const rows = await sql.unsafe<Record<string, string | null>[]>(
    `select ${id(spec.key)}::text as "key", tenant, ${id(spec.bind)}::text as "bind",
            ${spec.columns.map(id).join(', ')}
       from ${id(spec.table)}
      where ${from} and (${stale})
      order by ${id(spec.key)}
      limit $2`,
    after === null ? [`${current}%`, limit] : [`${current}%`, limit, after],
  )
  return rows.map((r) => ({
    key: r['key']!,
    tenant: r['tenant']!,
    bind: r['bind']!,
    values: spec.columns.map((c) => r[c] ?? null),
  }))
}

/** Writes re-sealed values in one statement; answers how many rows took them. */
export async function writeResealedRows(
  sql: Sql,
  spec: SealedTable,
  rows: readonly ResealedRow[],
): Promise<number> {
  if (rows.length === 0) return 0
  const records = rows.map((r) => {
    const rec: Record<string, string | null> = { k: r.key }
    spec.columns.forEach((_, i) => {
      rec[`o${i}`] = r.before[i] ?? null
      rec[`n${i}`] = r.values[i] ?? null
    })
    return rec
  })
  const shape = ['k text', ...spec.columns.flatMap((_, i) => [`o${i} text`, `n${i} text`])].join(', ')
  const sets = spec.columns.map((c, i) => `${id(c)} = v.n${i}`).join(', ')
  const unchanged = spec.columns.map((c, i) => `and t.${id(c)} is not distinct from v.o${i}`).join(' ')
  const result = await sql.unsafe(
    `update ${id(spec.table)} t
        set ${sets}
       from jsonb_to_recordset($1::jsonb) as v(${shape})
      where t.${id(spec.key)} = v.k::${spec.keyType} ${unchanged}`,
    [JSON.stringify(records)],
  )
  return result.count
}

/** How many sealed values of the table start with each of `prefixes` (e.g. `v2.<key id>.`, `v1.`). */
export async function countSealedValues(
  sql: Sql,
  spec: SealedTable,
  prefixes: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const prefix of prefixes) {
    const sums = spec.columns.map((c) => `count(*) filter (where ${id(c)} like $1)`).join(' + ')
    const [row] = await sql.unsafe<{ n: number }[]>(`select (${sums})::int as n from ${id(spec.table)}`, [
      `${prefix}%`,
    ])
    counts.set(prefix, row?.n ?? 0)
  }
  return counts
}
