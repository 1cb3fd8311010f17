import { claimUnhandledOutbox, type DbHandle } from '@punctual/db'
import { publishSystemEvents, type QueueKeys, type Redis } from '@punctual/queue'
import type { Logger } from 'pino'

export interface OutboxRelayDeps {
  db: DbHandle
  redis: Redis
  keys: QueueKeys
  logger: Logger
  clock: () => number
  /** Outbox rows published this long ago (or more) and still not handled are published again. */
  afterMs: number
  /** Rows per pass. */
  limit: number
}

/**
 * The outbox relay's pass: the writer of an outbox row (runner, scheduler) publishes its event right after
 * the COMMIT; a row still present `afterMs` later was never published (the writer died in between, or Redis
 * refused) or its stream entry was lost (Redis lost its data): publish it again. Each worker runs passes; the
 * rows are shared out with SKIP LOCKED. A republished event that was in fact handled meanwhile starts
 * nothing: its receipt refuses it. Returns how many rows were published again.
 */
export async function relayUnhandledOutbox(deps: OutboxRelayDeps): Promise<number> {
  let total = 0
  for (;;) {
    const rows = await claimUnhandledOutbox(deps.db.sql, {
      nowMs: deps.clock(),
      afterMs: deps.afterMs,
      limit: deps.limit,
    })
    if (rows.length === 0) break
    // Marked republished already: if this publish fails, the next pass tries again (after a longer wait).
    await publishSystemEvents(deps.redis, deps.keys, rows)
    total += rows.length
    if (rows.length < deps.limit) break
  }
  if (total > 0) deps.logger.info({ count: total }, 'system events published again from the outbox')
  return total
}
