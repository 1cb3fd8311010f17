import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep, waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle as buildBundle } from '../scripts/bundle.mjs'
import { apiCall, createFleet, type Fleet } from './fleet.ts'

// Real worker processes against one database and one Redis DB (owned by this file).
let fleet: Fleet
const workers: WorkerProcess[] = []
let slow: Server
let slowUrl = ''

beforeAll(async () => {
  fleet = await createFleet()
  // A target that answers after the delay given in the query (ms).
  slow = createServer((req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0)
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), ms)
  })
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()))
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/work`
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  await new Promise((r) => slow?.close(r))
  await fleet?.close()
})

function start(env: Record<string, string> = {}, opts: { bundle?: string } = {}) {
  const w = startWorkerProcess({ ...fleet.env, WORKER_RECONCILE_INTERVAL_MS: '2000', ...env }, opts)
  workers.push(w)
  return w
}

async function workflow(name: string, steps: object[]) {
  const res = await apiCall<{ id: string }>(fleet, 'POST', '/api/workflows', { name, steps })
  expect(res.status).toBe(201)
  return res.body.id
}

async function schedule(workflowId: string, name: string, extra: object = {}) {
  const res = await apiCall<{ id: string }>(fleet, 'POST', '/api/schedules', {
    workflowId,
    name,
    cronExpression: '* * * * * *',
    ...extra,
  })
  expect(res.status).toBe(201)
  return res.body.id
}

const fires = async (scheduleId: string) =>
  fleet.database.sql<{ id: string; scheduled_for: string; status: string; worker_id: string | null }[]>`
    select id, scheduled_for, status, worker_id from executions
     where schedule_id = ${scheduleId} and kind = 'fire' order by scheduled_for`

describe('worker processes', () => {
  it('three workers on an every-second schedule give exactly one execution per second', async () => {
    const trio = [start(), start(), start()]
    await Promise.all(trio.map((w) => w.waitForLog('ready')))
    const wf = await workflow('noop', [{ name: 'noop', type: 'delay', ms: 0 }])
    // overlapPolicy allow: this is about exactly-once firing; with the default skip a fire whose predecessor's
    // success is written late (a loaded machine) would rightly be recorded as skipped.
    const s = await schedule(wf, 'every-second', { overlapPolicy: 'allow' })
    await sleep(6500)
    await apiCall(fleet, 'POST', `/api/schedules/${s}/pause`)
    await sleep(1500)
    const rows = await fires(s)
    const seconds = rows.map((r) => Date.parse(r.scheduled_for) / 1000)
    expect(rows.length).toBeGreaterThanOrEqual(5)
    // Consecutive whole seconds, none twice, none missing.
    expect(new Set(seconds).size).toBe(seconds.length)
    for (let i = 1; i < seconds.length; i++) expect(seconds[i]! - seconds[i - 1]!).toBe(1)
    await waitFor(
      'every fire to succeed',
      async () => (await fires(s)).every((r) => r.status === 'succeeded'),
      { timeoutMs: 10_000 },
    )
    // The work was spread: more than one worker ran fires.
    expect(new Set(rows.map((r) => r.worker_id)).size).toBeGreaterThan(1)
    await Promise.all(trio.map((w) => w.stop()))
  }, 60_000)

  it('kill -9 mid-execution: another worker takes it up after the lease, same id, no fire twice', async () => {
    const a = start({ WORKER_LEASE_MS: '2000', WORKER_ID: 'victim' })
    await a.waitForLog('ready')
    const wf = await workflow('slow-one', [
      { name: 'call', type: 'http', method: 'GET', url: `${slowUrl}?ms=1500` },
    ])
    const s = await schedule(wf, 'slow-every-minute', { cronExpression: '0 0 1 1 *' })
    const trig = await apiCall<{ executionId: string }>(fleet, 'POST', `/api/schedules/${s}/trigger`, {})
    expect(trig.status).toBe(202)
    const id = trig.body.executionId
    await waitFor(
      'the execution to start',
      async () =>
        (await fleet.database.sql`select 1 from executions where id = ${id} and status = 'running'`)
          .length === 1,
      { timeoutMs: 10_000 },
    )
    await a.stop('SIGKILL')
    const b = start({ WORKER_LEASE_MS: '2000', WORKER_ID: 'rescuer' })
    await b.waitForLog('ready')
    await waitFor(
      'the execution to succeed on the other worker',
      async () =>
        (await fleet.database.sql`select 1 from executions where id = ${id} and status = 'succeeded'`)
          .length === 1,
      { timeoutMs: 15_000 },
    )
    const [row] = await fleet.database.sql`select worker_id, attempt from executions where id = ${id}`
    expect(row!.worker_id).toBe('rescuer')
    const dup = await fleet.database.sql`
      select schedule_id, scheduled_for, count(*) from executions where kind = 'fire'
       group by 1, 2 having count(*) > 1`
    expect(dup).toHaveLength(0)
    await b.stop()
  }, 60_000)

  it('SIGTERM lets running executions finish, hands the rest back at once and exits 0', async () => {
    const a = start({ WORKER_CONCURRENCY: '2', WORKER_SHUTDOWN_TIMEOUT_MS: '10000' })
    await a.waitForLog('ready')
    const wf = await workflow('half-second', [
      { name: 'call', type: 'http', method: 'GET', url: `${slowUrl}?ms=800` },
    ])
    const s = await schedule(wf, 'manual-only', { cronExpression: '0 0 1 1 *' })
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      ids.push(
        (await apiCall<{ executionId: string }>(fleet, 'POST', `/api/schedules/${s}/trigger`, {})).body
          .executionId,
      )
    }
    await waitFor(
      'executions to start',
      async () =>
        (
          await fleet.database
            .sql`select 1 from executions where id = any(${ids}::uuid[]) and status = 'running'`
        ).length > 0,
      { timeoutMs: 10_000 },
    )
    expect(await a.stop('SIGTERM')).toBe(0)
    const b = start()
    await b.waitForLog('ready')
    await waitFor(
      'every execution to succeed',
      async () =>
        (
          await fleet.database
            .sql`select 1 from executions where id = any(${ids}::uuid[]) and status = 'succeeded'`
        ).length === ids.length,
      { timeoutMs: 20_000 },
    )
    await b.stop()
  }, 60_000)

  it('the production bundle (pnpm build) runs as plain JavaScript: fires, runs, stops cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'punctual-bundle-'))
    try {
      // The same build `pnpm start:worker` runs; the bundle must carry everything (no tsx, no workspace .ts).
      const bundle = await buildBundle('apps/worker/src/main.ts', join(dir, 'main.js'))
      const a = start({}, { bundle })
      await a.waitForLog('ready')
      const wf = await workflow('bundle-noop', [{ name: 'noop', type: 'delay', ms: 0 }])
      const s = await schedule(wf, 'bundle', { overlapPolicy: 'allow' })
      await waitFor(
        'a fire run by the bundled worker',
        async () => (await fires(s)).some((r) => r.status === 'succeeded' && r.worker_id === a.id),
        { timeoutMs: 10_000 },
      )
      await apiCall(fleet, 'POST', `/api/schedules/${s}/pause`)
      expect(await a.stop()).toBe(0)
      expect(a.logs.filter((l) => l.msg === 'stderr')).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('publishes its heartbeat and serves its metrics', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const a = start({
      WORKER_HEARTBEAT_MS: '200',
      WORKER_METRICS_PORT: String(port),
      WORKER_CONCURRENCY: '7',
    })
    await a.waitForLog('ready')
    const wf = await workflow('metrics-noop', [{ name: 'noop', type: 'delay', ms: 0 }])
    const s = await schedule(wf, 'metrics')
    await waitFor('a fire to run', async () => (await fires(s)).some((r) => r.status === 'succeeded'), {
      timeoutMs: 10_000,
    })
    await apiCall(fleet, 'POST', `/api/schedules/${s}/pause`)
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    expect(metrics).toMatch(/punctual_worker_fires_total\{outcome="queued"\} [1-9]/)
    expect(metrics).toMatch(/punctual_worker_executions_total\{status="succeeded"\} [1-9]/)
    expect(metrics).toMatch(/punctual_worker_firing_lag_seconds_count [1-9]/)
    expect(metrics).toContain('punctual_worker_queue_depth{state="ready"}')
    const workers = await apiCall<{ items: Record<string, unknown>[] }>(fleet, 'GET', '/api/workers')
    expect(workers.body.items.find((w) => w.id === a.id)).toMatchObject({
      state: 'running',
      concurrency: 7,
      pid: a.child.pid,
      rssBytes: expect.any(Number),
      cpuPercent: expect.any(Number),
      eventLoopLagMs: expect.any(Number),
    })
    await a.stop()
    // A clean stop removes the heartbeat at once.
    const after = await apiCall<{ items: Record<string, unknown>[] }>(fleet, 'GET', '/api/workers')
    expect(after.body.items.find((w) => w.id === a.id)).toBeUndefined()
  }, 60_000)

  it('FLUSHDB of the worker Redis DB while running: every schedule fires again within 10 s', async () => {
    const a = start()
    await a.waitForLog('ready')
    const wf = await workflow('flush-noop', [{ name: 'noop', type: 'delay', ms: 0 }])
    const ids = await Promise.all(['f1', 'f2', 'f3'].map((n) => schedule(wf, n, { overlapPolicy: 'allow' })))
    await sleep(2500)
    await fleet.redis.redis.flushdb()
    const flushedAt = Date.now()
    await waitFor(
      'every schedule to fire after the flush',
      async () => {
        for (const id of ids) {
          const rows = await fleet.database.sql`
            select 1 from executions where schedule_id = ${id} and kind = 'fire'
               and scheduled_for > ${new Date(flushedAt).toISOString()}::timestamptz`
          if (rows.length === 0) return false
        }
        return true
      },
      { timeoutMs: 10_000 },
    )
    for (const id of ids) await apiCall(fleet, 'POST', `/api/schedules/${id}/pause`)
    await a.stop()
  }, 60_000)
})
