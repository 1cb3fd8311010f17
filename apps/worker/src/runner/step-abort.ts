import type { StepOutcome } from '@punctual/core'

/**
 * How an attempt's steps are cut (steps.ts): by an abort from outside (cancel, lost lease, shutdown) or by the
 * workflow timeout, and what the cut step and the attempt then report.
 */

/** An abort from outside: a signal, or a holder of its state that makes the signal on demand (JobAbort). */
export type AbortFrom =
  | AbortSignal
  | { readonly aborted: boolean; readonly reason: unknown; readonly signal: AbortSignal }

/** The AbortSignal of `from` (made now when it is a holder). */
export function signalOf(from: AbortFrom): AbortSignal {
  return from instanceof AbortSignal ? from : from.signal
}

export class WorkflowTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`workflow timed out after ${timeoutMs} ms`)
    this.name = 'WorkflowTimeoutError'
  }
}

export function abortMessage(reason: unknown): string {
  if (reason instanceof WorkflowTimeoutError) return reason.message
  if (reason instanceof Error) return `aborted: ${reason.message}`
  return `aborted${reason === undefined ? '' : `: ${String(reason)}`}`
}

/** A step cut by the attempt's signal: `failed` on the workflow timeout, `cancelled` on an outside abort. */
export function abortedStatus(signal: AbortFrom): StepOutcome['status'] {
  return signal.reason instanceof WorkflowTimeoutError ? 'failed' : 'cancelled'
}
