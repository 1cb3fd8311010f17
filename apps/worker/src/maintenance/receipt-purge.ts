import { createIngestRepo, type DbHandle } from '@punctual/db'
import type { Logger } from 'pino'

/**
 * Receipt purging. Webhook delivery and event receipts past their 24 h window (RECEIPT_TTL_MS) no longer
 * deduplicate (a repeat past it overwrites its receipt), so deleting them only keeps `webhook_deliveries` and
 * `event_receipts` small: at most 10,000 rows of each per pass (the statements are packages/db's
 * purgeReceipts). Every worker runs a pass every WORKER_RECEIPT_PURGE_INTERVAL_MS (maintenance/loop.ts); two
 * passes at once delete nothing twice (a row the other deleted is skipped). A deployment without workers has
 * the API run the same pass instead (API_RECEIPT_PURGE_INTERVAL_MS, apps/api/src/receipt-purge.ts).
 *
 * A failure is logged and left to the next pass. Returns what went, or null when the pass failed.
 */
export async function purgeExpiredReceipts(
  db: DbHandle,
  logger: Logger,
  now: Date,
): Promise<{ deliveries: number; events: number } | null> {
  try {
    const purged = await createIngestRepo(db.db).purgeExpiredReceipts(now)
    if (purged.deliveries + purged.events > 0) logger.debug(purged, 'purged expired receipts')
    return purged
  } catch (err) {
    logger.warn({ err }, 'purging expired delivery and event receipts failed; retried later')
    return null
  }
}
