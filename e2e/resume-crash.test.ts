import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall, createFleet, type Fleet } from './fleet.ts'
import { allSucceeded, asTenant, manualSchedule, trigger } from './tenant-runs.ts'

// Resuming (issue 16 item 2) across a kill -9: a worker killed between two steps of an execution; the
// worker that takes it over after the lease runs only the second step, with the first step's answer.
let fleet: Fleet
let server: http.Server
let url: string
const workers: WorkerProcess[] = []
const firstCalls: number[] = []
const secondBodies: unknown[] = []
/** The second step's first call never answers (the worker is killed while it waits). */
let secondCalls = 0

beforeAll(async () => {
  fleet = await createFleet()
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url?.startsWith('/first')) {
        firstCalls.push(Date.now())
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ token: `t${firstCalls.length}` }))
        return
      }
      secondCalls++
      secondBodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      if (secondCalls === 1) return // hangs: the worker dies meanwhile
      res.end('{}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  server?.closeAllConnections()
  await new Promise<void>((r) => server?.close(() => r()))
  await fleet?.close()
})

function start(env: Record<string, string>) {
  const w = startWorkerProcess({ ...fleet.env, WORKER_LEASE_MS: '2000', ...env })
  workers.push(w)
  return w
}

describe('resuming after a kill -9', () => {
  it('the taken-over run does not call step 1 again, and step 2 sees its first answer', async () => {
    const t = asTenant(fleet, 'resume-crash')
    const res = await apiCall<{ id: string }>(
      fleet,
      'POST',
      '/api/workflows',
      {
        name: 'two-steps',
        steps: [
          { name: 'first', type: 'http', method: 'GET', url: `${url}/first` },
          {
            name: 'second',
            type: 'http',
            method: 'POST',
            url: `${url}/second`,
            body: { token: '{{steps.first.body.token}}' },
          },
        ],
      },
      t.token,
    )
    expect(res.status).toBe(201)
    const wf = res.body.id
    const victim = start({ WORKER_ID: 'victim' })
    await victim.waitForLog('ready')
    await trigger(fleet, t, await manualSchedule(fleet, t, wf, 'resume'), 1)
    await waitFor('the victim to be waiting on step 2', async () => secondCalls === 1)
    await victim.stop('SIGKILL')
    const rescuer = start({ WORKER_ID: 'rescuer' })
    await rescuer.waitForLog('ready')
    const [run] = await allSucceeded(fleet, [wf], 1, 30_000)
    expect(run).toMatchObject({ workerId: 'rescuer', attempt: 2 })
    expect(firstCalls).toHaveLength(1)
    expect(secondBodies).toEqual([{ token: 't1' }, { token: 't1' }])
    const [row] = await fleet.database.sql<{ steps: { name: string; attempt: number; status: string }[] }[]>`
      select steps from executions where workflow_id = ${wf}`
    expect(row!.steps.map((s) => [s.name, s.attempt, s.status])).toEqual([
      ['first', 1, 'succeeded'],
      ['second', 2, 'succeeded'],
    ])
    await rescuer.stop()
  }, 90_000)
})
