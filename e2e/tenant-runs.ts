import { waitFor } from '@punctual/core/testing'
import { expect } from 'vitest'
import { apiCall, type Fleet, tenantToken } from './fleet.ts'

/**
 * Fair turns and concurrency caps (issue 13) seen from outside: tenants that create workflows and manual-only
 * schedules through the API and queue runs with POST /api/schedules/:id/trigger, and the runs as Postgres
 * records them (started_at, finished_at, worker_id), from which the order and overlap facts are read.
 */

export interface Tenant {
  name: string
  token: string
}

export function asTenant(fleet: Fleet, name: string): Tenant {
  return { name, token: tenantToken(fleet, name) }
}

/** A workflow of one delay step of `ms`, with `maxConcurrency` when given. */
export async function delayWorkflow(
  fleet: Fleet,
  t: Tenant,
  name: string,
  ms: number,
  maxConcurrency?: number,
): Promise<string> {
  const res = await apiCall<{ id: string }>(
    fleet,
    'POST',
    '/api/workflows',
    { name, steps: [{ name: 'wait', type: 'delay', ms }], ...(maxConcurrency && { maxConcurrency }) },
    t.token,
  )
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id
}

/** A schedule that never fires by itself in a test's lifetime (once a year): runs come from triggers. */
export async function manualSchedule(
  fleet: Fleet,
  t: Tenant,
  workflowId: string,
  name: string,
  priority = 5,
): Promise<string> {
  const res = await apiCall<{ id: string }>(
    fleet,
    'POST',
    '/api/schedules',
    { workflowId, name, cronExpression: '0 0 1 1 *', priority },
    t.token,
  )
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id
}

/** `n` manual runs of the schedule (202 each), `parallel` requests at a time. Returns their ids in order. */
export async function trigger(fleet: Fleet, t: Tenant, scheduleId: string, n = 1, parallel = 8) {
  const ids: string[] = []
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, () =>
        apiCall<{ executionId: string }>(fleet, 'POST', `/api/schedules/${scheduleId}/trigger`, {}, t.token),
      ),
    )
    for (const res of batch) {
      expect(res.status, JSON.stringify(res.body)).toBe(202)
      ids.push(res.body.executionId)
    }
  }
  return ids
}

/** One execution as Postgres records it; times in ms (null until set). */
export interface Run {
  id: string
  tenant: string
  workflowId: string
  status: string
  attempt: number
  workerId: string | null
  enqueuedAt: number
  startedAt: number | null
  finishedAt: number | null
}

/** The executions of these workflows, oldest enqueue first. */
export async function runsOf(fleet: Fleet, workflowIds: string[]): Promise<Run[]> {
  // Times as epoch ms (the workers write whole milliseconds).
  return fleet.database.sql<Run[]>`
    select id, tenant, workflow_id as "workflowId", status, attempt, worker_id as "workerId",
           (extract(epoch from enqueued_at) * 1000)::float8 as "enqueuedAt",
           (extract(epoch from started_at) * 1000)::float8 as "startedAt",
           (extract(epoch from finished_at) * 1000)::float8 as "finishedAt"
      from executions where workflow_id = any(${workflowIds}::uuid[]) order by enqueued_at, id`
}

/** Waits until every execution of these workflows succeeded (`count` of them), then returns them. */
export async function allSucceeded(fleet: Fleet, workflowIds: string[], count: number, timeoutMs = 30_000) {
  await waitFor(
    `${count} executions to succeed`,
    async () => {
      const [row] = await fleet.database.sql<{ n: number }[]>`
        select count(*)::int as n from executions
         where workflow_id = any(${workflowIds}::uuid[]) and status = 'succeeded'`
      return row!.n === count
    },
    { timeoutMs, intervalMs: 100 },
  )
  return runsOf(fleet, workflowIds)
}

/**
 * The most runs in progress at one moment, each run being [started_at, finished_at]: a run that ends at the
 * very millisecond another starts does not overlap it. Every run must have finished.
 */
export function maxOverlap(runs: readonly Run[]): number {
  const edges: [number, number][] = []
  for (const r of runs) {
    if (r.startedAt === null || r.finishedAt === null) throw new Error(`run ${r.id} has not finished`)
    edges.push([r.startedAt, 1], [r.finishedAt, -1])
  }
  // Ends before starts at the same millisecond.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let max = 0
  for (const [, d] of edges) {
    now += d
    max = Math.max(max, now)
  }
  return max
}

/** Whether some run of `a` was in progress while some run of `b` was. */
export function ranBeside(a: readonly Run[], b: readonly Run[]): boolean {
  return a.some((x) => b.some((y) => x.startedAt! < y.finishedAt! && y.startedAt! < x.finishedAt!))
}

/** GET /api/schedules/stats of the tenant: its queue depths. */
export async function queueDepths(fleet: Fleet, t: Tenant) {
  const res = await apiCall<{ queue: { ready: number | null; running: number | null } }>(
    fleet,
    'GET',
    '/api/schedules/stats',
    undefined,
    t.token,
  )
  expect(res.status).toBe(200)
  return res.body.queue
}
