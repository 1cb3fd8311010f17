import { sleep, waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFleet, type Fleet } from './fleet.ts'
import {
  allSucceeded,
  asTenant,
  delayWorkflow,
  manualSchedule,
  maxOverlap,
  queueDepths,
  ranBeside,
  trigger,
} from './tenant-runs.ts'

// Concurrency caps (issue 13) with real worker processes: a workflow's maxConcurrency and TENANT_MAX_RUNNING
// hold across every worker, claims ahead included. Each run is [started_at, finished_at] as Postgres has it.
let fleet: Fleet
const workers: WorkerProcess[] = []

beforeAll(async () => {
  fleet = await createFleet()
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  await fleet?.close()
})

async function startWorkers(n: number, env: Record<string, string>) {
  const started = Array.from({ length: n }, () => startWorkerProcess({ ...fleet.env, ...env }))
  workers.push(...started)
  await Promise.all(started.map((w) => w.waitForLog('ready')))
  return started
}

const stopAll = (ws: WorkerProcess[]) => Promise.all(ws.map((w) => w.stop()))

describe('concurrency caps', () => {
  it('maxConcurrency 1 never runs two at once under 3 workers, while an uncapped workflow does', async () => {
    const trio = await startWorkers(3, { WORKER_CONCURRENCY: '2' })
    const t = asTenant(fleet, 'cap-one')
    const capped = await delayWorkflow(fleet, t, 'one-at-a-time', 200, 1)
    const free = await delayWorkflow(fleet, t, 'uncapped', 200)
    const sCapped = await manualSchedule(fleet, t, capped, 'one-at-a-time')
    const sFree = await manualSchedule(fleet, t, free, 'uncapped')
    await Promise.all([trigger(fleet, t, sCapped, 8), trigger(fleet, t, sFree, 8)])
    const cappedRuns = await allSucceeded(fleet, [capped], 8)
    const freeRuns = await allSucceeded(fleet, [free], 8)
    expect(maxOverlap(cappedRuns)).toBe(1)
    // The same workers, at the same time, did run the uncapped workflow's executions side by side.
    expect(maxOverlap(freeRuns)).toBeGreaterThan(1)
    expect(new Set([...cappedRuns, ...freeRuns].map((r) => r.workerId)).size).toBeGreaterThan(1)
    await stopAll(trio)
  }, 60_000)

  it('TENANT_MAX_RUNNING 2 holds across two workflows of the tenant while another tenant runs beside it', async () => {
    const trio = await startWorkers(3, { WORKER_CONCURRENCY: '4', TENANT_MAX_RUNNING: '2' })
    const busy = asTenant(fleet, 'tenant-busy')
    const other = asTenant(fleet, 'tenant-other')
    const one = await delayWorkflow(fleet, busy, 'busy-one', 200)
    const two = await delayWorkflow(fleet, busy, 'busy-two', 200)
    const theirs = await delayWorkflow(fleet, other, 'other-one', 200)
    await Promise.all([
      manualSchedule(fleet, busy, one, 'busy-one').then((s) => trigger(fleet, busy, s, 5)),
      manualSchedule(fleet, busy, two, 'busy-two').then((s) => trigger(fleet, busy, s, 5)),
      manualSchedule(fleet, other, theirs, 'other-one').then((s) => trigger(fleet, other, s, 6)),
    ])
    const busyRuns = await allSucceeded(fleet, [one, two], 10)
    const otherRuns = await allSucceeded(fleet, [theirs], 6)
    // Twelve slots were free: only the tenant cap kept each tenant at two, both workflows counted together.
    expect(maxOverlap(busyRuns)).toBe(2)
    expect(maxOverlap(otherRuns)).toBe(2)
    expect(ranBeside(busyRuns, otherRuns)).toBe(true)
    expect(maxOverlap([...busyRuns, ...otherRuns])).toBeGreaterThan(2)
    await stopAll(trio)
  }, 60_000)

  it('claim-ahead never takes a slot past a cap: a capped burst beside a flood, 2 workers of 50', async () => {
    const t = asTenant(fleet, 'tenant-burst')
    const flood = asTenant(fleet, 'tenant-flood')
    const CAP = 3
    const capped = await delayWorkflow(fleet, t, 'burst-capped', 100, CAP)
    const floodWf = await delayWorkflow(fleet, flood, 'flood', 300)
    // Queued before the workers start, so their slots fill at once and they claim the next batch ahead.
    await Promise.all([
      manualSchedule(fleet, t, capped, 'burst').then((s) => trigger(fleet, t, s, 30)),
      manualSchedule(fleet, flood, floodWf, 'flood').then((s) => trigger(fleet, flood, s, 400)),
    ])
    const { redis, keys } = fleet.redis
    const held: number[] = []
    const running: number[] = []
    let done = false
    const sampler = (async () => {
      for (let i = 0; !done; i++) {
        held.push(Number((await redis.hget(keys.workflowRunning, capped)) ?? 0))
        if (i % 5 === 0) running.push((await queueDepths(fleet, t)).running ?? 0)
        await sleep(10)
      }
    })()
    const pair = await startWorkers(2, { WORKER_CONCURRENCY: '50' })
    try {
      const cappedRuns = await allSucceeded(fleet, [capped], 30)
      await allSucceeded(fleet, [floodWf], 400)
      expect(maxOverlap(cappedRuns)).toBeLessThanOrEqual(CAP)
    } finally {
      done = true
      await sampler
    }
    expect(Math.max(...held)).toBeLessThanOrEqual(CAP)
    expect(Math.max(...held)).toBeGreaterThan(0)
    expect(Math.max(...running)).toBeLessThanOrEqual(CAP)
    // Every slot came back (the last acks follow the last Postgres writes).
    await waitFor('the tenant to hold no slot', async () => {
      const q = await queueDepths(fleet, t)
      return q.ready === 0 && q.running === 0
    })
    await stopAll(pair)
  }, 90_000)
})
