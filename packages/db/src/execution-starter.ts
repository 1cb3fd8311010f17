import type { Sql } from 'postgres'
import { isUnavailableError } from './errors.ts'
import {
  type CreatedExecution,
  createdExecutions,
  insertGeneralStartBatch,
  insertWebhookStartBatch,
  isWebhookRequest,
  type StartOutcome,
  type StartRequest,
} from './statements/trigger-start-batch.ts'

export interface ExecutionStarterOptions {
  sql: Sql
  now: () => Date
  /**
   * Runs after each batch commits, with the executions it created (e.g. `queue.enqueue(items, now)`); the
   * requests of the batch are answered once it settles. A failure here does not undo anything: the rows are
   * committed and `queued`, and the reconciler enqueues queued rows Redis lacks. It goes to onAfterCommitError.
   */
  afterCommit?: (started: CreatedExecution[]) => Promise<unknown>
  onAfterCommitError?: (err: unknown, started: CreatedExecution[]) => void
  /**
   * Answer a batch's requests once it committed and its afterCommit was called, without waiting for
   * afterCommit to settle — while fewer than `maxUnsettled` afterCommits are pending; past that, requests wait
   * for theirs (backpressure). Only for an afterCommit whose effect is rebuilt from the committed rows when it
   * fails (the Redis enqueue: the reconciler). Default false: answered once afterCommit settled.
   */
  answerOnCommit?: boolean
  /** With answerOnCommit: afterCommit calls pending at most before requests wait for theirs. Default 8. */
  maxUnsettled?: number
  /** Requests per statement. Default 200. */
  maxBatch?: number
  /**
   * Statements in flight at once. One is written at a time while the waiting requests fit in one batch (they
   * all go in the next statement, which is cheaper per request than two smaller ones); another starts, up to
   * this many, only when a full batch (`maxBatch`) is waiting. Default 2.
   */
  maxInFlight?: number
}

export interface ExecutionStarter {
  /**
   * Creates the request's executions (unless its receipt was seen), committed together with the receipt;
   * resolves once the batch it went into committed and afterCommit settled (with answerOnCommit: was called).
   * Rejects with the database's error (e.g. unavailable) and then nothing of the request was written.
   */
  start(request: StartRequest): Promise<StartOutcome>
  /** Resolves when every request handed in so far is answered and every afterCommit settled. */
  idle(): Promise<void>
}

interface Pending {
  request: StartRequest
  resolve: (outcome: StartOutcome) => void
  reject: (err: unknown) => void
}

/** afterCommit of a batch that created executions; its failure goes to onAfterCommitError. */
async function afterCommit(opts: ExecutionStarterOptions, started: CreatedExecution[]): Promise<void> {
  if (started.length === 0 || !opts.afterCommit) return
  try {
    await opts.afterCommit(started)
  } catch (err) {
    opts.onAfterCommitError?.(err, started)
  }
}

/** A batch's webhook deliveries (written by insertWebhookStartBatch) and its other requests. */
function byStatement(batch: Pending[]): { hooks: Pending[]; rest: Pending[] } {
  const hooks: Pending[] = []
  const rest: Pending[] = []
  for (const p of batch) (isWebhookRequest(p.request) ? hooks : rest).push(p)
  return { hooks, rest }
}

/**
 * Writes a batch of one kind: its statement is chosen here (insertStartBatch would check the kind again).
 */
function insertOneKind(sql: Sql, batch: Pending[], webhooks: boolean, at: Date): Promise<StartOutcome[]> {
  const insert = webhooks ? insertWebhookStartBatch : insertGeneralStartBatch
  return insert(
    sql,
    batch.map((p) => p.request),
    at,
  )
}

/**
 * Group commit of trigger starts (webhook deliveries, events, and the internal event bus): requests that
 * arrive while a batch is being written wait and go together in the next one — one INSERT statement with its
 * receipts, one commit, then one afterCommit call (one Redis script call to enqueue them all). With no
 * concurrency a batch is a single request and nothing waits. A statement that fails for another reason than
 * an unavailable database is retried one request at a time, so one bad request cannot fail the others.
 */
export function createExecutionStarter(opts: ExecutionStarterOptions): ExecutionStarter {
  const maxBatch = opts.maxBatch ?? 200
  let queue: Pending[] = []
  const maxInFlight = opts.maxInFlight ?? 2
  const maxUnsettled = opts.maxUnsettled ?? 8
  const writers = new Set<Promise<void>>()
  const settling = new Set<Promise<void>>()

  async function writeBatch(batch: Pending[]) {
    // Webhook deliveries have their own, cheaper statement: a batch that mixes them with other requests is
    // written as two (each its own transaction, each retried on its own).
    const { hooks, rest } = byStatement(batch)
    if (hooks.length > 0 && rest.length > 0) {
      await Promise.all([writeBatch(hooks), writeBatch(rest)])
      return
    }
    const at = opts.now()
    let outcomes: StartOutcome[]
    try {
      outcomes = await insertOneKind(opts.sql, batch, rest.length === 0, at)
    } catch (err) {
      if (batch.length === 1 || isUnavailableError(err)) {
        for (const p of batch) p.reject(err)
        return
      }
      // Find the request at fault (or get past a deadlock between batches): one statement each.
      await Promise.all(batch.map((p) => writeBatch([p])))
      return
    }
    const started = batch.flatMap((p, i) => createdExecutions(p.request, outcomes[i]!, at))
    const answer = () =>
      batch.forEach((p, i) => {
        p.resolve(outcomes[i]!)
      })
    // The next batch is written while this one is enqueued.
    const early = opts.answerOnCommit === true && settling.size < maxUnsettled
    const done = afterCommit(opts, started).then(early ? undefined : answer)
    if (early) answer()
    settling.add(done)
    void done.finally(() => settling.delete(done))
  }

  function pump() {
    // Measured on webhook ingest (2 cores shared with Postgres): one statement at a time made batches of ~19
    // instead of two of ~11, 40 % fewer statements (each wakes a Postgres backend) and ~15 % more deliveries/s.
    while (
      queue.length > 0 &&
      (writers.size === 0 || (writers.size < maxInFlight && queue.length >= maxBatch))
    ) {
      const batch = queue.slice(0, maxBatch)
      queue = queue.slice(batch.length)
      const writer: Promise<void> = writeBatch(batch)
        .catch((err) => {
          for (const p of batch) p.reject(err)
        })
        .finally(() => {
          writers.delete(writer)
          pump()
        })
      writers.add(writer)
    }
  }

  return {
    start(request) {
      return new Promise<StartOutcome>((resolve, reject) => {
        queue.push({ request, resolve, reject })
        pump()
      })
    },
    async idle() {
      while (writers.size > 0 || settling.size > 0) {
        await Promise.all([...writers, ...settling])
      }
    },
  }
}
