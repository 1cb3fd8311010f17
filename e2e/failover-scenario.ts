/**
 * What the Redis Cluster and Sentinel end-to-end tests check on their topology (issue 19):
 * - endToEnd: a schedule made through the API fires, its http step reaches a local target, and the execution
 *   is recorded as succeeded;
 * - acrossFailover: while schedules are created (and some paused) through the API, the Redis primary holding
 *   the deployment's keys is killed. No write the API acknowledged is lost: every schedule created with a 201
 *   fires (its http step reaching the target) within 30 s of the kill, and no schedule whose pause was
 *   acknowledged fires after that acknowledgement.
 */
import { sleep, waitFor } from '@punctual/core/testing'
import { expect } from 'vitest'
import { call, type TopologyFleet } from './topology-fleet.ts'

export const EVERY_2S = '*/2 * * * * *'

export async function httpWorkflow(fleet: TopologyFleet, name: string): Promise<string> {
  const res = await call<{ id: string }>(fleet, 'POST', '/api/workflows', {
    name,
    steps: [{ name: 'call', type: 'http', method: 'GET', url: `${fleet.targetUrl}/hit/{{execution.id}}` }],
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id
}

type FireRow = { id: string; schedule_id: string; sf: number; status: string }

export async function fires(fleet: TopologyFleet, after = 0): Promise<FireRow[]> {
  return fleet.database.sql<FireRow[]>`
    select id, schedule_id, (extract(epoch from scheduled_for) * 1000)::float8 as sf, status
      from executions where kind = 'fire' and scheduled_for > to_timestamp(${after / 1000})
     order by scheduled_for`
}

export async function endToEnd(fleet: TopologyFleet): Promise<void> {
  const wf = await httpWorkflow(fleet, 'e2e-flow')
  const created = await call<{ id: string }>(fleet, 'POST', '/api/schedules', {
    workflowId: wf,
    name: 'every-2s',
    cronExpression: EVERY_2S,
  })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const id = created.body.id
  let done: FireRow | undefined
  await waitFor(
    'a fire of the schedule to succeed',
    async () => {
      done = (await fires(fleet)).find((r) => r.schedule_id === id && r.status === 'succeeded')
      return done !== undefined
    },
    { timeoutMs: 20_000 },
  )
  // The http step reached the target with this execution's id; the API reports the execution as recorded.
  expect(fleet.hits.get(`/hit/${done!.id}`)).toBeGreaterThanOrEqual(1)
  const got = await call<{ status: string; scheduleId: string }>(fleet, 'GET', `/api/executions/${done!.id}`)
  expect(got.status).toBe(200)
  expect(got.body).toMatchObject({ status: 'succeeded', scheduleId: id })
  expect((await call(fleet, 'DELETE', `/api/schedules/${id}`)).status).toBe(204)
}

export interface FailoverOutcome {
  killAt: number
  created: number
  paused: number
}

/**
 * Creates schedules for ~3 s, pauses a few, kills the primary (`kill`), keeps creating for ~6 s, then checks.
 * The workers must have been started with a long WORKER_RECONCILE_INTERVAL_MS: only the reconcile the
 * failover itself triggers may repair what the new primary lacks.
 */
export async function acrossFailover(
  fleet: TopologyFleet,
  kill: () => Promise<void>,
): Promise<FailoverOutcome> {
  const wf = await httpWorkflow(fleet, 'failover')
  const acked = new Map<string, number>() // scheduleId → when the 201 came
  const pausedAt = new Map<string, number>()
  let writing = true
  let n = 0
  const writer = (async () => {
    while (writing) {
      const res = await call<{ id: string }>(fleet, 'POST', '/api/schedules', {
        workflowId: wf,
        name: `s-${n++}`,
        cronExpression: EVERY_2S,
      }).catch(() => ({ status: 0, body: { id: '' } }))
      if (res.status === 201) acked.set(res.body.id, Date.now())
      else expect([0, 500, 503], JSON.stringify(res.body)).toContain(res.status)
      await sleep(50)
    }
  })()
  await sleep(3000)
  // Pauses acknowledged just before the kill: the new primary may not have them; they must hold anyway.
  for (const id of [...acked.keys()].slice(0, 3)) {
    const res = await call(fleet, 'POST', `/api/schedules/${id}/pause`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    pausedAt.set(id, Date.now())
  }
  const killAt = Date.now()
  await kill()
  await sleep(6000)
  writing = false
  await writer
  const live = [...acked.keys()].filter((id) => !pausedAt.has(id))
  expect(live.length).toBeGreaterThan(10)
  // Every acknowledged, unpaused schedule fires after the kill (after its creation for the late ones), and its
  // http step reaches the target, within 30 s of the kill.
  const firedAfter = async () => {
    const rows = (await fires(fleet, killAt)).filter((r) => r.status === 'succeeded')
    const byId = new Map<string, FireRow>()
    for (const r of rows) {
      if (r.sf > Math.max(killAt, acked.get(r.schedule_id) ?? 0) && !byId.has(r.schedule_id))
        byId.set(r.schedule_id, r)
    }
    return byId
  }
  const remaining = killAt + 30_000 - Date.now()
  let missing: string[] = []
  try {
    await waitFor(
      'every acknowledged schedule to fire after the kill',
      async () => {
        const got = await firedAfter()
        missing = live.filter((id) => !got.has(id))
        return missing.length === 0
      },
      { timeoutMs: Math.max(remaining, 1000), intervalMs: 250 },
    )
  } catch {
    // What the workers said about Redis and reconciling, to tell a missed signal from a failed repair.
    const said = fleet.workers.flatMap((w) =>
      w.logs
        .filter((l) => /reconcil|redis|failover/i.test(String(l.msg)))
        .map((l) => `${w.id} ${JSON.stringify(l)}`),
    )
    console.error(
      `kill at ${new Date(killAt).toISOString()}; missing ${missing.join(',')}\n${said.join('\n')}`,
    )
    expect(
      missing,
      `schedules acknowledged but not firing within 30 s of the kill (of ${live.length})`,
    ).toEqual([])
  }
  const got = await firedAfter()
  for (const id of live) expect(fleet.hits.get(`/hit/${got.get(id)!.id}`)).toBeGreaterThanOrEqual(1)
  // A pause acknowledged before the kill holds: nothing of those schedules is due after the pause.
  const afterPause = (await fires(fleet)).filter(
    (r) => pausedAt.has(r.schedule_id) && r.sf > pausedAt.get(r.schedule_id)!,
  )
  expect(afterPause).toEqual([])
  // No fire recorded twice.
  const dup = await fleet.database.sql`
    select schedule_id, scheduled_for from executions where kind = 'fire' group by 1, 2 having count(*) > 1`
  expect(dup).toEqual([])
  // The workers noticed the failover and reconciled from Postgres at once.
  const noticed = fleet.workers.filter((w) =>
    w.logs.some((l) => l.msg === 'redis failover or reconnect: reconciling from Postgres now'),
  )
  expect(noticed.length).toBeGreaterThan(0)
  return { killAt, created: acked.size, paused: pausedAt.size }
}
