import { cappedWorkflows, type DbHandle, type WorkflowCapRow, workflowCapsOf } from '@punctual/db'
import { createExecutionQueue, type QueueKeys, type Redis, readWorkflowCaps } from '@punctual/queue'

/**
 * 3. Workflow concurrency caps (wf-cap in Redis) from the workflows' maxConcurrency: a cap Redis lost (a
 *    FLUSHDB, a new Redis) is written back at the row's version; one Redis holds for a workflow that has no
 *    cap or no row any more (a delete whose Redis write failed after COMMIT, a rolled-back update) is taken
 *    out after a second look, as the orphaned due entries are: a write between an API transaction's Redis
 *    call and its COMMIT looks the same for a moment.
 */
export async function syncWorkflowCaps(
  deps: { db: DbHandle; redis: Redis; keys: QueueKeys },
  settleMs = 1000,
): Promise<{ capsFixed: number; capsRemoved: number }> {
  const queue = createExecutionQueue(deps.redis, deps.keys)
  const [rows, held] = await Promise.all([
    cappedWorkflows(deps.db.sql),
    readWorkflowCaps(deps.redis, deps.keys),
  ])
  let capsFixed = 0
  let capsRemoved = 0
  const doubtful: string[] = []
  for (const row of rows) {
    const inRedis = held.get(row.id)
    held.delete(row.id)
    if (inRedis?.maxConcurrency === row.max_concurrency) continue
    const { applied } = await queue.setWorkflowCap(capInput(row, false))
    if (applied) capsFixed++
    else doubtful.push(row.id)
  }
  // Left in `held`: caps of workflows Postgres says have none.
  doubtful.push(...held.keys())
  if (doubtful.length === 0) return { capsFixed, capsRemoved }
  await new Promise((r) => setTimeout(r, settleMs))
  // An id that is not a UUID names no workflow (a hand edit): it is dropped like a deleted one's.
  const uuids = doubtful.filter((id) => UUID.test(id))
  const now = new Map((await workflowCapsOf(deps.db.sql, uuids)).map((r) => [r.id, r]))
  const redisNow = await readWorkflowCaps(deps.redis, deps.keys)
  for (const id of doubtful) {
    const row = now.get(id)
    const inRedis = redisNow.get(id)
    if (!row) {
      if (inRedis) {
        await queue.removeWorkflowCap(id)
        capsRemoved++
      }
    } else if ((inRedis?.maxConcurrency ?? null) !== row.max_concurrency) {
      // Still different a second later: Redis holds a write Postgres never committed.
      await queue.setWorkflowCap(capInput(row, true))
      capsFixed++
    }
  }
  return { capsFixed, capsRemoved }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function capInput(row: WorkflowCapRow, force: boolean) {
  return {
    workflowId: row.id,
    tenant: row.tenant,
    version: row.version,
    maxConcurrency: row.max_concurrency,
    force,
  }
}
