import { sleep, waitFor } from '@punctual/core/testing'
import {
  createExecutionQueue,
  createRedis,
  type ExecutionQueue,
  type QueueKeys,
  waitForReady,
} from '@punctual/queue'
import { startTcpProxy } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createWakeup } from '../src/loop/index.ts'
import { ClaimLoop, type ClaimLoopDeps, startBatchOf } from '../src/runner/claim-loop.ts'
import type { ExecutionLostEvent } from '../src/runner/events.ts'
import { type Job, JobTable } from '../src/runner/job.ts'
import { createExecutions, insertWorkflow, silentLogger } from '../src/runner/testing.ts'
import { leaseKeeper, type PartsContext, recordingBackoff, setupParts } from './runner-parts.ts'

let ctx: PartsContext
let workflowId: string
const stops: (() => Promise<void>)[] = []

beforeAll(async () => {
  ctx = await setupParts()
  workflowId = await insertWorkflow(ctx.db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
})
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
})
afterAll(async () => {
  await ctx?.close()
})

const W = 'w-claim'

/**
 * A claim loop over its own keyspace; the batch start only records the batches it is handed (their jobs keep
 * their slots until the test frees them), the end writer is a flag.
 */
function setup(opts: {
  concurrency: number
  pollMs?: number
  queue?: ExecutionQueue
  keys?: QueueKeys
  aheadHoldMs?: number
  aheadRestMs?: number
  aheadMaxRunMs?: number
}) {
  const fresh = ctx.fresh()
  const queue = opts.queue ?? fresh.queue
  const wakeup = createWakeup()
  const lost: ExecutionLostEvent[] = []
  const table = new JobTable({
    workerId: W,
    logger: silentLogger(),
    onFree: wakeup.wake,
    onLost: (e) => lost.push(e),
  })
  const leases = leaseKeeper(ctx.db, table, queue, W)
  const started: Job[][] = []
  /** ClaimLoop.inBurst as each batch was handed to the start. */
  const burstAtStart: boolean[] = []
  const quiet: boolean[] = []
  const ends = { full: false, claimsQuiet: (wasBurst: boolean) => void quiet.push(wasBurst) }
  const backoffs = {
    pg: recordingBackoff('start').backoff,
    pgWrite: recordingBackoff('finish').backoff,
    redisClaim: recordingBackoff('claim'),
  }
  const state = { running: true }
  const deps: ClaimLoopDeps = {
    queue,
    workerId: W,
    now: Date.now,
    concurrency: opts.concurrency,
    leaseMs: 30_000,
    tenantMaxRunning: 0,
    pollMs: opts.pollMs ?? 20,
    table,
    wakeup,
    backoffs: { pg: backoffs.pg, pgWrite: backoffs.pgWrite, redisClaim: backoffs.redisClaim.backoff },
    ends,
    starter: {
      start: async (batch) => {
        started.push(batch)
        burstAtStart.push(loop.inBurst)
      },
    },
    releaseLeases: (jobs) => leases.release(jobs),
    track: () => {},
    running: () => state.running,
    aheadHoldMs: opts.aheadHoldMs,
    aheadRestMs: opts.aheadRestMs,
    aheadMaxRunMs: opts.aheadMaxRunMs,
  }
  const loop = new ClaimLoop(deps)
  let done: Promise<void> | undefined
  const stop = async () => {
    state.running = false
    wakeup.wake()
    await done
  }
  stops.push(stop)
  return {
    loop,
    queue: opts.queue ?? fresh.queue,
    keys: opts.keys ?? fresh.keys,
    table,
    started,
    burstAtStart,
    quiet,
    ends,
    lost,
    backoffs,
    wakeup,
    start: () => {
      done = loop.run()
    },
    stop,
  }
}

const flat = (batches: Job[][]) => batches.flat().map((j) => j.id)

async function enqueue(queue: ExecutionQueue, n: number, scheduledForMs?: number) {
  return createExecutions(
    ctx.db.sql,
    queue,
    Array.from({ length: n }, (_, i) => ({ workflowId, priority: 9 - i, scheduledForMs })),
  )
}

describe('claim loop', () => {
  it('claims for the free slots; in a burst claims the next batch ahead, started as soon as a slot frees', async () => {
    const s = setup({ concurrency: 3 })
    const ids = await enqueue(s.queue, 5)
    s.start()
    await waitFor(
      'five leased: three started, two claimed ahead',
      async () => (await s.queue.stats()).running === 5,
    )
    expect(flat(s.started)).toEqual(ids.slice(0, 3))
    expect(s.table.busy).toBe(3)
    const ahead = ids.slice(3).map((id) => s.table.jobs.get(id)!)
    expect(ahead.map((j) => j.phase)).toEqual(['prefetched', 'prefetched'])
    // The batch ahead found fewer than it asked for: the burst is over, which the end writer hears.
    expect(s.quiet).toEqual([true])
    expect(s.loop.busy).toBe(false)
    s.table.setPhase(s.started[0]![0]!, 'finishing')
    await waitFor('a claimed-ahead one started', () => s.started.length === 2)
    expect(flat(s.started)).toEqual(ids.slice(0, 4))
    expect([ahead[0]!.phase, ahead[1]!.phase, s.table.busy]).toEqual(['starting', 'prefetched', 3])
    // Stopping hands back what is still claimed ahead, untouched.
    await s.stop()
    expect(await s.queue.get(ids[4]!)).toMatchObject({ state: 'ready', owner: null })
    expect(await s.queue.get(ids[3]!)).toMatchObject({ state: 'running', owner: W })
  })

  it('starts a burst in batches of half the slots: one half runs while the other starts', async () => {
    expect([1, 2, 3, 50].map(startBatchOf)).toEqual([1, 1, 2, 25])
    const s = setup({ concurrency: 4 })
    const ids = await enqueue(s.queue, 10)
    s.start()
    await waitFor('four started, four claimed ahead', async () => (await s.queue.stats()).running === 8)
    expect(s.started.map((b) => b.length)).toEqual([2, 2])
    // The first half's runs end: the next half starts from the batch claimed ahead, the other half still busy.
    for (const job of s.started[0]!) s.table.setPhase(job, 'finishing')
    await waitFor('the next half started', () => s.started.length === 3)
    expect(s.started.map((b) => b.length)).toEqual([2, 2, 2])
    expect(flat(s.started)).toEqual(ids.slice(0, 6))
    expect(s.table.busy).toBe(4)
  })

  it('a burst is under way while dequeues fill every slot, and over once they stop though the slots stay full', async () => {
    const s = setup({ concurrency: 3 })
    await enqueue(s.queue, 6)
    s.start()
    await waitFor('three started, three claimed ahead', async () => (await s.queue.stats()).running === 6)
    // The first dequeue filled every slot: a burst, as retention sees it (it waits for bursts to pass).
    expect(s.burstAtStart[0]).toBe(true)
    // Then nothing more is dequeued (every slot busy, a batch held ahead): the burst flag stays, the burst is over.
    await waitFor('no dequeue lately', () => !s.loop.inBurst)
    expect(s.loop.busy).toBe(true)
  })

  it('a batch claimed ahead behind long runs goes back after the hold, and none is claimed ahead for the rest', async () => {
    const s = setup({ concurrency: 2, pollMs: 1000, aheadHoldMs: 150, aheadRestMs: 600 })
    const ids = await enqueue(s.queue, 5)
    s.start()
    await waitFor('two started, two claimed ahead', async () => (await s.queue.stats()).running === 4)
    const claimedAt = Date.now()
    expect(flat(s.started)).toEqual(ids.slice(0, 2))
    // The slots stay busy (long runs): the batch ahead goes back to the queue, in its place, after the hold
    // (the loop's 1 s poll does not keep it longer).
    await waitFor('the batch ahead handed back', async () => (await s.queue.stats()).running === 2, {
      intervalMs: 10,
    })
    const heldMs = Date.now() - claimedAt
    expect(heldMs).toBeGreaterThanOrEqual(100)
    expect(heldMs).toBeLessThan(900)
    for (const id of ids.slice(2))
      expect(await s.queue.get(id)).toMatchObject({ state: 'ready', owner: null })
    // Resting: the slots are still busy and nothing is claimed ahead again.
    await sleep(250)
    expect((await s.queue.stats()).running).toBe(2)
    // A slot frees: the next in the queue starts (claimed for the slot, not ahead).
    s.table.setPhase(s.started[0]![0]!, 'finishing')
    await waitFor('the next one started', () => flat(s.started).length === 3)
    expect(flat(s.started)).toEqual(ids.slice(0, 3))
  })

  it('never claims ahead while runs have lately held their slots long; claims ahead again once they are short', async () => {
    const s = setup({ concurrency: 2, pollMs: 20, aheadMaxRunMs: 40 })
    const prefetched = () => [...s.table.jobs.values()].filter((j) => j.phase === 'prefetched').length
    const startedJobs = () => s.started.flat()
    /** Runs the oldest started job for `ms` (its slot held meanwhile), then frees its slot. */
    const run = async (ms: number) => {
      const job = startedJobs().find((j) => j.phase === 'starting')!
      s.table.setPhase(job, 'running')
      await sleep(ms)
      s.table.setPhase(job, 'finishing')
    }
    await enqueue(s.queue, 1)
    s.start()
    await waitFor('the first started', () => startedJobs().length === 1)
    await run(100)
    expect(s.table.recentRunMs).toBeGreaterThan(40)
    // A burst arrives while runs are long: the free slots are claimed for, nothing ahead.
    await enqueue(s.queue, 10)
    await enqueue(s.queue, 10)
    await waitFor('both slots claimed for', () => startedJobs().length === 3 && s.table.busy === 2)
    expect(s.loop.busy).toBe(true)
    // Leased in Redis: only the executions started (the ended ones are not acked by this test).
    await sleep(200)
    expect([prefetched(), (await s.queue.stats()).running]).toEqual([0, 3])
    // A slot frees after another long run: the next one is claimed for it, still nothing ahead.
    await run(100)
    await waitFor('the freed slot claimed for', () => startedJobs().length === 4)
    await sleep(100)
    expect([prefetched(), (await s.queue.stats()).running]).toEqual([0, 4])
    // Short runs bring the average down: a batch is claimed ahead again.
    while (s.table.recentRunMs > 40) {
      const n = startedJobs().length
      await run(0)
      await waitFor('the freed slot refilled', () => startedJobs().length > n || prefetched() > 0)
    }
    await waitFor('a batch claimed ahead', () => prefetched() > 0)
  })

  it('pause hands back what was claimed ahead and claims nothing until resume', async () => {
    const s = setup({ concurrency: 1 })
    const ids = await enqueue(s.queue, 2)
    s.start()
    await waitFor('one started, one claimed ahead', async () => (await s.queue.stats()).running === 2)
    s.loop.pause()
    expect(s.loop.paused).toBe(true)
    await waitFor(
      'the one claimed ahead handed back',
      async () => (await s.queue.get(ids[1]!))?.state === 'ready',
    )
    s.table.setPhase(s.started[0]![0]!, 'finishing')
    await sleep(200)
    expect(s.started).toHaveLength(1)
    s.loop.resume()
    await waitFor('the second one started', () => s.started.length === 2)
    expect(flat(s.started)).toEqual(ids)
  })

  it('claims nothing while the end writer is full, handing back what was claimed ahead', async () => {
    const s = setup({ concurrency: 1 })
    const ids = await enqueue(s.queue, 3)
    s.start()
    await waitFor('one started, one claimed ahead', async () => (await s.queue.stats()).running === 2)
    s.ends.full = true
    await waitFor(
      'the one claimed ahead handed back',
      async () => (await s.queue.get(ids[1]!))?.state === 'ready',
    )
    s.table.setPhase(s.started[0]![0]!, 'finishing')
    await sleep(200)
    expect(s.started).toHaveLength(1)
    s.ends.full = false
    await waitFor('the next one started', () => s.started.length === 2)
  })

  it('waits while a phase it needs backs off', async () => {
    const s = setup({ concurrency: 2 })
    for (let i = 0; i < 10; i++) s.backoffs.pg.fail(new Error('Postgres away')) // 1 to 2 s
    await enqueue(s.queue, 1)
    s.start()
    await sleep(200)
    expect(s.started).toEqual([])
    expect((await s.queue.stats()).ready).toBe(1)
    s.backoffs.pg.ok()
    s.wakeup.wake()
    await waitFor('the execution started', () => s.started.length === 1)
  })

  it('claims work recorded ahead at its time, not at the next poll', async () => {
    const s = setup({ concurrency: 2, pollMs: 600_000 })
    const [id] = await enqueue(s.queue, 1, Date.now() + 400)
    s.start()
    await waitFor('the delayed execution started', () => s.started.length === 1)
    expect(flat(s.started)).toEqual([id])
  })

  it('drops its own stale job when the same execution is claimed again after its lease expired', async () => {
    const s = setup({ concurrency: 2 })
    const [id] = await enqueue(s.queue, 1)
    s.start()
    await waitFor('started', () => s.started.length === 1)
    const stale = s.started[0]![0]!
    s.table.setPhase(stale, 'running')
    await ctx.r.redis.zadd(s.keys.running, 0, id!)
    await waitFor('claimed again', () => s.started.length === 2)
    expect(s.lost).toEqual([{ id, workerId: W, reason: 'lease-lost' }])
    expect(stale.controller.signal.aborted).toBe(true)
    expect(s.table.jobs.get(id!)).toBe(s.started[1]![0])
  })

  it('backs off while Redis is away and claims again once it is back', async () => {
    const { keys } = ctx.fresh()
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    const redis = createRedis(proxy.url(ctx.r.url), { name: 'claim-loop-test' })
    try {
      await waitForReady(redis, 5000)
      const s = setup({ concurrency: 2, queue: createExecutionQueue(redis, keys), keys })
      proxy.cut()
      s.start()
      await waitFor('a failed dequeue', () => s.backoffs.redisClaim.failures.length >= 1, {
        timeoutMs: 15_000,
      })
      expect(s.backoffs.redisClaim.failures[0]).toMatchObject({ phase: 'claim', failures: 1 })
      await enqueue(createExecutionQueue(ctx.r.redis, keys), 1)
      await proxy.restore()
      await waitFor('claimed after the restore', () => s.started.length === 1, { timeoutMs: 15_000 })
      await s.stop()
    } finally {
      redis.disconnect()
      await proxy.close()
    }
  })
})
