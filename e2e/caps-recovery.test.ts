import { waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall, createFleet, type Fleet } from './fleet.ts'
import { startTarget, type Target } from './stop-helpers.ts'
import {
  allSucceeded,
  asTenant,
  delayWorkflow,
  manualSchedule,
  maxOverlap,
  queueDepths,
  runsOf,
  type Tenant,
  trigger,
} from './tenant-runs.ts'

// Concurrency caps (issue 13) through failures, with real worker processes: a killed worker's slots come
// back with its leases, and the reconciler rebuilds the tenants' queues and the caps after a FLUSHDB.
let fleet: Fleet
let target: Target
const workers: WorkerProcess[] = []

beforeAll(async () => {
  fleet = await createFleet()
  target = await startTarget()
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  await target?.close()
  await fleet?.close()
})

function start(env: Record<string, string>) {
  const w = startWorkerProcess({ ...fleet.env, ...env })
  workers.push(w)
  return w
}

/** Executions of the tenant queued or running in Postgres. */
async function unfinished(t: Tenant) {
  const [row] = await fleet.database.sql<{ n: number }[]>`
    select count(*)::int as n from executions where tenant = ${t.name} and status in ('queued', 'running')`
  return row!.n
}

describe('caps through failures', () => {
  it('kill -9 of a worker holding slots: they come back after the lease and the other worker runs the rest', async () => {
    const env = { WORKER_LEASE_MS: '2000' }
    const victim = start({ ...env, WORKER_ID: 'victim' })
    await victim.waitForLog('ready')
    const t = asTenant(fleet, 'tenant-crash')
    // Each run holds its slot until the target answers: held open until released.
    const res = await apiCall<{ id: string }>(
      fleet,
      'POST',
      '/api/workflows',
      {
        name: 'crash-capped',
        maxConcurrency: 2,
        steps: [{ name: 'call', type: 'http', method: 'GET', url: `${target.url}/hold/{{execution.id}}` }],
      },
      t.token,
    )
    expect(res.status).toBe(201)
    const wf = res.body.id
    await trigger(fleet, t, await manualSchedule(fleet, t, wf, 'crash'), 4)
    const running = async () => (await runsOf(fleet, [wf])).filter((r) => r.status === 'running')
    await waitFor('the victim to hold both slots', async () => (await running()).length === 2)
    const rescuer = start({ ...env, WORKER_ID: 'rescuer' })
    await rescuer.waitForLog('ready')
    // Idle beside the victim's two slots, the rescuer started nothing: the cap holds across workers.
    const held = await running()
    expect(held.map((r) => r.workerId)).toEqual(['victim', 'victim'])
    expect(target.hits.map((h) => h.executionId).sort()).toEqual(held.map((r) => r.id).sort())

    await victim.stop('SIGKILL')
    // From here on each run holds its slot 300 ms at the target, so runs beside each other are seen there.
    target.release(300)
    const runs = await allSucceeded(fleet, [wf], 4)
    // Once the victim's leases expired its slots came back: the rescuer ran all four, the two the victim
    // held as a second attempt.
    expect(runs.map((r) => r.workerId)).toEqual(Array(4).fill('rescuer'))
    const again = runs.filter((r) => r.attempt === 2).map((r) => r.id)
    expect(again.sort()).toEqual(held.map((r) => r.id).sort())
    // The cap held for the rescuer: never more than two requests open at the target at once (the rows'
    // started_at cannot say it: a second attempt keeps its first start, the victim's).
    expect(target.peakInFlightSinceRelease()).toBe(2)
    await waitFor('the tenant to hold no slot', async () => {
      const q = await queueDepths(fleet, t)
      return q.ready === 0 && q.running === 0
    })
    expect(await fleet.redis.redis.hget(fleet.redis.keys.workflowRunning, wf)).toBeNull()
    await rescuer.stop()
  }, 150_000)

  it('after a FLUSHDB the reconciler rebuilds each tenant its queue and the caps', async () => {
    const pair = [0, 1].map(() =>
      start({ WORKER_RECONCILE_INTERVAL_MS: '1000', WORKER_LEASE_MS: '3000', WORKER_CONCURRENCY: '4' }),
    )
    await Promise.all(pair.map((w) => w.waitForLog('ready')))
    const a = asTenant(fleet, 'tenant-flush-a')
    const b = asTenant(fleet, 'tenant-flush-b')
    const capOne = await delayWorkflow(fleet, a, 'flush-a-one', 400, 1)
    const capTwo = await delayWorkflow(fleet, b, 'flush-b-two', 400, 2)
    await Promise.all([
      manualSchedule(fleet, a, capOne, 'flush-a').then((s) => trigger(fleet, a, s, 8)),
      manualSchedule(fleet, b, capTwo, 'flush-b').then((s) => trigger(fleet, b, s, 10)),
    ])
    await waitFor(
      'work of both tenants to have run',
      async () => (await runsOf(fleet, [capOne, capTwo])).filter((r) => r.status === 'succeeded').length >= 3,
    )
    await fleet.redis.redis.flushdb()

    // Each tenant's own depths come back: ready + running match its unfinished executions in Postgres
    // (read before and after, unchanged), never the other tenant's or the sum of both.
    const rebuilt = async (t: Tenant) => {
      const pgBefore = await unfinished(t)
      const q = await queueDepths(fleet, t)
      const pgAfter = await unfinished(t)
      return pgBefore > 0 && pgBefore === pgAfter && q.ready! + q.running! === pgBefore
    }
    await waitFor(
      "both tenants' queues to be rebuilt",
      async () => (await rebuilt(a)) && (await rebuilt(b)),
      {
        timeoutMs: 45_000,
      },
    )
    const runsA = await allSucceeded(fleet, [capOne], 8)
    const runsB = await allSucceeded(fleet, [capTwo], 10)
    expect(maxOverlap(runsA)).toBe(1)
    expect(maxOverlap(runsB)).toBeLessThanOrEqual(2)
    expect(await fleet.redis.redis.hget(fleet.redis.keys.workflowCaps, capOne)).toBe('1')
    for (const t of [a, b]) {
      await waitFor(`${t.name} to hold no slot`, async () => {
        const q = await queueDepths(fleet, t)
        return q.ready === 0 && q.running === 0
      })
    }
    await Promise.all(pair.map((w) => w.stop()))
  }, 150_000)
})
