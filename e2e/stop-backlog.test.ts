import { sleep, waitFor } from '@punctual/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall } from './fleet.ts'
import { createStopEnv, expectStopped, firesOf, type StopEnv, stop } from './stop-helpers.ts'

// http-api.md, Schedules: a backlog of due fires, recorded but not started because every worker slot is
// busy, never starts after a pause. Its own file (it waits for 100 one-second fires) so it runs beside the
// other stop tests.
let env: StopEnv

beforeAll(async () => {
  env = await createStopEnv()
})
afterAll(async () => {
  await env?.close()
})

const BACKLOG = 100

describe('stop means stop: a backlog', () => {
  it(`${BACKLOG} recorded, unstarted fires behind a busy slot never start after a pause`, async () => {
    await env.start({ WORKER_CONCURRENCY: '1' })
    // The one slot is held by a long manual execution of another schedule.
    const long = await env.schedule(await env.workflow('long', 'hold'), 'long', {
      cronExpression: '0 0 1 1 *',
    })
    const manual = await apiCall<{ executionId: string }>(
      env.fleet,
      'POST',
      `/api/schedules/${long}/trigger`,
      {},
    )
    expect(manual.status).toBe(202)
    await waitFor(
      'the long execution to hold the slot',
      async () => env.target.hits.some((h) => h.executionId === manual.body.executionId),
      { timeoutMs: 15_000 },
    )
    const s = await env.schedule(await env.workflow('every-second', 'hit'), 'every-second', {
      overlapPolicy: 'allow',
    })
    const backlog = await waitFor(
      `${BACKLOG} due fires waiting`,
      async () => {
        const now = Date.now()
        const due = (await firesOf(env.fleet, s)).filter(
          (r) => r.status === 'queued' && r.started_at_ms === null && r.scheduled_for_ms <= now,
        )
        return due.length >= BACKLOG ? due : undefined
      },
      { timeoutMs: (BACKLOG + 30) * 1000 },
    )
    const stoppedAt = await stop(env.fleet, 'pause', s)
    env.target.release()
    await waitFor(
      'the long execution to end',
      async () =>
        (
          await env.fleet.database.sql`select 1 from executions
                                       where id = ${manual.body.executionId} and status = 'succeeded'`
        ).length,
      { timeoutMs: 15_000 },
    )
    // Time for the freed slot to take whatever it could still take.
    await sleep(3000)
    await expectStopped(
      env,
      s,
      stoppedAt,
      'paused',
      backlog.map((r) => r.id),
    )
    const rows = await firesOf(env.fleet, s)
    expect(rows.filter((r) => r.status === 'skipped').length).toBeGreaterThanOrEqual(BACKLOG)
    expect(env.target.hits.filter((h) => rows.some((r) => r.id === h.executionId))).toEqual([])
  }, 200_000)
})
