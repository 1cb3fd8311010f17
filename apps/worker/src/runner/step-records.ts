import { findJsonHygieneIssue, type PlaceholderStep, type Step, type StepOutcome } from '@punctual/core'
import type { RecordedStep, StepRecord } from '@punctual/db'
import type { SucceededStep } from './steps.ts'

/**
 * Resuming (http-api.md, Workflows): what a succeeded step leaves for a later attempt, and where that attempt
 * starts. A step's response body is kept for placeholders up to RESUME_BODY_LIMIT_BYTES; a larger one makes a
 * later attempt start over at the first step.
 */
export const RESUME_BODY_LIMIT_BYTES = 256 * 1024

/** The record of a succeeded step (its outcome for the history, its result to resume from). */
export function stepRecord(
  executionId: string,
  attempt: number,
  stepName: string,
  s: SucceededStep,
): StepRecord {
  const bodyFits = s.bodyBytes === undefined || s.bodyBytes <= RESUME_BODY_LIMIT_BYTES
  // jsonb takes no NUL character and no unpaired surrogate: such a body cannot be kept (a later attempt
  // starts over), and the history shows the outcome without its body text.
  const bodyClean =
    s.placeholder.body === undefined || findJsonHygieneIssue(s.placeholder.body, 1000) === undefined
  const outcome: StepOutcome =
    s.outcome.body !== undefined && findJsonHygieneIssue(s.outcome.body, 1000) !== undefined
      ? { ...s.outcome, body: undefined, bodyTruncated: true }
      : s.outcome
  const kept = bodyFits && bodyClean
  return {
    executionId,
    attempt,
    stepIndex: s.index,
    stepName,
    outcome,
    statusCode: s.placeholder.statusCode ?? null,
    bodyJson: kept && s.placeholder.body !== undefined ? JSON.stringify(s.placeholder.body) : null,
    bodyKept: kept,
  }
}

/**
 * Where a later attempt starts: after the leading steps with a recorded success (same position, same name in
 * the version the execution runs), with their results for placeholders; at the first step when one of them
 * could not keep its body.
 */
export function resumePoint(
  steps: readonly Step[],
  recorded: readonly RecordedStep[],
): { from: number; steps: Record<string, PlaceholderStep> } {
  const results: Record<string, PlaceholderStep> = {}
  let from = 0
  for (const r of recorded) {
    if (r.stepIndex !== from || steps[from]?.name !== r.stepName) break
    if (!r.bodyKept) return { from: 0, steps: {} }
    results[r.stepName] = {
      status: 'succeeded',
      ...(r.statusCode !== null && { statusCode: r.statusCode }),
      ...(r.body !== null && { body: r.body }),
    }
    from++
  }
  return { from, steps: results }
}
