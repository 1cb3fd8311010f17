import { sleep } from '@punctual/core/testing'
import { createKeys, getDueEntry } from '@punctual/queue'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall, createFleet, type Fleet } from './fleet.ts'

// Schedule changes through the API (PATCH, pause, DELETE) while real worker processes claim the schedule's
// fires ahead of their time: what the API's write path promises the scheduler.
let fleet: Fleet
const workers: WorkerProcess[] = []

beforeAll(async () => {
  fleet = await createFleet()
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  await fleet?.close()
})

interface FireRow {
  scheduledForMs: number
  input: Record<string, unknown>
}

async function fireRows(scheduleId: string): Promise<FireRow[]> {
  const rows = await fleet.database.sql<{ sf: number; input: Record<string, unknown> }[]>`
    select (extract(epoch from scheduled_for) * 1000)::float8 as sf, input
      from executions where schedule_id = ${scheduleId} and kind = 'fire' order by scheduled_for, id`
  return rows.map((r) => ({ scheduledForMs: Math.round(r.sf), input: r.input }))
}

/** Asserts one row per second from `from` through `through`, and no scheduled time twice. */
function expectEverySecond(rows: FireRow[], from: number, through: number, label: string) {
  const times = rows.map((r) => r.scheduledForMs)
  expect(new Set(times).size, `${label}: no (schedule_id, scheduled_for) twice`).toBe(times.length)
  const expected: number[] = []
  for (let t = from; t <= through; t += 1000) expected.push(t)
  expect(
    times.filter((t) => t >= from && t <= through),
    label,
  ).toEqual(expected)
}

describe('schedule changes racing the claim loop', () => {
  it('a PATCH, a pause and a delete never let a stale fire through', async () => {
    const started = [startWorkerProcess(fleet.env), startWorkerProcess(fleet.env)]
    workers.push(...started)
    await Promise.all(started.map((w) => w.waitForLog('ready')))
    const wf = await apiCall<{ id: string }>(fleet, 'POST', '/api/workflows', {
      name: 'noop',
      steps: [{ name: 'noop', type: 'delay', ms: 0 }],
    })
    expect(wf.status).toBe(201)
    const offsets = [0, 5, 120, 333, 500, 640, 880, 995]
    const cases = await Promise.all(
      offsets.flatMap((offset) =>
        (['patch', 'pause', 'delete'] as const).map(async (change) => {
          const res = await apiCall<{ id: string; nextRunAt: string }>(fleet, 'POST', '/api/schedules', {
            workflowId: wf.body.id,
            name: `${change}-${offset}`,
            cronExpression: '* * * * * *',
            overlapPolicy: 'allow',
            input: { v: 1 },
          })
          expect(res.status, JSON.stringify(res.body)).toBe(201)
          return { change, offset, id: res.body.id, firstMs: Date.parse(res.body.nextRunAt) }
        }),
      ),
    )
    // Let look-ahead record fires ahead for a while, then change each schedule at its own sub-second offset.
    const changeAt = Math.max(...cases.map((c) => c.firstMs)) + 2000
    const acks = await Promise.all(
      cases.map(async (c) => {
        await sleep(changeAt + c.offset - Date.now())
        const res =
          c.change === 'patch'
            ? await apiCall(fleet, 'PATCH', `/api/schedules/${c.id}`, { input: { v: 2 } })
            : c.change === 'pause'
              ? await apiCall(fleet, 'POST', `/api/schedules/${c.id}/pause`, {})
              : await apiCall(fleet, 'DELETE', `/api/schedules/${c.id}`)
        expect(res.status, JSON.stringify(res.body)).toBe(c.change === 'delete' ? 204 : 200)
        // The change committed before its answer arrived.
        return Date.now()
      }),
    )
    // Past the look-ahead window of anything claimed before the changes.
    await sleep(changeAt + 1000 + 3000 - Date.now())

    const keys = createKeys(fleet.redis.prefix)
    for (const [i, c] of cases.entries()) {
      const ackAt = acks[i]!
      const rows = await fireRows(c.id)
      const label = `${c.change} at +${c.offset} ms`
      expect(new Set(rows.map((r) => r.scheduledForMs)).size, label).toBe(rows.length)
      const after = rows.filter((r) => r.scheduledForMs > ackAt)
      if (c.change === 'patch') {
        // Every fire after the change runs the new version, and none went missing.
        expect(after.length, label).toBeGreaterThan(0)
        expect(
          after.every((r) => r.input['v'] === 2),
          label,
        ).toBe(true)
        expectEverySecond(rows, c.firstMs, Math.floor(Date.now() / 1000) * 1000 - 1000, label)
      } else {
        expect(after, label).toEqual([])
        expect(await getDueEntry(fleet.redis.redis, keys, c.id), label).toEqual(
          c.change === 'delete' ? null : { scoreMs: null, version: 2 },
        )
      }
    }
    await Promise.all(started.map((w) => w.stop()))
  }, 60_000)
})
