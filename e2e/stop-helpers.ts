import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ExecutionError } from '@punctual/core'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { expect } from 'vitest'
import { apiCall, createFleet, type Fleet } from './fleet.ts'

/**
 * Stop means stop (issue 11): real worker processes, a target that records each request (its path carries
 * the execution id) and can hold requests open until released, and the check that after a pause's 200 or a
 * DELETE's 204 only executions that had started before it reach the target.
 */

export interface Hit {
  executionId: string
  atMs: number
}

export interface Target {
  url: string
  hits: Hit[]
  /**
   * Answers every /hold/... request held open, and those that come later (until reset); with `laterAfterMs`,
   * those that come later are answered that long after they arrive, so their overlap can be seen.
   */
  release(laterAfterMs?: number): void
  /** The most /hold/... requests that were open at once since the last release (held ones not counted). */
  peakInFlightSinceRelease(): number
  /** Hold /hold/... requests again (after release). */
  reset(): void
  close(): Promise<void>
}

export async function startTarget(): Promise<Target> {
  const hits: Hit[] = []
  const held: ServerResponse[] = []
  let released = false
  let laterAfterMs = 0
  let inFlight = 0
  let peak = 0
  const server = createServer((req, res) => {
    const [, kind, id] = (req.url ?? '/').split('/')
    hits.push({ executionId: id ?? '', atMs: Date.now() })
    if (kind === 'hold' && !released) held.push(res)
    else if (kind === 'hold' && laterAfterMs > 0) {
      inFlight++
      peak = Math.max(peak, inFlight)
      // A caller that goes away (a killed worker) ends its request too.
      res.once('close', () => inFlight--)
      setTimeout(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
        laterAfterMs,
      )
    } else if (kind === 'flaky' && hits.filter((h) => h.executionId === id).length === 1) {
      res.writeHead(500).end('first attempt fails')
    } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    release(afterMs = 0) {
      released = true
      laterAfterMs = afterMs
      inFlight = 0
      peak = 0
      for (const res of held.splice(0)) res.writeHead(200).end('{"ok":true}')
    },
    peakInFlightSinceRelease: () => peak,
    reset() {
      released = false
      laterAfterMs = 0
    },
    async close() {
      for (const res of held.splice(0)) res.destroy()
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    },
  }
}

export interface StopEnv {
  fleet: Fleet
  target: Target
  workers: WorkerProcess[]
  start(env?: Record<string, string>): Promise<WorkerProcess>
  /**
   * A workflow of one http step to `<target>/<kind>/<execution id>`: `hit` answers 200, `hold` keeps the
   * request open until release(), `flaky` answers 500 to an execution's first request and 200 after.
   */
  workflow(name: string, kind: 'hit' | 'hold' | 'flaky'): Promise<string>
  schedule(workflowId: string, name: string, extra?: object): Promise<string>
  close(): Promise<void>
}

export async function createStopEnv(): Promise<StopEnv> {
  const fleet = await createFleet()
  const target = await startTarget()
  const workers: WorkerProcess[] = []
  return {
    fleet,
    target,
    workers,
    async start(env = {}) {
      const w = startWorkerProcess({ ...fleet.env, WORKER_RECONCILE_INTERVAL_MS: '2000', ...env })
      workers.push(w)
      await w.waitForLog('ready')
      return w
    },
    async workflow(name, kind) {
      const res = await apiCall<{ id: string }>(fleet, 'POST', '/api/workflows', {
        name,
        steps: [
          {
            name: 'call',
            type: 'http',
            method: 'GET',
            url: `${target.url}/${kind}/{{execution.id}}`,
            // A held request stays open until the test releases it.
            timeoutMs: 600_000,
          },
        ],
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body.id
    },
    async schedule(workflowId, name, extra = {}) {
      const res = await apiCall<{ id: string }>(fleet, 'POST', '/api/schedules', {
        workflowId,
        name,
        cronExpression: '* * * * * *',
        ...extra,
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body.id
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')))
      target.release()
      await target.close()
      await fleet.close()
    },
  }
}

export interface FireRow {
  id: string
  status: string
  scheduled_for_ms: number
  started_at_ms: number | null
  available_at_ms: number | null
  held: boolean
  error: ExecutionError | null
}

export async function firesOf(fleet: Fleet, scheduleId: string): Promise<FireRow[]> {
  const rows = await fleet.database.sql<FireRow[]>`
    select id, status, held, error,
           (extract(epoch from scheduled_for) * 1000)::float8 as scheduled_for_ms,
           (extract(epoch from started_at) * 1000)::float8 as started_at_ms,
           (extract(epoch from available_at) * 1000)::float8 as available_at_ms
      from executions where schedule_id = ${scheduleId} and kind = 'fire' order by scheduled_for`
  return rows.map((r) => ({ ...r, error: typeof r.error === 'string' ? JSON.parse(r.error) : r.error }))
}

/**
 * Sends the stopping write and returns the time its answer arrived: the write committed before that.
 */
export async function stop(
  fleet: Fleet,
  how: 'pause' | 'delete' | 'disable',
  scheduleId: string,
): Promise<number> {
  const res =
    how === 'pause'
      ? await apiCall(fleet, 'POST', `/api/schedules/${scheduleId}/pause`, {})
      : how === 'delete'
        ? await apiCall(fleet, 'DELETE', `/api/schedules/${scheduleId}`)
        : await apiCall(fleet, 'PATCH', `/api/schedules/${scheduleId}`, { enabled: false })
  expect(res.status, JSON.stringify(res.body)).toBe(how === 'delete' ? 204 : 200)
  return Date.now()
}

/**
 * The contract's check, from what the target received: every request that arrived after the stop's answer
 * belongs to an execution that had started before it; every fire whose time had come but that had not
 * started ended `skipped` with the reason, and none of those reached the target. `expectSkipped` are the ids
 * the scenario set up to be stopped (waiting for jitter, held, in the backlog, claimed ahead).
 */
export async function expectStopped(
  env: StopEnv,
  scheduleId: string,
  stoppedAtMs: number,
  reason: 'paused' | 'deleted',
  expectSkipped: readonly string[],
): Promise<void> {
  const rows = await firesOf(env.fleet, scheduleId)
  const byId = new Map(rows.map((r) => [r.id, r]))
  for (const hit of env.target.hits.filter((h) => h.atMs > stoppedAtMs)) {
    const row = byId.get(hit.executionId)
    if (!row) continue // another schedule's execution (the one holding a slot)
    expect(row.started_at_ms, `request for ${hit.executionId} after the stop`).not.toBeNull()
    expect(row.started_at_ms!).toBeLessThan(stoppedAtMs)
  }
  // Nothing of this schedule started after the stop.
  for (const row of rows) if (row.started_at_ms !== null) expect(row.started_at_ms).toBeLessThan(stoppedAtMs)
  // Every due, unstarted fire was skipped with the reason; none reached the target.
  const hitIds = new Set(env.target.hits.map((h) => h.executionId))
  for (const row of rows.filter((r) => r.started_at_ms === null && r.scheduled_for_ms <= stoppedAtMs)) {
    if (row.status === 'skipped' && row.error?.reason === 'overlap') continue // skipped by its policy before
    expect(row, `fire ${row.id}`).toMatchObject({ status: 'skipped', error: { reason } })
    expect(hitIds.has(row.id)).toBe(false)
  }
  for (const id of expectSkipped) {
    expect(byId.get(id), `fire ${id}`).toMatchObject({
      status: 'skipped',
      started_at_ms: null,
      error: { reason },
    })
    expect(hitIds.has(id), `fire ${id} reached the target`).toBe(false)
  }
  // As the API shows it.
  for (const id of expectSkipped.slice(0, 3)) {
    const res = await apiCall<{ status: string; error: ExecutionError }>(
      env.fleet,
      'GET',
      `/api/executions/${id}`,
    )
    expect(res.body).toMatchObject({ status: 'skipped', error: { reason, message: expect.any(String) } })
  }
  // Nothing is left queued: no fire of the schedule waits for a start that will never come.
  expect(rows.filter((r) => r.status === 'queued')).toEqual([])
}
