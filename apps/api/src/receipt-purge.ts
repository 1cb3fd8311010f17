import { createIngestRepo, type DbExecutor } from '@punctual/db'
import type { FastifyBaseLogger } from 'fastify'

/**
 * Receipt purging in a deployment that runs no worker. Workers purge expired webhook and event receipts as
 * part of their maintenance (apps/worker/src/maintenance/receipt-purge.ts); with API_RECEIPT_PURGE_INTERVAL_MS
 * set, the API process runs the same pass (packages/db purgeExpiredReceipts) on that period instead. Started
 * by server.ts, so apps built by the tests purge nothing. Returns the function that stops it.
 */
export function startReceiptPurge(opts: {
  db: DbExecutor
  intervalMs: number
  log: FastifyBaseLogger
  now?: () => Date
}): () => void {
  const ingest = createIngestRepo(opts.db)
  const now = opts.now ?? (() => new Date())
  const timer = setInterval(() => {
    ingest.purgeExpiredReceipts(now()).catch((err: unknown) => {
      opts.log.warn({ err }, 'purging expired delivery and event receipts failed; retried later')
    })
  }, opts.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
