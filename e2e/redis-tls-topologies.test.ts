import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import {
  createTestCertificates,
  startTestCluster,
  startTestSentinel,
  type TestCertificates,
} from '@punctual/queue/testing-topologies'
import { startWorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endToEnd } from './failover-scenario.ts'
import { exitCode, secret, testAuth, UNTRUSTED, workerOutput } from './redis-security.ts'
import { createTopologyFleet, type TopologyFleet } from './topology-fleet.ts'

// Issue 19: REDIS_TLS with Sentinel and Redis Cluster, on deployments of this file's own that speak TLS only
// (`port 0`, `tls-port`; replication, the cluster bus and the sentinels too: `tls-replication`,
// `tls-cluster`), their certificate from a throwaway CA made by openssl at test time, and an ACL user (the
// sentinels with their own password). The API and the worker run as processes given
// NODE_EXTRA_CA_CERTS=<the test CA>; without it a worker stops at boot saying so. Single server:
// redis-tls.test.ts.
const auth = testAuth()
const SENTINEL_PASSWORD = secret('sentinel')

let certificates: TestCertificates | undefined
const deployments = new Map<string, { env: Record<string, string>; stop(): Promise<void> }>()
const fleets: TopologyFleet[] = []
const processes: { stop(signal?: NodeJS.Signals): Promise<number | null> }[] = []
/** The database of the processes expected to stop at boot (they never get to use it). */
let database: TestDatabase | undefined

beforeAll(async () => {
  certificates = await createTestCertificates()
  const tls = certificates
  database = await createTestDatabase()
  const [sentinel, cluster] = await Promise.all([
    startTestSentinel({ security: { tls, auth, sentinelPassword: SENTINEL_PASSWORD } }),
    startTestCluster({ masters: 3, security: { tls, auth } }),
  ])
  deployments.set('sentinel', sentinel).set('cluster', cluster)
}, 60_000)

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')))
  await Promise.all(fleets.map((f) => f.close()))
  await Promise.all([...deployments.values()].map((d) => d.stop()))
  await database?.close()
  certificates?.remove()
})

// The modes run side by side: each test has its own processes, database and key prefix.
describe.concurrent.each(['sentinel', 'cluster'] as const)('Redis %s over TLS only', (mode) => {
  it('runs the end-to-end flow with REDIS_TLS=true, the API and the worker trusting the CA through NODE_EXTRA_CA_CERTS', async () => {
    const env = deployments.get(mode)!.env
    expect(env).toMatchObject({ REDIS_TLS: 'true', NODE_EXTRA_CA_CERTS: certificates!.caFile })
    const fleet = await createTopologyFleet(env, { apiProcess: true })
    fleets.push(fleet)
    await fleet.startWorker().waitForLog('ready', 30_000)
    await endToEnd(fleet)
  }, 50_000)

  it('without the CA trusted, the worker stops at boot saying the certificate is not trusted and what to set', async () => {
    const env = { ...deployments.get(mode)!.env, NODE_EXTRA_CA_CERTS: '', DATABASE_URL: database!.url }
    const worker = startWorkerProcess(env)
    processes.push(worker)
    expect(await exitCode(worker.exited, 20_000), workerOutput(worker)).toBe(1)
    expect(workerOutput(worker)).toContain(UNTRUSTED)
    for (const value of [auth.password, auth.defaultPassword, SENTINEL_PASSWORD]) {
      expect(workerOutput(worker)).not.toContain(value)
    }
  }, 30_000)
})
