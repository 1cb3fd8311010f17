import type { Sql } from 'postgres'

/**
 * The sealed columns of the database (webhook trigger secrets), read and rewritten by the API's boot-time
 * re-seal (apps/api/src/secrets-reseal.ts) when the key ring gains a newer key or values of the first format
 * (`v1`, bound to no row) are left. Plain SQL, paged by id.
 */
export interface SealedTriggerRow {
  id: string
  tenant: string
  secretCiphertext: string | null
  previousSecretCiphertext: string | null
}

export interface ResealedTrigger {
  id: string
  /** What was read: the write happens only if the row still holds it (a rotation meanwhile wins). */
  before: { secretCiphertext: string | null; previousSecretCiphertext: string | null }
  secretCiphertext: string | null
  previousSecretCiphertext: string | null
}

/** Up to `limit` triggers after `afterId` (id order) holding a sealed value that does not start with `current`. */
export async function findStaleSealedTriggers(
  sql: Sql,
  current: string,
  afterId: string | null,
  limit: number,
): Promise<SealedTriggerRow[]> {
  const prefix = `${current}%`
  return sql<SealedTriggerRow[]>`
    select id, tenant, secret_ciphertext as "secretCiphertext",
           previous_secret_ciphertext as "previousSecretCiphertext"
      from triggers
     where id > ${afterId ?? '00000000-0000-0000-0000-000000000000'}::uuid
       and ((secret_ciphertext is not null and secret_ciphertext not like ${prefix})
         or (previous_secret_ciphertext is not null and previous_secret_ciphertext not like ${prefix}))
     order by id
     limit ${limit}`
}

/** Writes re-sealed values in one statement; answers how many rows took them. */
export async function writeResealedTriggers(sql: Sql, rows: readonly ResealedTrigger[]): Promise<number> {
  if (rows.length === 0) return 0
  const values = rows.map((r) => ({
    id: r.id,
    old_secret: r.before.secretCiphertext,
    old_previous: r.before.previousSecretCiphertext,
    secret: r.secretCiphertext,
    previous: r.previousSecretCiphertext,
  }))
  const result = await sql`
    update triggers t
       set secret_ciphertext = v.secret, previous_secret_ciphertext = v.previous
      from jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
        as v(id uuid, old_secret text, old_previous text, secret text, previous text)
     where t.id = v.id
       and t.secret_ciphertext is not distinct from v.old_secret
       and t.previous_secret_ciphertext is not distinct from v.old_previous`
  return result.count
}

/** How many sealed values start with each of `prefixes` (e.g. `v2.<key id>.`, `v1.`). */
export async function countSealedTriggerValues(
  sql: Sql,
  prefixes: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const prefix of prefixes) {
    const pattern = `${prefix}%`
    const [row] = await sql<{ n: number }[]>`
      select (count(*) filter (where secret_ciphertext like ${pattern})
            + count(*) filter (where previous_secret_ciphertext like ${pattern}))::int as n
        from triggers
       where secret_ciphertext like ${pattern} or previous_secret_ciphertext like ${pattern}`
    counts.set(prefix, row?.n ?? 0)
  }
  return counts
}
