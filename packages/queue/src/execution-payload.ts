import type { ExecutionKind } from '@punctual/core'
import { QueueError, ScriptCodes } from './errors.ts'
import {
  type AckResult,
  type EnqueueItem,
  type LeaseRef,
  MAX_META_CHARS,
  MAX_PRIORITY,
  PRIORITY_STEP_MS,
  type QueuedExecution,
} from './execution-queue-api.ts'
import { checkId, checkInt, invalid, unexpected } from './validate.ts'

/** The queue scripts' arguments and replies: an execution's payload, lease references, lease outcomes. */

// Must match PAYLOAD_FIELDS in scripts/includes/execution.lua.
export const PAYLOAD_FIELDS = 12

export function parsePayload(id: string, f: unknown[]): QueuedExecution {
  if (f.length !== PAYLOAD_FIELDS || f[0] === null) unexpected('execution payload', f)
  const [priority, scheduledForMs, attempt, tenant, workflowId, kind, scheduleId, meta, enqueuedAtMs, claim] =
    f as string[]
  return {
    id,
    priority: Number(priority),
    scheduledForMs: Number(scheduledForMs),
    attempt: Number(attempt),
    tenant: tenant!,
    workflowId: workflowId!,
    kind: kind as ExecutionKind,
    scheduleId: scheduleId ? scheduleId : null,
    meta: meta ? (JSON.parse(meta) as Record<string, unknown>) : null,
    enqueuedAtMs: Number(enqueuedAtMs),
    claim: Number(claim),
    reclaims: Number(f[10] ?? 0),
    owner: (f[11] as string | null) ?? null,
  }
}

export function enqueueArgs(item: EnqueueItem): (string | number)[] {
  checkId('id', item.id)
  checkInt('priority', item.priority, 0, MAX_PRIORITY)
  checkInt('scheduledForMs', item.scheduledForMs, 0, PRIORITY_STEP_MS - 1)
  if (item.availableAtMs !== undefined) checkInt('availableAtMs', item.availableAtMs, 0)
  checkInt('attempt', item.attempt, 0)
  checkId('tenant', item.tenant)
  checkId('workflowId', item.workflowId)
  checkId('kind', item.kind)
  if (item.scheduleId !== undefined && item.scheduleId !== null) checkId('scheduleId', item.scheduleId)
  let meta = ''
  if (item.meta !== undefined) {
    meta = JSON.stringify(item.meta)
    if (meta.length > MAX_META_CHARS) invalid(`meta of ${item.id} is over ${MAX_META_CHARS} characters`)
  }
  return [
    item.id,
    item.priority,
    item.scheduledForMs,
    item.availableAtMs ?? '',
    item.attempt,
    item.tenant,
    item.workflowId,
    item.kind,
    item.scheduleId ?? '',
    meta,
  ]
}

export function claimArg(claim: number): string {
  checkInt('claim', claim, 1)
  return String(claim)
}

export function leaseRefs(ids: readonly LeaseRef[]): [string, string][] {
  return ids.map((ref) => {
    if (typeof ref === 'string') {
      checkId('id', ref)
      return [ref, '']
    }
    checkId('id', ref.id)
    return [ref.id, claimArg(ref.claim)]
  })
}

export function leaseResult(script: string, code: unknown): AckResult {
  switch (code) {
    case ScriptCodes.OK:
      return { ok: true }
    case ScriptCodes.LEASE_LOST:
      return { ok: false, reason: 'lease-lost' }
    case ScriptCodes.NOT_FOUND:
      return { ok: false, reason: 'not-found' }
    default:
      throw new QueueError('QUEUE_ERR_UNEXPECTED_REPLY', `${script} answered ${JSON.stringify(code)}`)
  }
}
