import { randomBytes } from 'node:crypto'
import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { startTestCluster, startTestSentinel, startTestServer } from '@punctual/queue/testing-topologies'
import { startWorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endToEnd } from './failover-scenario.ts'
import { exitCode, REFUSED, secret, testAuth, workerOutput } from './redis-security.ts'
import { createTopologyFleet, type TopologyFleet } from './topology-fleet.ts'

// Issue 19: REDIS_USERNAME, REDIS_PASSWORD (and REDIS_SENTINEL_PASSWORD) against servers that require them, in
// the three modes. Every server of this file's own has an ACL user `punctual` (~* &* +@all; the replicas sync
// as it) and a default user with ANOTHER password, so a client that did not send the user name is refused;
// the sentinels have their own password. The API (in this process) and a worker process connect with the
// variables; a process given a wrong password stops at boot naming the variables, never printing a value.
const auth = testAuth()
const SENTINEL_PASSWORD = secret('sentinel')
const WRONG = secret('wrong')

type Deployment = {
  env: Record<string, string>
  /** The port of the server holding the deployment's keys now. */
  primaryOf(tag: string): Promise<number>
  admin(port: number, ...args: string[]): Promise<unknown>
  stop(): Promise<void>
}

const starters: Record<'single' | 'sentinel' | 'cluster', () => Promise<Deployment>> = {
  async single() {
    const s = await startTestServer({ security: { auth } })
    return { ...s, primaryOf: async () => s.server.port, admin: (_port, ...args) => s.admin(...args) }
  },
  async sentinel() {
    const s = await startTestSentinel({ security: { auth, sentinelPassword: SENTINEL_PASSWORD } })
    return { ...s, primaryOf: () => s.primaryPort() }
  },
  async cluster() {
    const c = await startTestCluster({ masters: 3, security: { auth } })
    return { ...c, primaryOf: (tag) => c.masterOf(tag) }
  },
}

const deployments = new Map<string, Deployment>()
const fleets: TopologyFleet[] = []
const processes: { stop(signal?: NodeJS.Signals): Promise<number | null> }[] = []
/** The database of the processes expected to stop at boot (they never get to use it). */
let database: TestDatabase | undefined

beforeAll(async () => {
  database = await createTestDatabase()
  await Promise.all(
    Object.entries(starters).map(async ([mode, start]) => deployments.set(mode, await start())),
  )
}, 60_000)

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')))
  await Promise.all(fleets.map((f) => f.close()))
  await Promise.all([...deployments.values()].map((d) => d.stop()))
  await database?.close()
})

/**
 * A worker process given `env` (plus the database), and with `api` an API process too, to check they stop at
 * boot. Both run the same check (watchBootMisconfiguration), so the API is started in one mode only.
 */
async function startProcesses(env: Record<string, string>, api: boolean) {
  const full = { ...env, DATABASE_URL: database!.url, REDIS_PREFIX: `t${randomBytes(6).toString('hex')}` }
  const worker = startWorkerProcess(full)
  processes.push(worker)
  const started = [{ code: exitCode(worker.exited, 20_000), output: () => workerOutput(worker) }]
  if (api) {
    const apiProcess: ApiProcess = await startApiProcess({ ...full, JWT_SECRET: secret('jwt') })
    processes.push(apiProcess)
    started.push({ code: exitCode(apiProcess.exited, 20_000), output: () => apiProcess.output() })
  }
  return started
}

// The modes run side by side: each test has its own processes, database and key prefix.
describe.concurrent.each(['single', 'sentinel', 'cluster'] as const)(
  'Redis %s requiring an ACL user',
  (mode) => {
    it('runs the end-to-end flow with REDIS_USERNAME and REDIS_PASSWORD, the connections authenticated as the user', async () => {
      const d = deployments.get(mode)!
      const fleet = await createTopologyFleet(d.env)
      fleets.push(fleet)
      const worker = fleet.startWorker()
      await worker.waitForLog('ready', 30_000)
      await endToEnd(fleet)
      // On the server holding the deployment's keys, the API's and the worker's connections are the ACL user's.
      const clients = String(await d.admin(await d.primaryOf(fleet.keys.tag), 'CLIENT', 'LIST'))
      const users = (name: string) =>
        clients
          .split('\n')
          .filter((line) => line.includes(` name=${name}`))
          .map((line) => /\buser=(\S+)/.exec(line)?.[1])
      expect(users('e2e-api').length).toBeGreaterThan(0)
      expect(new Set(users('e2e-api'))).toEqual(new Set(['punctual']))
      expect(users(`punctual-worker-${worker.id}`).length).toBeGreaterThan(0)
      expect(new Set(users(`punctual-worker-${worker.id}`))).toEqual(new Set(['punctual']))
    }, 45_000)

    it(`a wrong REDIS_PASSWORD stops the worker${mode === 'single' ? ' and the API' : ''} at boot, naming the variables and never a password`, async () => {
      const env = { ...deployments.get(mode)!.env, REDIS_PASSWORD: WRONG }
      for (const started of await startProcesses(env, mode === 'single')) {
        const code = await started.code
        const output = started.output()
        expect(code, output).toBe(1)
        expect(output).toContain(REFUSED)
        for (const value of [WRONG, auth.password, auth.defaultPassword, SENTINEL_PASSWORD]) {
          expect(output).not.toContain(value)
        }
      }
    }, 30_000)
  },
)

describe.concurrent('Sentinels requiring their own password', () => {
  it.each([
    ['a wrong', WRONG, 'the Redis sentinels refused the password (check REDIS_SENTINEL_PASSWORD): WRONGPASS'],
    ['no', '', 'the Redis sentinels require a password (set REDIS_SENTINEL_PASSWORD): NOAUTH'],
  ])(
    '%s REDIS_SENTINEL_PASSWORD stops the worker at boot naming that variable',
    async (_, value, message) => {
      const env = { ...deployments.get('sentinel')!.env, REDIS_SENTINEL_PASSWORD: value }
      const worker = startWorkerProcess({ ...env, DATABASE_URL: database!.url })
      processes.push(worker)
      expect(await exitCode(worker.exited, 20_000), workerOutput(worker)).toBe(1)
      const output = workerOutput(worker)
      expect(output).toContain(message)
      for (const secretValue of [WRONG, auth.password, auth.defaultPassword, SENTINEL_PASSWORD]) {
        expect(output).not.toContain(secretValue)
      }
    },
    30_000,
  )
})
