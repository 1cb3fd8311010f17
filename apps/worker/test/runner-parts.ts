/**
 * Fixtures for the runner's part tests (runner-*.test.ts beside runner.test.ts): each part is built alone
 * against real Postgres and Redis, with the job table and backoffs it shares in the runner, and executions
 * claimed and started the way the claim loop and the batch start do it.
 */
import { startExecutions } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createExecutionQueue, createKeys, type ExecutionQueue, type QueueKeys } from '@punctual/queue'
import { createTestRedis, deleteMatching, type TestRedis } from '@punctual/queue/testing'
import { type BackoffFailure, createBackoff } from '../src/loop/index.ts'
import type { ExecutionLostEvent, RunnerEventMap } from '../src/runner/events.ts'
import { type Job, JobTable, newJob } from '../src/runner/job.ts'
import { LeaseKeeper } from '../src/runner/lease-keeper.ts'
import { silentLogger } from '../src/runner/testing.ts'

export interface PartsContext {
  db: TestDatabase
  r: TestRedis
  /** A fresh keyspace: each test sees only its own executions. */
  fresh(): { keys: QueueKeys; queue: ExecutionQueue }
  close(): Promise<void>
}

export async function setupParts(): Promise<PartsContext> {
  const [db, r] = await Promise.all([createTestDatabase(), createTestRedis()])
  const patterns: string[] = []
  let n = 0
  return {
    db,
    r,
    fresh() {
      const keys = createKeys(`${r.prefix}.${++n}`)
      patterns.push(keys.scanPattern)
      return { keys, queue: createExecutionQueue(r.redis, keys) }
    },
    async close() {
      for (const p of patterns) await deleteMatching(r.redis, p)
      await Promise.all([db.close(), r.cleanup()])
    },
  }
}

/** A job table that records what it reports: slots freed, executions lost. */
export function recordingTable(workerId: string) {
  const lost: ExecutionLostEvent[] = []
  const freed = { count: 0 }
  const table = new JobTable({
    workerId,
    logger: silentLogger(),
    onFree: () => freed.count++,
    onLost: (e) => lost.push(e),
  })
  return { table, lost, freed }
}

/** A backoff tracker as the runner makes one, recording its failures. */
export function recordingBackoff(phase: string) {
  const failures: BackoffFailure[] = []
  const backoff = createBackoff(phase, silentLogger(), (e) => failures.push(e))
  return { backoff, failures }
}

/** Every event emitted through `emit`, by name, in order. */
export function recordingEmit() {
  const seen: { name: keyof RunnerEventMap; event: unknown }[] = []
  const emit = <K extends keyof RunnerEventMap>(name: K, ...args: RunnerEventMap[K]) => {
    seen.push({ name, event: args[0] })
  }
  return { emit, seen }
}

/** Dequeues up to `count` executions for `workerId` and holds them in `table` as the claim loop does. */
export async function claimJobs(
  queue: ExecutionQueue,
  table: JobTable,
  workerId: string,
  count: number,
  leaseMs = 30_000,
): Promise<Job[]> {
  const { items } = await queue.dequeue({ workerId, count, leaseMs, now: Date.now() })
  const jobs = items.map((item) => newJob(item, 'starting'))
  for (const job of jobs) table.add(job)
  return jobs
}

/** Starts claimed jobs in Postgres as the batch start does (their rows `running`), phase `running`. */
export async function startJobs(db: TestDatabase, table: JobTable, workerId: string, jobs: Job[]) {
  const result = await startExecutions(db.sql, {
    candidates: jobs.map((j) => ({ id: j.id, kind: j.queued.kind, scheduleId: j.queued.scheduleId })),
    workerId,
    nowMs: Date.now(),
  })
  for (const row of result.started) {
    const job = jobs.find((j) => j.id === row.id)!
    job.row = row
    table.setPhase(job, 'running')
  }
  return result
}

/** A Postgres call with no deadline (the part tests that need one pass withDeadline themselves). */
export const direct = <T>(p: Promise<T>): Promise<T> => p

/** The lease keeper W's parts share in the runner (not started: a test starts it when it tests renewals). */
export function leaseKeeper(
  db: TestDatabase,
  table: JobTable,
  queue: ExecutionQueue,
  workerId: string,
  leaseMs = 30_000,
): LeaseKeeper {
  return new LeaseKeeper({
    table,
    queue,
    sql: db.sql,
    workerId,
    leaseMs,
    now: Date.now,
    pgCall: direct,
    logger: silentLogger(),
    renewing: () => true,
  })
}
