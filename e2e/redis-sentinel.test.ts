import { startTestSentinel, type TestSentinel } from '@punctual/queue/testing-topologies'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acrossFailover, endToEnd } from './failover-scenario.ts'
import { createTopologyFleet, type TopologyFleet } from './topology-fleet.ts'

// Redis behind Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME): a primary, a replica and 3 sentinels of this
// file's own, down-after-milliseconds 2000. The API (in this process) and two worker processes connect
// through the sentinels.
let sentinel: TestSentinel | undefined
let fleet: TopologyFleet | undefined

beforeAll(async () => {
  sentinel = await startTestSentinel({ downAfterMs: 2000 })
  fleet = await createTopologyFleet(sentinel.env)
  // A reconcile every 10 min: within this file, only the one a failover triggers can repair Redis.
  const workers = [0, 1].map(() => fleet!.startWorker({ WORKER_RECONCILE_INTERVAL_MS: '600000' }))
  await Promise.all(workers.map((w) => w.waitForLog('ready')))
}, 90_000)

afterAll(async () => {
  await fleet?.close()
  await sentinel?.stop()
})

describe('Redis behind Sentinel', () => {
  it('runs the end-to-end flow: a schedule fires, its http step runs, the execution is recorded', async () => {
    await endToEnd(fleet!)
  }, 40_000)

  it('killing the primary loses no acknowledged write and fires go on within 30 s', async () => {
    const s = sentinel!
    const before = s.primary.port
    expect(await s.primaryPort()).toBe(before)
    await acrossFailover(fleet!, () => s.primary.kill())
    // The sentinels promoted the replica.
    expect(await s.primaryPort()).toBe(s.replica.port)
  }, 90_000)
})
