import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import {
  adminCommandWith,
  createTestCertificates,
  startTestServer,
  type TestCertificates,
  type TestServer,
} from '@punctual/queue/testing-topologies'
import { startWorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endToEnd } from './failover-scenario.ts'
import { exitCode, secret, testAuth, UNTRUSTED, workerOutput } from './redis-security.ts'
import { createTopologyFleet, type TopologyFleet } from './topology-fleet.ts'

// Issue 19: REDIS_TLS with a single server of this file's own that speaks TLS only (`port 0`, `tls-port`), its
// certificate from a throwaway CA made by openssl at test time, and an ACL user (managed Redis has both).
// REDIS_TLS uses Node's trusted CAs: the API and the worker run as processes given
// NODE_EXTRA_CA_CERTS=<the test CA> (`apiProcess`); without it they stop at boot saying so. Sentinel and
// Cluster over TLS: redis-tls-topologies.test.ts.
const auth = testAuth()

let certificates: TestCertificates | undefined
let server: TestServer | undefined
const fleets: TopologyFleet[] = []
const processes: { stop(signal?: NodeJS.Signals): Promise<number | null> }[] = []
/** The database of the processes expected to stop at boot (they never get to use it). */
let database: TestDatabase | undefined

beforeAll(async () => {
  certificates = await createTestCertificates()
  database = await createTestDatabase()
  server = await startTestServer({ security: { tls: certificates, auth } })
}, 60_000)

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')))
  await Promise.all(fleets.map((f) => f.close()))
  await server?.stop()
  await database?.close()
  certificates?.remove()
})

/** The server's URL as `rediss://punctual:<password>@…`. */
function rediss(): string {
  const url = new URL(server!.env.REDIS_URL!)
  url.protocol = 'rediss:'
  url.username = auth.username
  url.password = auth.password
  return url.href
}

// Side by side: each test has its own processes, database and key prefix.
describe.concurrent('a single Redis server over TLS only', () => {
  it('only speaks TLS: a plain connection with the right credentials gets no answer', async () => {
    const plain = adminCommandWith(
      { username: auth.username, password: auth.password },
      server!.server.port,
      'PING',
    )
    await expect(plain).rejects.toThrow()
  })

  it('runs the end-to-end flow with REDIS_TLS=true, the API and the worker trusting the CA through NODE_EXTRA_CA_CERTS', async () => {
    expect(server!.env).toMatchObject({ REDIS_TLS: 'true', NODE_EXTRA_CA_CERTS: certificates!.caFile })
    const fleet = await createTopologyFleet(server!.env, { apiProcess: true })
    fleets.push(fleet)
    await fleet.startWorker().waitForLog('ready', 30_000)
    await endToEnd(fleet)
  }, 50_000)

  it('a rediss:// REDIS_URL with the user and password in it is enough (no REDIS_TLS, REDIS_USERNAME, REDIS_PASSWORD)', async () => {
    const env = { REDIS_URL: rediss(), NODE_EXTRA_CA_CERTS: certificates!.caFile }
    const fleet = await createTopologyFleet(env, { apiProcess: true })
    fleets.push(fleet)
    await fleet.startWorker().waitForLog('ready', 30_000)
    await endToEnd(fleet)
  }, 50_000)

  it('without the CA trusted, the worker stops at boot saying the certificate is not trusted and what to set', async () => {
    const env = { ...server!.env, NODE_EXTRA_CA_CERTS: '', DATABASE_URL: database!.url }
    const worker = startWorkerProcess(env)
    processes.push(worker)
    expect(await exitCode(worker.exited, 20_000), workerOutput(worker)).toBe(1)
    expect(workerOutput(worker)).toContain(UNTRUSTED)
    expect(workerOutput(worker)).not.toContain(auth.password)
  }, 30_000)

  it('without the CA trusted, the API stops at boot too (rediss:// URL), printing no password', async () => {
    const api: ApiProcess = await startApiProcess({
      REDIS_URL: rediss(),
      DATABASE_URL: database!.url,
      JWT_SECRET: secret('jwt'),
    })
    processes.push(api)
    expect(await exitCode(api.exited, 20_000), api.output()).toBe(1)
    expect(api.output()).toContain(UNTRUSTED)
    expect(api.output()).not.toContain(auth.password)
  }, 30_000)
})
