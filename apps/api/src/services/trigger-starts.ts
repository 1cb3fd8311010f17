import { createExecutionStarter, type ExecutionStarter, type Sql } from '@punctual/db'
import { createExecutionQueue, type QueueKeys, type Redis } from '@punctual/queue'
import type { FastifyBaseLogger } from 'fastify'

export interface TriggerStartsDeps {
  sql: Sql
  redis: Redis
  keys: QueueKeys
  now: () => Date
  log: FastifyBaseLogger
}

/**
 * The API's starter of trigger executions (webhook deliveries and events): group-committed in Postgres with
 * their receipts (createExecutionStarter), then enqueued in Redis, one script call per batch. A request is
 * answered once its batch committed and the batch's enqueue was sent to Redis, without waiting for Redis's
 * reply (answerOnCommit; at most 8 batches unanswered by Redis, then requests wait): the committed `queued`
 * row is what makes the execution durable. A Redis failure after the commit is not an error: the reconciler
 * enqueues queued rows Redis lacks, so the request is still answered 202 — as the manual trigger path does.
 */
export function createTriggerStarts({ sql, redis, keys, now, log }: TriggerStartsDeps): ExecutionStarter {
  const queue = createExecutionQueue(redis, keys)
  return createExecutionStarter({
    sql,
    now,
    afterCommit: (items) => queue.enqueue(items, now().getTime()),
    // Measured on webhook ingest: ~1 ms less per delivery, ~10 % more deliveries/s.
    answerOnCommit: true,
    onAfterCommitError: (err, items) =>
      log.warn(
        { err, executionIds: items.map((i) => i.id) },
        'trigger executions committed but not enqueued; left to the reconciler',
      ),
  })
}
