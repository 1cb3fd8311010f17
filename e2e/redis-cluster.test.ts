import { startTestCluster, type TestCluster } from '@punctual/queue/testing-topologies'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acrossFailover, endToEnd } from './failover-scenario.ts'
import { createTopologyFleet, type TopologyFleet } from './topology-fleet.ts'

// Redis Cluster (REDIS_CLUSTER_NODES): 3 masters with a replica each, cluster-node-timeout 2000, of this
// file's own (redis-cli --cluster create). The API (in this process) and two worker processes connect to it.
let cluster: TestCluster | undefined
let fleet: TopologyFleet | undefined

beforeAll(async () => {
  cluster = await startTestCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 2000 })
  fleet = await createTopologyFleet(cluster.env)
  // A reconcile every 10 min: within this file, only the one a failover triggers can repair Redis.
  const workers = [0, 1].map(() => fleet!.startWorker({ WORKER_RECONCILE_INTERVAL_MS: '600000' }))
  await Promise.all(workers.map((w) => w.waitForLog('ready')))
}, 90_000)

afterAll(async () => {
  await fleet?.close()
  await cluster?.stop()
})

describe('Redis Cluster', () => {
  it('runs the end-to-end flow: a schedule fires, its http step runs, the execution is recorded', async () => {
    await endToEnd(fleet!)
  }, 40_000)

  it("killing the master of the deployment's slot loses no acknowledged write; fires go on within 30 s", async () => {
    const c = cluster!
    const tag = fleet!.keys.tag
    const master = await c.masterOf(tag)
    const victim = c.servers.find((s) => s.port === master)!
    await acrossFailover(fleet!, () => victim.kill())
    // A replica took over the slot.
    const now = await c.masterOf(tag)
    expect(now).not.toBe(master)
    expect(c.servers.find((s) => s.port === now)!.alive).toBe(true)
  }, 90_000)
})
