import { toQueueError } from './errors.ts'
import type { QueueContext, WorkflowCapInput } from './execution-queue-api.ts'
import type { QueueKeys } from './keys.ts'
import type { Redis } from './redis.ts'
import { checkId, checkInt, unexpected } from './validate.ts'

/**
 * Workflow concurrency caps (a workflow's maxConcurrency) as the dequeue script reads them: HASH `wf-cap`
 * guarded by HASH `wf-cap-version`, written by the API inside the workflow's transaction (Redis down → the
 * transaction rolls back, 503) and repaired by the reconciler, as the due-index entry of a schedule is.
 */

export async function setWorkflowCap(
  q: QueueContext,
  input: WorkflowCapInput,
): Promise<{ applied: boolean; version: number }> {
  checkId('workflowId', input.workflowId)
  checkId('tenant', input.tenant)
  checkInt('version', input.version, 0)
  if (input.maxConcurrency !== null) checkInt('maxConcurrency', input.maxConcurrency, 1)
  const { keys } = q
  const reply = await q
    .scripts()
    .setWorkflowCap(
      [keys.workflowCaps, keys.workflowCapVersions, keys.turns],
      [
        input.workflowId,
        input.tenant,
        input.version,
        input.maxConcurrency ?? '',
        q.base,
        keys.readyChannel,
        input.force ? '1' : '',
      ],
    )
  if (!Array.isArray(reply) || reply.length !== 2) unexpected('set-workflow-cap', reply)
  return { applied: reply[0] === 1, version: Number(reply[1]) }
}

export async function removeWorkflowCap(redis: Redis, keys: QueueKeys, workflowId: string): Promise<void> {
  checkId('workflowId', workflowId)
  try {
    await redis.multi().hdel(keys.workflowCaps, workflowId).hdel(keys.workflowCapVersions, workflowId).exec()
  } catch (err) {
    throw toQueueError(err)
  }
}

/** Every cap Redis holds, with its version (the reconciler compares them with Postgres). */
export async function readWorkflowCaps(
  redis: Redis,
  keys: QueueKeys,
): Promise<Map<string, { maxConcurrency: number; version: number }>> {
  let caps: Record<string, string>
  let versions: Record<string, string>
  try {
    ;[caps, versions] = await Promise.all([
      redis.hgetall(keys.workflowCaps),
      redis.hgetall(keys.workflowCapVersions),
    ])
  } catch (err) {
    throw toQueueError(err)
  }
  const out = new Map<string, { maxConcurrency: number; version: number }>()
  for (const [id, max] of Object.entries(caps)) {
    out.set(id, { maxConcurrency: Number(max), version: Number(versions[id] ?? 0) })
  }
  return out
}
