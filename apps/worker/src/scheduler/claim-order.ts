import { type Sql, schedulePriorities } from '@punctual/db'
import type { Work } from './held-claims.ts'

/** Claims per Postgres transaction: one transaction records a few hundred fires. */
export const CLAIMS_PER_TRANSACTION = 500

/**
 * A round's claims in the order they are recorded: fire time, then priority (higher first); a chunk per
 * transaction. Priorities are read only when the claims need more than one transaction.
 */
export async function orderClaims(sql: Sql, work: Work[]): Promise<Work[][]> {
  let priority = new Map<string, number>()
  if (work.length > CLAIMS_PER_TRANSACTION) {
    priority = await schedulePriorities(
      sql,
      work.map((w) => w.claim.scheduleId),
    )
  }
  work.sort(
    (a, b) =>
      a.claim.fireAtMs - b.claim.fireAtMs ||
      (priority.get(b.claim.scheduleId) ?? 0) - (priority.get(a.claim.scheduleId) ?? 0),
  )
  const chunks: Work[][] = []
  for (let i = 0; i < work.length; i += CLAIMS_PER_TRANSACTION) {
    chunks.push(work.slice(i, i + CLAIMS_PER_TRANSACTION))
  }
  return chunks
}
