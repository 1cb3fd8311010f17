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
 * their receipts (createExecutionStarter), then enqueued in Redis, one script call per batch. A Redis failure
 * after the commit is not an error: the rows are `queued` and the reconciler enqueues them when Redis is back,
 * so the request is still answered 202 — as the manual trigger path does.
 */
export function createTriggerStarts({ sql, redis, keys, now, log }: TriggerStartsDeps): ExecutionStarter {
  const queue = createExecutionQueue(redis, keys)
  return createExecutionStarter({
    sql,
    now,
    afterCommit: (items) => queue.enqueue(items, now().getTime()),
    onAfterCommitError: (err, items) =>
      log.warn(
        { err, executionIds: items.map((i) => i.id) },
        'trigger executions committed but not enqueued; left to the reconciler',
      ),
  })
}
