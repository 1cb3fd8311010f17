import { randomBytes } from 'node:crypto'
import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import {
  adminCommandWith,
  createTestCertificates,
  startTestCluster,
  startTestSentinel,
  startTestServer,
  type TestAuth,
  type TestCertificates,
  type TestServer,
} from '@punctual/queue/testing-topologies'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endToEnd } from './failover-scenario.ts'
import { createTopologyFleet, type TopologyFleet } from './topology-fleet.ts'

// Issue 19: REDIS_TLS in the three modes, against servers of this file's own that speak TLS only (`port 0`,
// `tls-port`; replication, the cluster bus and the sentinels too), with a certificate from a throwaway CA made
// by openssl at test time, and the ACL user of redis-auth.test.ts (managed Redis has both). REDIS_TLS uses
// Node's trusted CAs: the API and the worker run as processes given NODE_EXTRA_CA_CERTS=<the test CA>
// (`apiProcess`); without it they stop at boot saying so.
const secret = (what: string) => `${what}-${randomBytes(8).toString('hex')}`
const auth: TestAuth = { username: 'punctual', password: secret('pw'), defaultPassword: secret('default') }
const SENTINEL_PASSWORD = secret('sentinel')

let certificates: TestCertificates | undefined
const deployments = new Map<string, { env: Record<string, string>; stop(): Promise<void> }>()
let single: TestServer | undefined
const fleets: TopologyFleet[] = []
const processes: { stop(signal?: NodeJS.Signals): Promise<number | null> }[] = []
/** The database of the processes expected to stop at boot (they never get to use it). */
let database: TestDatabase | undefined

beforeAll(async () => {
  certificates = await createTestCertificates()
  const tls = certificates
  database = await createTestDatabase()
  const [s, sentinel, cluster] = await Promise.all([
    startTestServer({ security: { tls, auth } }),
    startTestSentinel({ security: { tls, auth, sentinelPassword: SENTINEL_PASSWORD } }),
    startTestCluster({ masters: 3, security: { tls, auth } }),
  ])
  single = s
  deployments.set('single', s).set('sentinel', sentinel).set('cluster', cluster)
}, 60_000)

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')))
  await Promise.all(fleets.map((f) => f.close()))
  await Promise.all([...deployments.values()].map((d) => d.stop()))
  await database?.close()
  certificates?.remove()
})

/** Resolves with the exit code, or fails when the process is still running after timeoutMs. */
async function exitCode(exited: Promise<number | null>, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

const workerOutput = (w: WorkerProcess) => w.logs.map((l) => JSON.stringify(l)).join('\n')
const UNTRUSTED =
  "TLS could not verify the Redis server's certificate (REDIS_TLS uses Node's trusted CAs; for a private CA set NODE_EXTRA_CA_CERTS to its PEM file)"

describe.concurrent.each(['single', 'sentinel', 'cluster'] as const)('Redis %s over TLS only', (mode) => {
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
  }, 30_000)
})

describe('a single server over TLS', () => {
  it('only speaks TLS: a plain connection with the right credentials gets no answer', async () => {
    const plain = adminCommandWith(
      { username: auth.username, password: auth.password },
      single!.server.port,
      'PING',
    )
    await expect(plain).rejects.toThrow()
  })

  it('a rediss:// REDIS_URL with the user and password in it is enough (no REDIS_TLS, REDIS_USERNAME, REDIS_PASSWORD)', async () => {
    const { REDIS_URL, NODE_EXTRA_CA_CERTS } = single!.env
    const url = new URL(REDIS_URL!)
    url.protocol = 'rediss:'
    url.username = auth.username
    url.password = auth.password
    const fleet = await createTopologyFleet(
      { REDIS_URL: url.href, NODE_EXTRA_CA_CERTS: NODE_EXTRA_CA_CERTS! },
      { apiProcess: true },
    )
    fleets.push(fleet)
    await fleet.startWorker().waitForLog('ready', 30_000)
    await endToEnd(fleet)
  }, 50_000)

  it('without the CA trusted, the API stops at boot too, printing no password', async () => {
    const url = new URL(single!.env.REDIS_URL!)
    url.protocol = 'rediss:'
    url.username = auth.username
    url.password = auth.password
    const api: ApiProcess = await startApiProcess({
      REDIS_URL: url.href,
      DATABASE_URL: database!.url,
      JWT_SECRET: secret('jwt'),
    })
    processes.push(api)
    expect(await exitCode(api.exited, 20_000), api.output()).toBe(1)
    expect(api.output()).toContain(UNTRUSTED)
    expect(api.output()).not.toContain(auth.password)
  }, 30_000)
})
