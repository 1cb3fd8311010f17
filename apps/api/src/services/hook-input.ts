import {
  AppError,
  type CompiledInputTemplate,
  compileInputTemplate,
  eventTypeMatches,
  fieldPath,
  type JsonHygieneReason,
  matchesPattern,
} from '@punctual/core'
import type { HookTriggerRow } from '@punctual/db'
import { matchOrRefuse } from './match-cost.ts'

/**
 * What a verified webhook delivery starts (issue 22): the trigger's eventType against the delivery's event
 * name, then its filter, then the input: the body itself, or the trigger's inputTemplate resolved once (core
 * input-template.ts). Split from hooks.ts, which verifies and writes.
 */

export type OnBodyRejected = (reason: JsonHygieneReason | 'too-costly' | 'input-too-large') => void

/** A delivery whose signature passed, its body parsed. */
export interface VerifiedDelivery {
  headers: Readonly<Record<string, string | string[] | undefined>>
  deliveryId: string
  body: Record<string, unknown>
}

const MAX_COMPILED = 10_000

/**
 * The trigger's template, compiled once per trigger version (kept apart from the trigger cache, so that a
 * re-read, or a cacheTtlMs of 0, does not compile it again).
 */
export function compiledTemplate(
  templates: Map<string, CompiledInputTemplate>,
  row: HookTriggerRow,
  template: Record<string, unknown>,
) {
  const key = `${row.id}:${row.version}`
  let compiled = templates.get(key)
  if (!compiled) {
    compiled = compileInputTemplate(template, 'webhook')
    if (templates.size >= MAX_COMPILED) templates.delete(templates.keys().next().value!)
    templates.set(key, compiled)
  }
  return compiled
}

/** The delivery's event name: GitHub's X-GitHub-Event header, or the standard body's top-level string `type`. */
function eventName(row: HookTriggerRow, d: VerifiedDelivery): string | null {
  if (row.scheme === 'github') {
    const h = d.headers['x-github-event']
    return typeof h === 'string' ? h : null
  }
  return typeof d.body.type === 'string' ? d.body.type : null
}

/**
 * The input of the execution this delivery starts, or undefined when its event name is not selected by the
 * trigger's eventType or its body does not match the filter. Without a template the input is the body itself:
 * nothing is copied, no header read.
 */
export function startInput(
  row: HookTriggerRow,
  template: CompiledInputTemplate | undefined,
  d: VerifiedDelivery,
  onRejected: OnBodyRejected | undefined,
): Record<string, unknown> | undefined {
  const { body, deliveryId } = d
  const event = row.eventType !== null || template?.usesEvent ? eventName(row, d) : null
  if (row.eventType !== null && !eventTypeMatches(row.eventType, event)) return undefined
  if (!matchFilter(row, body, onRejected)) return undefined
  if (!template) return body
  const resolved = template.resolve({ body, headers: d.headers, event, deliveryId })
  if (resolved.ok) return resolved.input
  onRejected?.('input-too-large')
  const path = fieldPath('inputTemplate', resolved.path)
  throw new AppError('SCHED_ERR_INPUT_TOO_LARGE', `${path} ${resolved.message}; nothing started`, [
    { path, message: resolved.message },
  ])
}

/** Whether the body matches the trigger's filter; 422 (counted as a body refusal) when too costly to tell. */
function matchFilter(row: HookTriggerRow, input: unknown, onRejected: OnBodyRejected | undefined) {
  const { filter } = row
  if (filter === null) return true
  return matchOrRefuse(
    "the trigger's filter",
    () => matchesPattern(filter, input),
    () => onRejected?.('too-costly'),
  )
}
