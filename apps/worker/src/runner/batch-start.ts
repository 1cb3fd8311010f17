import { type Sql, type StartExecutionsResult, startExecutions } from '@punctual/db'
import { type QueueKeys, type Redis, upsertSchedule } from '@punctual/queue'
import type { Logger } from 'pino'
import { type Backoff, errorMessage as message, type Wakeup } from '../loop/index.ts'
import type { EndWriter } from './end-writer.ts'
import type { RunnerEventMap } from './events.ts'
import type { ExecutionCounts } from './execution-counts.ts'
import type { ExecutionRun } from './execution-run.ts'
import { CancelRequested, eventBase, type Job, type JobTable } from './job.ts'

/**
 * The start of a dequeued batch: one conditional statement (startExecutions: `queued|retrying|running` →
 * `running`, attempt + 1), retried after the backoff while Postgres is away. Steps run only after its
 * COMMIT. What the statement decided without starting (cancel requested, overlap skip) and what it would not
 * start (gone, finished, held, over maxExecutions) is acked through the end writer; a batch claimed while the
 * runner stops is handed back untouched.
 */
export interface BatchStartDeps {
  /** The pool for starts (asynchronous commit in the worker, see RunnerDeps.startDb). */
  sql: Sql
  redis: Redis
  keys: QueueKeys
  workerId: string
  now: () => number
  /** A Postgres call bounded by the runner's dbTimeoutMs. */
  pgCall: <T>(p: Promise<T>) => Promise<T>
  /** Backoff of the start statement. */
  pg: Backoff
  wakeup: Wakeup
  logger: Logger
  /** The runner is running: a batch claimed after that is handed back, not started. */
  running: () => boolean
  table: JobTable
  releaseLeases: (jobs: Job[]) => Promise<void>
  ends: Pick<EndWriter, 'queueSettle' | 'publish'>
  /** Fire starts to add to their schedules' execution_count. */
  counts: Pick<ExecutionCounts, 'add'>
  /** Runs a started execution's attempt. */
  runs: Pick<ExecutionRun, 'run'>
  /** Work stop() waits for. */
  track: (p: Promise<void>) => void
  emit: <K extends keyof RunnerEventMap>(name: K, ...args: RunnerEventMap[K]) => void
}

export class BatchStart {
  constructor(private readonly deps: BatchStartDeps) {}

  /** Starts a dequeued batch (retried while Postgres is away), then runs what started. */
  async start(batch: Job[]): Promise<void> {
    const { deps } = this
    for (;;) {
      const live = batch.filter((j) => !j.lost)
      if (live.length === 0) return
      if (!deps.running()) {
        // Claimed but not started: hand back at once (no Postgres change to undo).
        await deps.releaseLeases(live)
        return
      }
      const wait = deps.pg.wait()
      if (wait > 0) {
        await deps.wakeup.sleep(wait)
        continue
      }
      let result: StartExecutionsResult
      const nowMs = deps.now()
      try {
        result = await deps.pgCall(
          startExecutions(deps.sql, {
            candidates: live.map((j) => ({ id: j.id, kind: j.queued.kind, scheduleId: j.queued.scheduleId })),
            workerId: deps.workerId,
            nowMs,
          }),
        )
        deps.pg.ok()
      } catch (err) {
        deps.pg.fail(err)
        continue
      }
      this.applyStart(live, result, nowMs)
      return
    }
  }

  private applyStart(live: Job[], result: StartExecutionsResult, startedAtMs: number): void {
    const { workerId, table, ends, emit } = this.deps
    ends.publish(result.events)
    this.deps.counts.add(result.countLater)
    const byId = new Map(live.map((j) => [j.id, j]))
    const handled = new Set<string>()
    for (const row of result.started) {
      const job = byId.get(row.id)
      if (!job) continue
      handled.add(row.id)
      job.row = row
      if (job.lost) continue // lost while the start was in flight: the row says running, the lease says no
      table.setPhase(job, 'running')
      emit('execution.started', {
        ...eventBase(job, workerId),
        attempt: row.attempt,
        scheduledForMs: row.scheduledForMs,
        startedAtMs,
      })
      if (job.cancelRequested) job.controller.abort(new CancelRequested())
      this.deps.track(this.deps.runs.run(job))
    }
    // Decided at the start without running (cancel requested, overlap skip): ack, then the event.
    const settleUnstarted = (id: string, emitEnd: (job: Job) => void) => {
      const job = byId.get(id)
      if (!job) return
      handled.add(id)
      table.setPhase(job, 'finishing')
      ends.queueSettle({ job, redis: { op: 'ack' }, emit: () => emitEnd(job), emitted: false })
    }
    for (const c of result.cancelled) {
      settleUnstarted(c.id, (job) =>
        emit('execution.cancelled', {
          ...eventBase(job, workerId),
          attempt: c.attempt,
          finishedAtMs: startedAtMs,
        }),
      )
    }
    for (const k of result.skipped) {
      settleUnstarted(k.id, () =>
        emit('fire.skipped', {
          id: k.id,
          scheduleId: k.scheduleId,
          scheduledForMs: k.scheduledForMs,
          workerId,
        }),
      )
    }
    // Gone, finished, held, or a fire over its schedule's maxExecutions: ack and drop.
    const drop = live.filter((j) => !handled.has(j.id) && !j.lost)
    for (const job of drop) table.setPhase(job, 'finishing')
    if (drop.length > 0) {
      this.deps.logger.debug({ ids: drop.map((j) => j.id) }, 'dequeued executions not startable; dropped')
      for (const job of drop) ends.queueSettle({ job, redis: { op: 'ack' }, emit: () => {}, emitted: false })
    }
    if (result.completed.length > 0) this.completeSchedules(result)
  }

  /** Schedules the batch's fire starts brought to maxExecutions: the event, then their due entries. */
  private completeSchedules(result: StartExecutionsResult): void {
    const { deps } = this
    for (const s of result.completed) {
      const last = result.started
        .filter((row) => row.scheduleId === s.scheduleId && row.kind === 'fire')
        .sort((a, b) => b.scheduledForMs - a.scheduledForMs)[0]
      deps.emit('schedule.completed', { ...s, executionId: last?.id ?? null, workerId: deps.workerId })
      // The schedule reached maxExecutions: it will not fire again. The row is already `completed`; the
      // due entry follows (version-guarded). If Redis is away the reconciler and the claimer's version check
      // catch up.
      upsertSchedule(deps.redis, deps.keys, {
        scheduleId: s.scheduleId,
        workflowId: s.workflowId,
        version: s.version,
        nextRunAtMs: null,
        conflictProfile: '',
      }).catch((err) =>
        deps.logger.warn(
          { scheduleId: s.scheduleId, err: message(err) },
          'completed schedule not updated in Redis',
        ),
      )
    }
  }
}
