import {
  ackSystemEvents,
  claimStaleSystemEvents,
  isReady,
  type QueueKeys,
  type Redis,
  readSystemEvents,
  type StreamedSystemEvent,
  waitForReady,
} from '@punctual/queue'
import type { Logger } from 'pino'

export interface StreamReaderDeps {
  /** Commands (XAUTOCLAIM, acks of malformed entries). */
  redis: Redis
  /** A connection of its own for the blocking reads. */
  reader: Redis
  keys: QueueKeys
  workerId: string
  logger: Logger
  clock: () => number
  config: {
    batchSize: number
    blockMs: number
    /** An entry another consumer read and did not acknowledge for this long is taken over. */
    redeliverMs: number
  }
}

/**
 * The consumer's reading side: each call returns the next batch of the system event stream. First the
 * entries other consumers left pending too long (XAUTOCLAIM, a pass every redeliverMs / 2), else a blocking
 * read of new ones (XREADGROUP). Malformed entries are acknowledged and dropped (with a warning).
 */
export function createStreamReader(deps: StreamReaderDeps): () => Promise<StreamedSystemEvent[]> {
  const { redis, reader, keys, workerId, logger, clock, config } = deps
  let claimCursor = '0-0'
  let nextClaimAt = 0

  async function dropMalformed(ids: string[]) {
    if (ids.length === 0) return
    logger.warn({ streamIds: ids }, 'malformed system event entries dropped')
    await ackSystemEvents(redis, keys, ids)
  }

  return async function nextBatch(): Promise<StreamedSystemEvent[]> {
    const now = clock()
    if (now >= nextClaimAt) {
      const claimed = await claimStaleSystemEvents(redis, keys, {
        consumer: workerId,
        minIdleMs: config.redeliverMs,
        count: config.batchSize,
        cursor: claimCursor,
      })
      claimCursor = claimed.cursor
      if (claimed.cursor === '0-0') nextClaimAt = now + Math.max(100, config.redeliverMs / 2)
      await dropMalformed(claimed.malformed)
      if (claimed.events.length > 0) {
        logger.info({ count: claimed.events.length }, 'took over system events left pending by a consumer')
        return claimed.events
      }
    }
    // The reading connection is its own (it blocks); it connects in the background and rejects until ready.
    if (!isReady(reader)) await waitForReady(reader, config.blockMs + 1000)
    const read = await readSystemEvents(reader, keys, {
      consumer: workerId,
      count: config.batchSize,
      blockMs: Math.max(1, Math.min(config.blockMs, nextClaimAt - clock())),
    })
    await dropMalformed(read.malformed)
    return read.events
  }
}
