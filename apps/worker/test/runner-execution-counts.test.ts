import { sleep, waitFor } from '@punctual/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExecutionCounts } from '../src/runner/execution-counts.ts'
import { insertSchedule, insertWorkflow, silentLogger } from '../src/runner/testing.ts'
import { direct, type PartsContext, setupParts } from './runner-parts.ts'

let ctx: PartsContext
let workflowId: string

beforeAll(async () => {
  ctx = await setupParts()
  workflowId = await insertWorkflow(ctx.db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
})
afterAll(async () => {
  await ctx?.close()
})

function counts(active = () => true, burst?: { busy: boolean; delayMs: number }) {
  return new ExecutionCounts({
    sql: ctx.db.sql,
    pgCall: direct,
    pgWait: () => 0,
    logger: silentLogger(),
    active,
    ...(burst && { claimsBusy: () => burst.busy, burstDelayMs: burst.delayMs }),
  })
}

async function executionCount(scheduleId: string): Promise<number> {
  const [row] = await ctx.db.sql<{ n: number }[]>`
    select execution_count as n from schedules where id = ${scheduleId}`
  return row!.n
}

/** Holds the schedule row locked (as a scheduler recording fires does) until `release` is called. */
function lockSchedule(scheduleId: string) {
  let release!: () => void
  let locked!: () => void
  const held = new Promise<void>((resolve) => (locked = resolve))
  const done = ctx.db.sql.begin(async (tx) => {
    await tx`select id from schedules where id = ${scheduleId} for update`
    locked()
    await new Promise<void>((resolve) => (release = resolve))
  })
  return { held, release: () => release(), done }
}

describe('execution counts', () => {
  it('adds the fire starts to their schedules, summed per schedule', async () => {
    const a = await insertSchedule(ctx.db.sql, { workflowId })
    const b = await insertSchedule(ctx.db.sql, { workflowId })
    const c = counts()
    c.add(new Map([[a, 2]]))
    c.add(
      new Map([
        [a, 1],
        [b, 1],
      ]),
    )
    c.add(new Map())
    await waitFor(
      'both counts written',
      async () => (await executionCount(a)) === 3 && (await executionCount(b)) === 1,
    )
    expect(c.pending).toBe(0)
  })

  it('skips a schedule row a scheduler holds locked and counts it at a later turn', async () => {
    const scheduleId = await insertSchedule(ctx.db.sql, { workflowId })
    const lock = lockSchedule(scheduleId)
    await lock.held
    const c = counts()
    c.add(new Map([[scheduleId, 4]]))
    // Several turns (every 50 ms) while it is locked: nothing written, nothing lost, nothing waiting on the lock.
    await sleep(300)
    expect(c.pending).toBe(1)
    lock.release()
    await lock.done
    await waitFor('the count written', async () => (await executionCount(scheduleId)) === 4)
    expect(c.pending).toBe(0)
  })

  it('waits while a burst of claims goes on, and writes once it is over', async () => {
    const scheduleId = await insertSchedule(ctx.db.sql, { workflowId })
    const burst = { busy: true, delayMs: 600_000 }
    const c = counts(() => true, burst)
    c.add(new Map([[scheduleId, 2]]))
    // Several flush intervals (50 ms) into the burst: nothing written yet, nothing lost.
    await sleep(300)
    expect(await executionCount(scheduleId)).toBe(0)
    expect(c.pending).toBe(1)
    burst.busy = false
    await waitFor('the count written after the burst', async () => (await executionCount(scheduleId)) === 2)
    await c.stop(performance.now() + 1000)
  })

  it('waits for a burst at most burstDelayMs after the first pending count', async () => {
    const scheduleId = await insertSchedule(ctx.db.sql, { workflowId })
    const c = counts(() => true, { busy: true, delayMs: 150 })
    const t0 = performance.now()
    c.add(new Map([[scheduleId, 1]]))
    await waitFor('the count written during the burst', async () => (await executionCount(scheduleId)) === 1)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140)
    await c.stop(performance.now() + 1000)
  })

  it('stop writes what is pending; what stays locked is let go by the deadline', async () => {
    const written = await insertSchedule(ctx.db.sql, { workflowId })
    const c = counts()
    c.add(new Map([[written, 1]]))
    await c.stop(performance.now() + 5000)
    expect(await executionCount(written)).toBe(1)

    const locked = await insertSchedule(ctx.db.sql, { workflowId })
    const lock = lockSchedule(locked)
    await lock.held
    let active = true
    const d = counts(() => active)
    d.add(new Map([[locked, 1]]))
    await d.stop(performance.now() + 5000)
    active = false
    expect(d.pending).toBe(1)
    lock.release()
    await lock.done
    // Stopped: no turn is armed any more.
    await sleep(200)
    expect(await executionCount(locked)).toBe(0)
  })
})
