import { sleep, waitFor } from '@punctual/core/testing'
import { createExecutionQueue, createKeys } from '@punctual/queue'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall } from './fleet.ts'
import { createStopEnv, expectStopped, firesOf, type StopEnv, stop } from './stop-helpers.ts'

// http-api.md, Schedules: no fire starts after a pause's 200 (or an update to enabled: false) or a DELETE's
// 204; fires whose time had come but that had not started end `skipped` with error.reason. Real worker
// processes, real time, 6-field crons.
let env: StopEnv

beforeAll(async () => {
  env = await createStopEnv()
})
afterAll(async () => {
  await env?.close()
})

/**
 * A schedule every 2 s with 6 s of jitter, and one of its fires whose time has come, still waiting for its
 * jitter for at least another 1.5 s.
 */
async function jitteredFire(name: string) {
  const wf = await env.workflow(name, 'hit')
  const s = await env.schedule(wf, name, {
    cronExpression: '*/2 * * * * *',
    jitterMs: 6000,
    overlapPolicy: 'allow',
  })
  const waiting = await waitFor(
    'a fire waiting for its jitter',
    async () => {
      const now = Date.now()
      return (await firesOf(env.fleet, s)).find(
        (r) =>
          r.status === 'queued' &&
          r.scheduled_for_ms <= now &&
          r.available_at_ms !== null &&
          r.available_at_ms > now + 1500,
      )
    },
    { timeoutMs: 30_000 },
  )
  return { s, waiting }
}

describe('stop means stop', () => {
  it('a fire waiting for its jitter never starts after a pause', async () => {
    const w = await env.start()
    const { s, waiting } = await jitteredFire('jittered')
    const stoppedAt = await stop(env.fleet, 'pause', s)
    // Past the moment it would have started, and a margin for a worker to act on it.
    await sleep(Math.max(0, waiting.available_at_ms! - Date.now()) + 2000)
    await expectStopped(env, s, stoppedAt, 'paused', [waiting.id])
    await w.stop()
  }, 150_000)

  for (const how of ['pause', 'delete', 'disable'] as const) {
    it(`a buffer_one fire held behind a running one never starts after a ${how}`, async () => {
      const w = await env.start({ WORKER_CONCURRENCY: '4' })
      const wf = await env.workflow(`held-${how}`, 'hold')
      const s = await env.schedule(wf, `held-${how}`, { overlapPolicy: 'buffer_one' })
      // The first fire runs (held open by the target); a later one waits behind it, held.
      const running = await waitFor(
        'the first fire to run',
        async () => (await firesOf(env.fleet, s)).find((r) => r.status === 'running'),
        { timeoutMs: 45_000 },
      )
      const held = await waitFor(
        'a fire held by buffer_one',
        async () => (await firesOf(env.fleet, s)).find((r) => r.held && r.status === 'queued'),
        { timeoutMs: 45_000 },
      )
      await waitFor(
        'the running fire to reach the target',
        async () => env.target.hits.some((h) => h.executionId === running.id),
        { timeoutMs: 30_000 },
      )
      const stoppedAt = await stop(env.fleet, how, s)
      // The running one ends; a held fire would be released now.
      env.target.release()
      await waitFor(
        'the running fire to end',
        async () =>
          (await firesOf(env.fleet, s)).find((r) => r.id === running.id && r.status === 'succeeded'),
        { timeoutMs: 45_000 },
      )
      await sleep(1500)
      await expectStopped(env, s, stoppedAt, how === 'delete' ? 'deleted' : 'paused', [held.id])
      // Started before the stop: it ran to its end.
      expect((await firesOf(env.fleet, s)).find((r) => r.id === running.id)).toMatchObject({
        status: 'succeeded',
      })
      await w.stop()
      env.target.reset()
    }, 150_000)
  }

  it('fires claimed ahead by a runner never start after a pause', async () => {
    const keys = createKeys(env.fleet.redis.prefix)
    const queue = createExecutionQueue(env.fleet.redis.redis, keys)
    // Held ahead for as long as the test needs (by default a batch goes back after 250 ms behind busy slots),
    // and claimed ahead behind runs however long the held ones were (by default none behind runs over 50 ms).
    const w = await env.start({
      WORKER_CONCURRENCY: '2',
      WORKER_CLAIM_AHEAD_HOLD_MS: '600000',
      WORKER_CLAIM_AHEAD_MAX_RUN_MS: '3600000',
    })
    const wf = await env.workflow('burst', 'hold')
    // A burst each second: three fires ready at once for two slots. The runner takes the two of higher
    // priority, finds every slot busy with the burst still on, and claims the third ahead (leased in Redis,
    // its row still queued and not started) to start it the moment a slot frees up.
    const burst = [
      await env.schedule(wf, 'burst-a', { overlapPolicy: 'allow', priority: 9 }),
      await env.schedule(wf, 'burst-b', { overlapPolicy: 'allow', priority: 9 }),
      await env.schedule(wf, 'burst', { overlapPolicy: 'allow', priority: 0 }),
    ]
    // Which of the three is claimed ahead depends on when each fire of the burst became ready (a loaded
    // machine records them in different rounds): any of them will do, its schedule is the one paused.
    const claimedAhead = async () => {
      for (const schedule of burst) {
        for (const r of await firesOf(env.fleet, schedule)) {
          if (r.status !== 'queued' || r.started_at_ms !== null) continue
          if ((await queue.get(r.id))?.state === 'running') return { schedule, row: r }
        }
      }
      return undefined
    }
    const stillAhead = async () => {
      const first = await claimedAhead()
      if (!first) return undefined
      await sleep(300) // not a start in flight: still claimed and unstarted a moment later
      const again = await claimedAhead()
      return again?.row.id === first.row.id ? first : undefined
    }
    try {
      const ahead = await waitFor('a fire claimed ahead', stillAhead, { timeoutMs: 10_000 }).catch(
        async () => {
          // The first burst's fires became ready in different rounds: the claim ahead found none ready and the
          // burst was over for the runner, whose two slots stay held. Meanwhile fires queued up behind them:
          // ending the held runs frees the slots onto that backlog, a burst whose claim ahead finds work.
          await waitFor(
            'a backlog of queued fires',
            async () => {
              const rows = (await Promise.all(burst.map((b) => firesOf(env.fleet, b)))).flat()
              return rows.filter((r) => r.status === 'queued').length >= 6
            },
            { timeoutMs: 30_000 },
          )
          env.target.release()
          env.target.reset()
          return waitFor('a fire claimed ahead (from the backlog)', stillAhead, { timeoutMs: 45_000 })
        },
      )
      const s = ahead.schedule
      const stoppedAt = await stop(env.fleet, 'pause', s)
      env.target.release()
      await waitFor(
        'every fire of the paused schedule to end',
        async () =>
          (await firesOf(env.fleet, s)).every((r) => r.status === 'succeeded' || r.status === 'skipped'),
        { timeoutMs: 45_000 },
      )
      await sleep(1500)
      await expectStopped(env, s, stoppedAt, 'paused', [ahead.row.id])
      // The runner dropped it: it is no longer leased.
      expect(await queue.get(ahead.row.id)).toBeNull()
    } finally {
      // Whatever happened, nothing of this burst may keep firing into the next tests' workers.
      for (const schedule of burst) await apiCall(env.fleet, 'POST', `/api/schedules/${schedule}/pause`)
      env.target.release()
      await w.stop()
      env.target.reset()
    }
  }, 150_000)

  it('an execution that started before the pause goes on: its retry runs after the pause', async () => {
    const w = await env.start()
    const wf = await env.workflow('flaky', 'flaky')
    const s = await env.schedule(wf, 'flaky', {
      cronExpression: '*/5 * * * * *',
      retryPolicy: { maxAttempts: 3, initialDelayMs: 2000, jitter: 'none' },
    })
    const retrying = await waitFor(
      'a fire whose first attempt failed',
      async () => (await firesOf(env.fleet, s)).find((r) => r.status === 'retrying'),
      { timeoutMs: 60_000 },
    )
    const stoppedAt = await stop(env.fleet, 'pause', s)
    const done = await waitFor(
      'its second attempt to succeed',
      async () => (await firesOf(env.fleet, s)).find((r) => r.id === retrying.id && r.status === 'succeeded'),
      { timeoutMs: 45_000 },
    )
    expect(done.started_at_ms!).toBeLessThan(stoppedAt)
    expect(env.target.hits.filter((h) => h.executionId === retrying.id && h.atMs > stoppedAt)).toHaveLength(1)
    const [row] = await env.fleet.database.sql`select attempt from executions where id = ${retrying.id}`
    expect(row!.attempt).toBe(2)
    await expectStopped(env, s, stoppedAt, 'paused', [])
    await w.stop()
  }, 150_000)

  it('a PATCH that leaves enabled alone skips nothing', async () => {
    const w = await env.start()
    const { s, waiting } = await jitteredFire('renamed')
    const res = await apiCall(env.fleet, 'PATCH', `/api/schedules/${s}`, { name: 'renamed-2' })
    expect(res.status).toBe(200)
    await waitFor(
      'the jittered fire to run',
      async () => env.target.hits.some((h) => h.executionId === waiting.id),
      { timeoutMs: 45_000 },
    )
    await stop(env.fleet, 'pause', s)
    expect((await firesOf(env.fleet, s)).find((r) => r.id === waiting.id)?.status).not.toBe('skipped')
    await w.stop()
  }, 150_000)
})
