import { setTimeout as sleep } from 'node:timers/promises'
import { recordStepOutcomes, type Sql, type StepRecord } from '@punctual/db'
import type { Backoff } from '../loop/index.ts'
import { type Job, type JobTable, LeaseLost } from './job.ts'

/**
 * The step writer: a step's success is recorded (outcome in the execution's history, result for a later
 * attempt to resume from) before the next step of that execution starts, group-committed across
 * executions: while one statement is in flight, every step that succeeds meanwhile waits for the next, so
 * under load a statement carries many executions' steps and dispatch does not pay one round trip per step.
 * A record resolves once Postgres holds it; one whose row is no longer ours (lease taken over) rejects and
 * the job is dropped as lost. Postgres away: the statement is retried after the shared write backoff while
 * the lease keeper renews the leases (the execution waits, its next step does not start unrecorded).
 */

interface Pending {
  job: Job
  record: StepRecord
  resolve: () => void
  reject: (err: Error) => void
}

export interface StepWriterDeps {
  sql: Sql
  workerId: string
  /** A Postgres call bounded by the runner's dbTimeoutMs. */
  pgCall: <T>(p: Promise<T>) => Promise<T>
  /** The end writer's backoff: both are the runner's Postgres writes. */
  pgWrite: Backoff
  table: JobTable
  /** Most records per statement. */
  maxRows: number
}

export class StepWriter {
  private readonly pending: Pending[] = []
  private flushing: Promise<void> | undefined
  private closed = false

  constructor(private readonly deps: StepWriterDeps) {}

  /** Resolves once the step is recorded; rejects when the execution is no longer ours (or at close). */
  record(job: Job, record: StepRecord): Promise<void> {
    if (this.closed) return Promise.reject(new LeaseLost('runner stopped'))
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ job, record, resolve, reject })
      // Steps that succeed in the same turn of the event loop share the statement.
      this.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flush())
    })
  }

  /** Stop: whatever is not recorded yet is given up (its attempt was aborted; it runs again elsewhere). */
  close(): void {
    this.closed = true
    for (const p of this.pending.splice(0)) p.reject(new LeaseLost('runner stopped'))
  }

  private async flush(): Promise<void> {
    const { deps } = this
    try {
      while (this.pending.length > 0 && !this.closed) {
        const wait = deps.pgWrite.wait()
        if (wait > 0) await sleep(wait)
        const batch = this.pending.splice(0, deps.maxRows).filter((p) => {
          if (!p.job.lost) return true
          p.reject(new LeaseLost('lease lost'))
          return false
        })
        if (batch.length === 0) continue
        let written: Set<string>
        try {
          written = await deps.pgCall(
            recordStepOutcomes(deps.sql, { workerId: deps.workerId, records: batch.map((p) => p.record) }),
          )
          deps.pgWrite.ok()
        } catch (err) {
          deps.pgWrite.fail(err)
          this.pending.unshift(...batch)
          continue
        }
        for (const p of batch) {
          if (written.has(p.record.executionId)) {
            p.resolve()
          } else {
            deps.table.dropLost(p.job, 'not-owner')
            p.reject(new LeaseLost('not-owner'))
          }
        }
      }
    } finally {
      this.flushing = undefined
      if (this.pending.length > 0 && !this.closed) {
        this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flush())
      }
    }
  }
}
