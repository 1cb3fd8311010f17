import { sleep, waitFor } from '@punctual/core/testing'
import { createDb, type DbHandle } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createExecutionQueue, createKeys, type ExecutionQueue, type QueueKeys } from '@punctual/queue'
import { createTestRedis, deleteMatching, startTcpProxy, type TestRedis } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunnerEventMap } from '../src/runner/events.ts'
import { createRunner, type Runner, type RunnerConfig } from '../src/runner/index.ts'
import {
  createExecution,
  createExecutions,
  getExecution,
  insertWorkflow,
  nextEvent,
  silentLogger,
} from '../src/runner/testing.ts'

let db: TestDatabase
let r: TestRedis
const patterns: string[] = []
const runners: Runner[] = []
const handles: DbHandle[] = []
let n = 0

beforeAll(async () => {
  ;[db, r] = await Promise.all([createTestDatabase(), createTestRedis()])
})
afterEach(async () => {
  await Promise.all(runners.splice(0).map((x) => x.stop({ timeoutMs: 0 })))
  await Promise.all(handles.splice(0).map((h) => h.close(1)))
})
afterAll(async () => {
  for (const p of patterns) await deleteMatching(r.redis, p)
  await Promise.all([db?.close(), r?.cleanup()])
})

function fresh(): { keys: QueueKeys; queue: ExecutionQueue } {
  const keys = createKeys(`${r.prefix}.${++n}`)
  patterns.push(keys.scanPattern)
  return { keys, queue: createExecutionQueue(r.redis, keys) }
}

function runner(
  keys: QueueKeys,
  workerId: string,
  config: Partial<RunnerConfig> = {},
  database: DbHandle = db,
): Runner {
  const x = createRunner({
    db: database,
    redis: r.redis,
    keys,
    workerId,
    logger: silentLogger(),
    config: {
      concurrency: 10,
      leaseMs: 30_000,
      pollMs: 20,
      outbound: { allowPrivate: true, allowlist: undefined },
      ...config,
    },
  })
  runners.push(x)
  return x
}

/** Every execution event a runner emits, for "it reported nothing" checks. */
function recordEvents(x: Runner) {
  const seen: { name: keyof RunnerEventMap; id: string }[] = []
  for (const name of [
    'execution.started',
    'execution.succeeded',
    'execution.retrying',
    'execution.dead',
    'execution.cancelled',
    'execution.lost',
  ] as const) {
    x.events.on(name, (e: { id: string }) => seen.push({ name, id: e.id }))
  }
  return seen
}

const noRetry = { maxAttempts: 1 }

describe('runner leases', () => {
  it('a lost lease (reclaimed by another worker after expiry) is aborted locally and not reported', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'wait', type: 'delay', ms: 1500 }] })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: { maxAttempts: 3 } })
    const a = runner(keys, 'worker-a', { leaseMs: 600 })
    const seenA = recordEvents(a)
    const startedA = nextEvent(a.events, 'execution.started', (e) => e.id === id)
    a.start()
    await startedA
    // A claims nothing more from here (it would otherwise race B for the reclaimed execution).
    a.pause()
    // Worker A stalls past its lease: expire it and let the queue reclaim it, as another worker's dequeue does.
    await r.redis.zadd(keys.running, 0, id)
    expect(await queue.reclaimExpired(Date.now())).toEqual([id])
    const lost = nextEvent(a.events, 'execution.lost', (e) => e.id === id)
    const b = runner(keys, 'worker-b')
    const doneB = nextEvent(b.events, 'execution.succeeded', (e) => e.id === id, 10_000)
    b.start()
    expect((await lost).reason).toBe('lease-lost')
    await doneB
    await sleep(300)
    expect(a.running()).toBe(0)
    expect(seenA.filter((e) => e.id === id).map((e) => e.name)).toEqual([
      'execution.started',
      'execution.lost',
    ])
    const row = (await getExecution(db.sql, id))!
    expect(row).toMatchObject({ status: 'succeeded', worker_id: 'worker-b', attempt: 2 })
    // Only B's attempt is in the history: A reported nothing.
    expect(row.steps.map((s) => s['attempt'])).toEqual([2])
  })

  it('renews leases while an execution runs longer than the lease', async () => {
    const { keys, queue } = fresh()
    // Three leases long, renewed every third of one; a lease of 1 s rides out the event-loop stalls of a
    // loaded CI machine (300 ms did not: a renewal came late and the thief took the execution).
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'wait', type: 'delay', ms: 3000 }] })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    const a = runner(keys, 'worker-a', { leaseMs: 1000 })
    const seen = recordEvents(a)
    const done = nextEvent(a.events, 'execution.succeeded', (e) => e.id === id)
    a.start()
    // Another worker polling all along never gets it.
    const other: string[] = []
    const poll = setInterval(() => {
      queue
        .dequeue({ workerId: 'thief', count: 10, leaseMs: 1000, now: Date.now() })
        .then((d) => other.push(...d.items.map((i) => i.id)))
        .catch(() => {})
    }, 50)
    try {
      await done
    } finally {
      clearInterval(poll)
    }
    expect(other).toEqual([])
    expect(seen.map((e) => e.name)).toEqual(['execution.started', 'execution.succeeded'])
  })
})

describe('runner stop', () => {
  it('waits for running executions that finish within the timeout', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'wait', type: 'delay', ms: 300 }] })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    const a = runner(keys, 'worker-a')
    const started = nextEvent(a.events, 'execution.started', (e) => e.id === id)
    a.start()
    await started
    await a.stop({ timeoutMs: 5000 })
    expect(await getExecution(db.sql, id)).toMatchObject({ status: 'succeeded', attempt: 1 })
    expect(await queue.size()).toBe(0)
  })

  it('aborts what is still running at the timeout and hands it back at once: same id, same attempt', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'wait', type: 'delay', ms: 800 }] })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: noRetry })
    const a = runner(keys, 'worker-a')
    const seenA = recordEvents(a)
    const started = nextEvent(a.events, 'execution.started', (e) => e.id === id)
    a.start()
    await started
    // The 30 s lease A held would still run when B starts the execution: handed back, not left to expire.
    const leaseEndsAt = Date.now() + 30_000
    await a.stop({ timeoutMs: 100 })
    // Aborted, not waited for: A reported the start and nothing after it.
    expect(seenA.map((e) => e.name)).toEqual(['execution.started'])
    // Back in ready at once (the 30 s lease was released, not left to expire), and queued again in Postgres.
    expect(await queue.get(id)).toMatchObject({ state: 'ready', owner: null })
    expect(await getExecution(db.sql, id)).toMatchObject({ status: 'queued', attempt: 0, worker_id: null })
    const b = runner(keys, 'worker-b')
    const startedB = nextEvent(b.events, 'execution.started', (e) => e.id === id)
    const doneB = nextEvent(b.events, 'execution.succeeded', (e) => e.id === id)
    b.start()
    await startedB
    expect(Date.now()).toBeLessThan(leaseEndsAt)
    await doneB
    expect(await getExecution(db.sql, id)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      worker_id: 'worker-b',
    })
  })

  it('hands back claimed-but-not-started work at once (Postgres unreachable at start)', async () => {
    const { keys, queue } = fresh()
    const workflowId = await insertWorkflow(db.sql, { steps: [{ name: 'd', type: 'delay', ms: 0 }] })
    const ids = await createExecutions(
      db.sql,
      queue,
      Array.from({ length: 4 }, () => ({ workflowId, retryPolicy: noRetry })),
    )
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
    try {
      proxy.cut()
      const unreachable = createDb(proxy.url(db.url), { max: 2, connectTimeoutSeconds: 1 })
      handles.push(unreachable)
      const a = runner(keys, 'worker-a', { concurrency: 4, dbTimeoutMs: 1000 }, unreachable)
      const backoff = nextEvent(a.events, 'runner.backoff', (e) => e.phase === 'start')
      a.start()
      await backoff
      const snapshot = await Promise.all(ids.map((id) => queue.get(id)))
      expect(snapshot.map((s) => [s?.state, s?.owner])).toEqual(ids.map(() => ['running', 'worker-a']))
      // Handed back without waiting out the stop timeout (nothing had started, so nothing to wait for).
      const stopTimeoutMs = 60_000
      const first = await Promise.race([
        a.stop({ timeoutMs: stopTimeoutMs }).then(() => 'stop returned'),
        sleep(stopTimeoutMs / 3).then(() => 'still waiting'),
      ])
      expect(first).toBe('stop returned')
      const after = await Promise.all(ids.map((id) => queue.get(id)))
      expect(after.map((s) => s?.state)).toEqual(ids.map(() => 'ready'))
      const b = runner(keys, 'worker-b')
      const done = new Set<string>()
      b.events.on('execution.succeeded', (e) => done.add(e.id))
      b.start()
      await waitFor('every execution to finish', () => done.size === ids.length, { timeoutMs: 5000 })
      for (const id of ids) {
        expect(await getExecution(db.sql, id)).toMatchObject({
          status: 'succeeded',
          attempt: 1,
          worker_id: 'worker-b',
        })
      }
    } finally {
      await proxy.close()
    }
  })
})
