import { setTimeout as sleep } from 'node:timers/promises'
import {
  createSecretMasker,
  type ExecutionError,
  type PlaceholderContext,
  type PlaceholderStep,
  type RetryableStatus,
  type SecretMasker,
  type Step,
  type StepOutcome,
} from '@punctual/core'
import type { Dispatcher } from 'undici'
import {
  DEFINITION_FAILURE,
  httpStatusFailure,
  type StepFailure,
  sentRequestFailure,
  TRANSIENT_FAILURE,
  unsentRequestFailure,
} from './failure-class.ts'
import { buildRequest } from './http-request.ts'
import { type ReadBody, readBody } from './response-body.ts'
import { type AbortFrom, abortedStatus, abortMessage, signalOf, WorkflowTimeoutError } from './step-abort.ts'
import type { Loaded } from './step-secrets.ts'

/**
 * The step engine: runs one attempt of a workflow, step after step, and returns every step's outcome.
 * No Postgres, no Redis: the runner decides what an outcome means for the execution. HTTP goes through the
 * dispatcher it is given (the runner's outbound-checked Agent; tests may pass their own).
 *
 * - http: `{{…}}` placeholders resolved by core from `{ execution, input, steps }`; a JSON body; a 2xx is
 *   success, anything else, a timeout (`timeoutMs`, default 30000, covering headers and body) or a connection
 *   error fails the step with the error recorded. Redirects are not followed (a 3xx fails the step).
 * - Secrets and signing (step-secrets.ts, outbound-signing.ts, through `outbound`): a step's `{{secrets.NAME}}`
 *   are opened just before its request, checked against the resolved URL, and every resolved value is masked
 *   (`***`) in what the attempt records from then on (bodies, errors); every request is signed and carries
 *   X-Execution-Id.
 * - delay: waits `ms`, ended early by an abort.
 * - The workflow's `timeoutMs` bounds the whole attempt: a failure like a step timeout.
 * - An abort from outside (`signal`: cancel, lost lease, shutdown) cuts the in-flight request or delay and
 *   ends the attempt as `aborted` with the signal's reason; the runner decides what to report.
 */

export const DEFAULT_STEP_TIMEOUT_MS = 30_000
export { MAX_READ_BODY_BYTES } from './response-body.ts'

export interface RunWorkflowInput {
  steps: readonly Step[]
  execution: { id: string; scheduledFor: Date | string; attempt: number }
  /** The run's input (schedule input, event data, webhook body). */
  input: unknown
  dispatcher: Dispatcher
  /**
   * Aborts the attempt from outside; the result is then `aborted` carrying its reason. An AbortSignal, or a
   * holder whose signal is made only when a step needs one (a job's JobAbort: an attempt of 0 ms delays makes
   * none).
   */
  signal?: AbortFrom
  /** The workflow's timeoutMs: bounds the whole attempt. */
  timeoutMs?: number | null
  /** Wall clock for `startedAt` of step outcomes (ms). Default Date.now. */
  now?: () => number
  /** The tenant's secrets and signing keys (the runner's). Absent: no secret resolves, requests are unsigned. */
  outbound?: StepOutbound
  /**
   * A later attempt resuming: the steps before `from` succeeded in an earlier attempt and are not run again;
   * `steps` holds what their placeholders read (`steps.<name>.status`, `.body.*`).
   */
  resume?: { from: number; steps: Record<string, PlaceholderStep> }
  /**
   * Called after a step succeeded when another step follows, and awaited before that step starts: the
   * runner records the outcome there (written before the next step starts). A rejection ends the attempt
   * as `aborted` when the signal is aborted meanwhile (a lost lease), else as a failure.
   */
  onStepSucceeded?: (step: SucceededStep) => Promise<void>
}

/** A succeeded step, as handed to onStepSucceeded. */
export interface SucceededStep {
  index: number
  outcome: StepOutcome
  placeholder: PlaceholderStep
  /** An http step's response size in bytes (undefined for a delay). */
  bodyBytes: number | undefined
}

/** What http steps need of the execution's tenant. */
export interface StepOutbound {
  loadSecrets(names: readonly string[]): Promise<Map<string, Loaded>>
  /** The HMAC keys that sign requests now; none: unsigned. */
  signingKeys(): Promise<readonly Buffer[]>
}

/** What an http step needs beyond the step itself. */
interface HttpStepRun {
  dispatcher: Dispatcher
  outbound: StepOutbound | undefined
  masker: SecretMasker
}

export type RunWorkflowResult =
  | { status: 'succeeded'; steps: StepOutcome[]; error: null }
  | {
      status: 'failed'
      steps: StepOutcome[]
      error: ExecutionError
      /** The failed step's `Retry-After` (429 / 503), in ms. */
      retryAfterMs?: number
    }
  | { status: 'aborted'; steps: StepOutcome[]; error: ExecutionError; reason: unknown }

class StepTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`)
    this.name = 'StepTimeoutError'
  }
}

interface StepRun {
  outcome: StepOutcome
  placeholder: PlaceholderStep
  /** Set when the step failed (not when it was cancelled). */
  failure?: StepFailure
  /** An http step's response size (what a later attempt would have to keep for placeholders). */
  bodyBytes?: number
}

export async function runWorkflowSteps(input: RunWorkflowInput): Promise<RunWorkflowResult> {
  const now = input.now ?? Date.now
  const outcomes: StepOutcome[] = []
  const results: Record<string, PlaceholderStep> = { ...input.resume?.steps }
  let failure: StepFailure | undefined
  // Made at the first http step (an attempt of delays alone needs no masker).
  let http: HttpStepRun | undefined
  const httpRun = (): HttpStepRun => {
    http ??= { dispatcher: input.dispatcher, outbound: input.outbound, masker: createSecretMasker() }
    return http
  }
  const external = input.signal
  if (external?.aborted) {
    return {
      status: 'aborted',
      steps: outcomes,
      error: { message: abortMessage(external.reason) },
      reason: external.reason,
    }
  }

  // One signal for the attempt: aborted by the outside or by the workflow timeout. Without a timeout it is the
  // outside's own (no controller and listener per attempt: a burst starts thousands).
  const timeoutMs = input.timeoutMs ?? null
  const timed = timeoutMs !== null && timeoutMs > 0
  const attempt = timed || !external ? new AbortController() : null
  // What the steps check between them and on a cut; a real signal is taken from it only by a step that waits.
  const abort: AbortFrom = attempt ? attempt.signal : external!
  const onExternal = () => attempt?.abort(external!.reason)
  if (attempt && external) signalOf(external).addEventListener('abort', onExternal, { once: true })
  const timer = timed
    ? setTimeout(() => attempt!.abort(new WorkflowTimeoutError(timeoutMs)), timeoutMs)
    : undefined

  try {
    for (let index = input.resume?.from ?? 0; index < input.steps.length; index++) {
      const step = input.steps[index]!
      if (abort.aborted) break
      const context: PlaceholderContext = { execution: input.execution, input: input.input, steps: results }
      const run =
        step.type === 'http'
          ? await runHttpStep(step, context, httpRun(), signalOf(abort), now)
          : step.type === 'delay'
            ? await runDelayStep(step, input.execution.attempt, abort, now)
            : unknownStep(step, input.execution.attempt, now)
      outcomes.push(run.outcome)
      results[step.name] = run.placeholder
      failure = run.failure
      if (run.outcome.status !== 'succeeded') break
      if (input.onStepSucceeded && index + 1 < input.steps.length) {
        const { outcome, placeholder, bodyBytes } = run
        await input.onStepSucceeded({ index, outcome, placeholder, bodyBytes })
      }
    }
  } finally {
    clearTimeout(timer)
    if (attempt && external) signalOf(external).removeEventListener('abort', onExternal)
  }

  if (external?.aborted) {
    return {
      status: 'aborted',
      steps: outcomes,
      error: { message: abortMessage(external.reason) },
      reason: external.reason,
    }
  }
  return attemptResult(outcomes, failure, abort)
}

/** The attempt's result once its steps ran (none aborted from outside). */
function attemptResult(
  outcomes: StepOutcome[],
  failure: StepFailure | undefined,
  signal: AbortFrom,
): RunWorkflowResult {
  const failed = outcomes.find((o) => o.status !== 'succeeded')
  if (failed) {
    const f = failure ?? TRANSIENT_FAILURE
    return {
      status: 'failed',
      steps: outcomes,
      error: stepError(failed, f),
      ...(f.retryAfterMs !== undefined && { retryAfterMs: f.retryAfterMs }),
    }
  }
  if (signal.aborted) {
    // The workflow timeout fired between two steps.
    return {
      status: 'failed',
      steps: outcomes,
      error: { message: abortMessage(signal.reason), class: 'retryable' },
    }
  }
  return { status: 'succeeded', steps: outcomes, error: null }
}

/** The execution's error for a failed step: its name, and the HTTP status when the target answered. */
function stepError(failed: StepOutcome, failure: StepFailure): ExecutionError {
  return {
    message: `step ${failed.name}: ${failed.error}`,
    class: failure.class,
    step: failed.name,
    ...(failed.statusCode !== undefined && { status: failed.statusCode }),
  }
}

function unknownStep(step: { name: string; type: string }, attempt: number, now: () => number): StepRun {
  return {
    outcome: {
      name: step.name,
      type: step.type as StepOutcome['type'],
      status: 'failed',
      attempt,
      durationMs: 0,
      startedAt: new Date(now()).toISOString(),
      error: `unknown step type ${JSON.stringify(step.type)}`,
    },
    placeholder: { status: 'failed' },
    failure: DEFINITION_FAILURE,
  }
}

async function runDelayStep(
  step: Extract<Step, { type: 'delay' }>,
  attempt: number,
  signal: AbortFrom,
  now: () => number,
): Promise<StepRun> {
  const startedAt = new Date(now()).toISOString()
  const t0 = performance.now()
  const base = { name: step.name, type: 'delay' as const, attempt, startedAt }
  try {
    // A 0 ms delay (the no-op workflow) needs no timer.
    if (step.ms > 0) await sleep(step.ms, undefined, { signal: signalOf(signal) })
    return {
      outcome: { ...base, status: 'succeeded', durationMs: elapsed(t0) },
      placeholder: { status: 'succeeded' },
    }
  } catch {
    const status = abortedStatus(signal)
    return {
      outcome: { ...base, status, durationMs: elapsed(t0), error: abortMessage(signal.reason) },
      placeholder: { status },
      ...(status === 'failed' && { failure: TRANSIENT_FAILURE }),
    }
  }
}

function elapsed(t0: number): number {
  return Math.max(0, Math.round(performance.now() - t0))
}

async function runHttpStep(
  step: Extract<Step, { type: 'http' }>,
  context: PlaceholderContext,
  { dispatcher, outbound, masker }: HttpStepRun,
  parent: AbortSignal,
  now: () => number,
): Promise<StepRun> {
  const attempt = context.execution.attempt
  const timeoutMs = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS
  const startedAt = new Date(now()).toISOString()
  const t0 = performance.now()
  const base = { name: step.name, type: 'http' as const, attempt, startedAt }
  const stepTimeout = new AbortController()
  const timer = setTimeout(() => stepTimeout.abort(new StepTimeoutError(timeoutMs)), timeoutMs)
  const signal = AbortSignal.any([parent, stepTimeout.signal])
  // Until the request is sent, a failure is the definition's (permanent); after, the network's or the target's.
  let failure: StepFailure = DEFINITION_FAILURE
  try {
    const { url, headers, body } = await buildRequest(step, context, { outbound, masker }, now)
    failure = TRANSIENT_FAILURE
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: step.method as Dispatcher.HttpMethod,
      headers,
      body: body ?? null,
      signal,
      // Backstops only: the step timer above covers headers and body together and fires first.
      headersTimeout: timeoutMs + 1000,
      bodyTimeout: timeoutMs + 1000,
    })
    const read = await readBody(
      response.body,
      response.headers['content-type'],
      masker.active ? masker.mask : undefined,
    )
    return answeredStep(step, { ...base, durationMs: elapsed(t0) }, response, read, now())
  } catch (err) {
    let status: StepOutcome['status'] = 'failed'
    let error: string
    if (parent.aborted) {
      status = abortedStatus(parent)
      error = abortMessage(parent.reason)
    } else if (stepTimeout.signal.aborted) {
      error = (stepTimeout.signal.reason as Error).message
      failure = TRANSIENT_FAILURE
    } else {
      error = masker.mask(describeError(err))
      failure = failure === DEFINITION_FAILURE ? unsentRequestFailure(err) : sentRequestFailure(err)
    }
    return {
      outcome: { ...base, status, durationMs: elapsed(t0), error },
      placeholder: { status },
      ...(status === 'failed' && { failure }),
    }
  } finally {
    clearTimeout(timer)
  }
}

/** The run of an http step that got an answer: 2xx succeeded, else failed and classified. */
function answeredStep(
  step: Extract<Step, { type: 'http' }>,
  base: Pick<StepOutcome, 'name' | 'type' | 'attempt' | 'startedAt' | 'durationMs'>,
  response: { statusCode: number; headers: Record<string, string | string[] | undefined> },
  read: ReadBody,
  nowMs: number,
): StepRun {
  const ok = response.statusCode >= 200 && response.statusCode < 300
  const outcome: StepOutcome = {
    ...base,
    status: ok ? 'succeeded' : 'failed',
    statusCode: response.statusCode,
    body: read.text,
    ...(read.truncated ? { bodyTruncated: true } : {}),
    ...(ok ? {} : { error: `HTTP ${response.statusCode}` }),
  }
  return {
    outcome,
    placeholder: { status: outcome.status, statusCode: response.statusCode, body: read.value },
    bodyBytes: read.bytes,
    ...(!ok && {
      failure: httpStatusFailure(
        response.statusCode,
        step.retryableStatuses as RetryableStatus[] | undefined,
        response.headers['retry-after'],
        nowMs,
      ),
    }),
  }
}

function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(describeError))].join('; ')
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const cause = (err as { cause?: unknown }).cause
    const message = err.message || err.name
    const base = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
    return cause instanceof Error && !base.includes(cause.message)
      ? `${base} (${describeError(cause)})`
      : base
  }
  return String(err)
}
