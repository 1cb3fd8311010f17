import { waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFleet, type Fleet } from './fleet.ts'
import { allSucceeded, asTenant, delayWorkflow, manualSchedule, runsOf, trigger } from './tenant-runs.ts'

// Fair turns between tenants (issue 13) with real worker processes: one tenant's backlog of its highest
// priority does not push another tenant's execution of the lowest priority behind it.
let fleet: Fleet
const workers: WorkerProcess[] = []

beforeAll(async () => {
  fleet = await createFleet()
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  await fleet?.close()
})

const PER_WORKER = 5
/** Executions the two workers run at once: WORKER_CONCURRENCY summed over both. */
const CONCURRENCY = 2 * PER_WORKER

describe('fair turns', () => {
  it("1,000 queued at priority 9 by one tenant delay another's priority-0 start by at most 2 × concurrency starts", async () => {
    const a = asTenant(fleet, 'tenant-a')
    const b = asTenant(fleet, 'tenant-b')
    const wfA = await delayWorkflow(fleet, a, 'a-short', 20)
    const wfB = await delayWorkflow(fleet, b, 'b-short', 20)
    const sA = await manualSchedule(fleet, a, wfA, 'a-urgent', 9)
    const sB = await manualSchedule(fleet, b, wfB, 'b-whenever', 0)

    // A's backlog and B's one execution are queued before any worker runs.
    await trigger(fleet, a, sA, 1000)
    const [b1] = await trigger(fleet, b, sB)
    for (let i = 0; i < 2; i++) {
      workers.push(startWorkerProcess({ ...fleet.env, WORKER_CONCURRENCY: String(PER_WORKER) }))
    }
    await Promise.all(workers.map((w) => w.waitForLog('ready')))
    const started = async (id: string) =>
      waitFor(
        `execution ${id} to start`,
        async () => (await runsOf(fleet, [wfB])).find((r) => r.id === id && r.startedAt !== null),
        { timeoutMs: 20_000 },
      )
    const first = await started(b1!)

    // While the workers are busy with A's backlog, B queues another. Its 202 is sent once the execution is in
    // B's queue in Redis, so every start of A after that answer (worker and test share this host's clock) is
    // one B waited for: bounded the same way, while A still has a backlog behind it.
    await waitFor(
      "100 of A's executions to start",
      async () => (await runsOf(fleet, [wfA])).filter((r) => r.startedAt !== null).length >= 100,
      { timeoutMs: 20_000, intervalMs: 100 },
    )
    const [b2] = await trigger(fleet, b, sB)
    const answeredAt = Date.now()
    const second = await started(b2!)
    const aRuns = await allSucceeded(fleet, [wfA], 1000, 60_000)
    // Read once every start is committed (a start stamped before B's may commit after it).
    const aBefore = aRuns.filter((r) => r.startedAt! < first.startedAt!)
    expect(aBefore.length).toBeLessThanOrEqual(2 * CONCURRENCY)
    const aBetween = aRuns.filter((r) => r.startedAt! > answeredAt && r.startedAt! < second.startedAt!)
    const aAfter = aRuns.filter((r) => r.startedAt! > second.startedAt!)
    expect(aBetween.length).toBeLessThanOrEqual(2 * CONCURRENCY)
    // Without fair turns B's priority 0 would have waited for all of these.
    expect(aAfter.length).toBeGreaterThan(2 * CONCURRENCY)
    // Both workers served.
    expect(new Set(aRuns.map((r) => r.workerId)).size).toBe(2)
    await allSucceeded(fleet, [wfB], 2)
    await Promise.all(workers.map((w) => w.stop()))
  }, 120_000)
})
