import { attemptOutcome, type RetryPolicy } from '@punctual/core'
import {
  handBackExecutions,
  loadRecordedSteps,
  loadWorkflowDefinitions,
  type RecordedStep,
  type Sql,
} from '@punctual/db'
import type { Logger } from 'pino'
import type { Agent } from 'undici'
import { abortableSleep, backoffMs, errorMessage as message } from '../loop/index.ts'
import type { EndWriter } from './end-writer.ts'
import type { RunnerEventMap } from './events.ts'
import { CancelRequested, eventBase, type Job, type JobTable, Shutdown } from './job.ts'
import { createOutboundAgent, type OutboundPolicy } from './outbound-agent.ts'
import type { SigningCache } from './outbound-signing.ts'
import { resumePoint, stepRecord } from './step-records.ts'
import type { SecretCache } from './step-secrets.ts'
import type { StepWriter } from './step-writer.ts'
import { type RunWorkflowResult, runWorkflowSteps, type StepOutbound, type SucceededStep } from './steps.ts'
import { createWorkflowCache, type RunnableWorkflow } from './workflow-cache.ts'

/**
 * One execution's attempt, once its start committed: load its workflow (cached by version), run its steps,
 * and turn the attempt's outcome (core attemptOutcome: succeeded / retrying / dead; or cancelled) into an end
 * for the end writer. Nothing is reported for an execution whose lease was lost. An attempt aborted by stop
 * is kept for hand-back instead: handBackAborted() makes it `queued` again in Postgres (same attempt), then
 * releases its lease.
 */
export interface ExecutionRunDeps {
  sql: Sql
  workerId: string
  now: () => number
  /** A Postgres call bounded by the runner's dbTimeoutMs. */
  pgCall: <T>(p: Promise<T>) => Promise<T>
  logger: Logger
  outbound: OutboundPolicy
  table: JobTable
  ends: Pick<EndWriter, 'queueFinish'>
  /** Records each succeeded step before the next one starts. */
  steps: Pick<StepWriter, 'record'>
  releaseLeases: (jobs: Job[]) => Promise<void>
  emit: <K extends keyof RunnerEventMap>(name: K, ...args: RunnerEventMap[K]) => void
  /** Tenant secrets, opened and cached (step-secrets.ts). Absent: no secret resolves, nothing is signed. */
  secrets?: SecretCache
  /** Signing keys per tenant (outbound-signing.ts); null: requests go unsigned (OUTBOUND_SIGNING=false). */
  signing?: SigningCache | null
}

const UNSIGNED: readonly Buffer[] = []

export class ExecutionRun {
  private readonly workflows: ReturnType<typeof createWorkflowCache>
  private agent: Agent | undefined
  /** Started executions aborted by stop(): handed back to the queue. */
  private readonly handBack: Job[] = []

  constructor(private readonly deps: ExecutionRunDeps) {
    this.workflows = createWorkflowCache((ids) => deps.pgCall(loadWorkflowDefinitions(deps.sql, ids)))
    // Created here so a malformed OUTBOUND_ALLOWLIST fails at boot (ConfigError), not at the first http step.
    this.agent = createOutboundAgent(deps.outbound)
  }

  /** A started execution's attempt, to its end (nothing for one whose lease was lost). */
  async run(job: Job): Promise<void> {
    const row = job.row!
    // Its signal is made only if a step needs one (runWorkflowSteps takes the holder).
    const abort = job.controller
    let result: RunWorkflowResult
    // Outcomes the step writer already put in the history: the end appends only the rest.
    let recorded = 0
    try {
      const workflow = await this.retryRead(job, () =>
        this.workflows.get(row.workflowId, row.workflowVersion),
      )
      if (workflow === 'aborted') {
        result = { status: 'aborted', steps: [], error: { message: 'aborted' }, reason: abort.reason }
      } else if (workflow === null) {
        // Deleted since (with every version): no later attempt could run it either.
        result = {
          status: 'failed',
          steps: [],
          error: { message: `workflow ${row.workflowId} not found`, class: 'permanent' },
        }
      } else {
        if (!this.agent) throw new Error('runner stopped')
        const dispatcher = this.agent
        const resume = await this.resumeOf(job, workflow)
        if (resume === 'aborted') throw abort.reason
        result = await runWorkflowSteps({
          steps: workflow.steps,
          execution: { id: row.id, scheduledFor: new Date(row.scheduledForMs), attempt: row.attempt },
          input: row.input,
          dispatcher,
          signal: abort,
          timeoutMs: workflow.timeoutMs,
          now: this.deps.now,
          ...(resume && { resume }),
          onStepSucceeded: async (step) => {
            await this.recordStep(job, workflow, step)
            recorded++
          },
          ...(this.deps.secrets && { outbound: this.tenantOutbound(this.deps.secrets, row.tenant) }),
        })
      }
    } catch (err) {
      // A definition the engine cannot run (bad stored steps) is the attempt's failure, never a stuck slot.
      this.deps.logger.error({ err, executionId: job.id }, 'step engine failed')
      result = abort.aborted
        ? { status: 'aborted', steps: [], error: { message: 'aborted' }, reason: abort.reason }
        : {
            status: 'failed',
            steps: [],
            error: { message: `internal error: ${message(err)}`, class: 'retryable' },
          }
    }
    if (job.lost) return // nothing is reported for an execution whose lease was lost
    this.deps.table.setPhase(job, 'finishing')
    this.end(job, { ...result, steps: result.steps.slice(recorded) })
  }

  /** The execution's tenant's secrets and signing keys, for its http steps. */
  private tenantOutbound(secrets: SecretCache, tenant: string): StepOutbound {
    const signing = this.deps.signing
    return {
      loadSecrets: (names) => secrets.get(tenant, names),
      signingKeys: () => (signing ? signing.keysFor(tenant) : Promise.resolve(UNSIGNED)),
    }
  }

  /** Hand back what stop aborted: Postgres first (queued again, same attempt), then the Redis lease. */
  async handBackAborted(): Promise<void> {
    const back = this.handBack.splice(0).filter((j) => !j.lost)
    if (back.length === 0) return
    try {
      await this.deps.pgCall(
        handBackExecutions(this.deps.sql, {
          workerId: this.deps.workerId,
          items: back.map((j) => ({ id: j.id, attempt: j.row!.attempt })),
        }),
      )
    } catch (err) {
      this.deps.logger.warn(
        { err: message(err) },
        'hand-back not written to Postgres; the next start counts an attempt',
      )
    }
    await this.deps.releaseLeases(back)
  }

  /** No more http steps (the outbound agent is closed). */
  async close(): Promise<void> {
    await this.agent?.destroy().catch(() => {})
    this.agent = undefined
  }

  /** The attempt's outcome, as an end for the end writer (or kept for hand-back when stop aborted it). */
  private end(job: Job, result: RunWorkflowResult): void {
    const { workerId, emit, ends } = this.deps
    const row = job.row!
    const { reason } = job.controller
    const endedAtMs = this.deps.now()
    const durationMs = result.steps.reduce((sum, s) => sum + s.durationMs, 0)

    if (result.status === 'aborted') {
      if (reason instanceof Shutdown) {
        this.handBack.push(job)
        return
      }
      if (!(reason instanceof CancelRequested)) return
      ends.queueFinish(job, 'cancelled', endedAtMs, null, result.steps, null, { op: 'ack' }, () =>
        emit('execution.cancelled', {
          ...eventBase(job, workerId),
          attempt: row.attempt,
          finishedAtMs: endedAtMs,
        }),
      )
      return
    }
    const outcome = attemptOutcome({
      error: result.status === 'succeeded' ? null : result.error,
      attempt: row.attempt,
      retryPolicy: row.retryPolicy as Partial<RetryPolicy> | null,
      nowMs: endedAtMs,
      random: Math.random,
      retryAfterMs: result.status === 'failed' ? result.retryAfterMs : undefined,
    })
    const attempt = row.attempt
    if (outcome.status === 'succeeded') {
      ends.queueFinish(job, 'succeeded', endedAtMs, null, result.steps, null, { op: 'ack' }, () =>
        emit('execution.succeeded', {
          ...eventBase(job, workerId),
          attempt,
          finishedAtMs: endedAtMs,
          durationMs,
        }),
      )
    } else if (outcome.status === 'retrying') {
      const { error, availableAtMs, nextAttempt, delayMs } = outcome
      const redis = { op: 'retry', availableAtMs, nextAttempt } as const
      ends.queueFinish(job, 'retrying', null, error, result.steps, availableAtMs, redis, () =>
        emit('execution.retrying', {
          ...eventBase(job, workerId),
          attempt,
          error,
          nextAttempt,
          delayMs,
          availableAtMs,
        }),
      )
    } else {
      const { error } = outcome
      ends.queueFinish(job, 'dead', endedAtMs, error, result.steps, null, { op: 'ack' }, () =>
        emit('execution.dead', { ...eventBase(job, workerId), attempt, error, finishedAtMs: endedAtMs }),
      )
    }
  }

  /**
   * Where this attempt starts: a later attempt of a `failed_step` workflow resumes after the steps an earlier
   * one recorded as succeeded (undefined: at the first step, nothing to read for a first attempt).
   */
  private async resumeOf(job: Job, workflow: RunnableWorkflow) {
    const row = job.row!
    if (row.attempt <= 1 || workflow.retryFrom === 'start') return undefined
    const recorded = await this.retryRead<RecordedStep[]>(job, () =>
      this.deps.pgCall(loadRecordedSteps(this.deps.sql, row.id)),
    )
    if (recorded === 'aborted') return 'aborted' as const
    return recorded.length === 0 ? undefined : resumePoint(workflow.steps, recorded)
  }

  /** A succeeded step recorded before the next one starts; cut short by an abort (the attempt ends). */
  private async recordStep(job: Job, workflow: RunnableWorkflow, step: SucceededStep): Promise<void> {
    const name = workflow.steps[step.index]!.name
    const write = this.deps.steps.record(job, stepRecord(job.id, job.row!.attempt, name, step))
    if (job.controller.aborted) throw job.controller.reason
    const signal = job.controller.signal
    let onAbort: (() => void) | undefined
    try {
      await Promise.race([
        write,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason)
          signal.addEventListener('abort', onAbort, { once: true })
        }),
      ])
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort)
      write.catch(() => {}) // settled later when the abort won: nothing more to do with it
    }
  }

  /** A read retried while Postgres is away (not the execution's fault); 'aborted' if cut meanwhile. */
  private async retryRead<T>(job: Job, read: () => Promise<T>): Promise<T | 'aborted'> {
    for (let failures = 0; ; ) {
      if (job.controller.aborted) return 'aborted' as const
      try {
        return await read()
      } catch (err) {
        failures++
        const delay = backoffMs(failures)
        if (failures === 1)
          this.deps.logger.warn({ executionId: job.id, err: message(err) }, 'execution data not readable yet')
        await abortableSleep(delay, job.controller.signal)
      }
    }
  }
}
