import { sleep, waitFor } from '@punctual/core/testing'
import { createDb, type DbHandle } from '@punctual/db'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createExecutionQueue, createKeys, createRedis, type Redis, waitForReady } from '@punctual/queue'
import { createTestRedis, deleteMatching, startTcpProxy, type TestRedis } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRunner, type RunnerBackoffEvent } from '../src/runner/index.ts'
import {
  createExecutions,
  type HttpTarget,
  insertWorkflow,
  silentLogger,
  startTarget,
} from '../src/runner/testing.ts'

let db: TestDatabase
let r: TestRedis
let target: HttpTarget
const patterns: string[] = []

beforeAll(async () => {
  ;[db, r] = await Promise.all([createTestDatabase(), createTestRedis()])
  target = await startTarget()
})
afterAll(async () => {
  for (const p of patterns) await deleteMatching(r.redis, p)
  await target?.close()
  await Promise.all([db?.close(), r?.cleanup()])
})

/** Ids that reached the target (the workflow sends `x-exec: {{execution.id}}`). */
function ran(): Set<string> {
  return new Set(target.requests.map((q) => String(q.headers['x-exec'])))
}

async function statuses(ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.sql<{ id: string; status: string }[]>`
    select id, status from executions where id = any(${ids as string[]}::uuid[])`
  return new Map(rows.map((x) => [x.id, x.status]))
}

/** Nothing is succeeded that did not reach the target. */
async function expectNoSucceededWithoutRun(ids: readonly string[]) {
  const hit = ran()
  const bogus = [...(await statuses(ids))].filter(([id, s]) => s === 'succeeded' && !hit.has(id))
  expect(bogus).toEqual([])
}

async function workflow(tag: string) {
  return insertWorkflow(db.sql, {
    steps: [
      {
        name: 'call',
        type: 'http',
        method: 'POST',
        url: `${target.url}/hit/${tag}`,
        headers: { 'x-exec': '{{execution.id}}' },
        body: { attempt: '{{execution.attempt}}' },
      },
      { name: 'settle', type: 'delay', ms: 40 },
    ],
  })
}

describe('runner faults', () => {
  it('Postgres going away: backs off, marks nothing succeeded that did not run, resumes by itself', async () => {
    const keys = createKeys(`${r.prefix}.pg`)
    patterns.push(keys.scanPattern)
    const queue = createExecutionQueue(r.redis, keys)
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
    const url = new URL(db.url)
    url.host = `127.0.0.1:${proxy.port}`
    const viaProxy: DbHandle = createDb(url.toString(), { max: 4, connectTimeoutSeconds: 1 })
    const workflowId = await workflow('pg')
    const ids = await createExecutions(
      db.sql,
      queue,
      Array.from({ length: 60 }, () => ({ workflowId, retryPolicy: { maxAttempts: 1 } })),
    )
    const runner = createRunner({
      db: viaProxy,
      redis: r.redis,
      keys,
      workerId: 'w-pg',
      logger: silentLogger(),
      config: {
        concurrency: 4,
        leaseMs: 3000,
        pollMs: 20,
        dbTimeoutMs: 700,
        outbound: { allowPrivate: true, allowlist: undefined },
      },
    })
    const backoffs: RunnerBackoffEvent[] = []
    runner.events.on('runner.backoff', (e) => backoffs.push(e))
    const succeeded = new Set<string>()
    runner.events.on('execution.succeeded', (e) => succeeded.add(e.id))
    try {
      runner.start()
      await waitFor('8 executions to succeed', () => succeeded.size >= 8, { timeoutMs: 10_000 })
      proxy.cut()
      const hitsAtCut = ran().size
      await sleep(2500)
      // While Postgres is away: the runner is up, backing off, and no row claims a run that did not happen.
      expect(runner.state).toBe('running')
      expect(backoffs.some((b) => b.phase === 'start' || b.phase === 'finish')).toBe(true)
      await expectNoSucceededWithoutRun(ids)
      // Executions that started before the cut may finish their steps, but no new one starts.
      expect(ran().size - hitsAtCut).toBeLessThanOrEqual(4)
      proxy.restore()
      await waitFor(
        'every execution to succeed',
        async () => [...(await statuses(ids)).values()].every((s) => s === 'succeeded'),
        { timeoutMs: 30_000 },
      )
      await expectNoSucceededWithoutRun(ids)
      await waitFor('an empty queue', async () => (await queue.size()) === 0, { timeoutMs: 10_000 })
      const rows = await db.sql<{ attempt: number; n: number }[]>`
        select attempt, count(*)::int as n from executions where id = any(${ids}::uuid[]) group by attempt`
      expect(rows.every((x) => x.attempt >= 1)).toBe(true)
    } finally {
      await runner.stop({ timeoutMs: 1000 })
      await viaProxy.close(1)
      await proxy.close()
    }
  }, 60_000)

  it('Redis going away: backs off, marks nothing succeeded that did not run, resumes by itself', async () => {
    const keys = createKeys(`${r.prefix}.redis`)
    patterns.push(keys.scanPattern)
    const queue = createExecutionQueue(r.redis, keys)
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    const redis: Redis = createRedis(proxy.url(r.url), { name: 'runner-faults' })
    await waitForReady(redis, 5000)
    const workflowId = await workflow('redis')
    const ids = await createExecutions(
      db.sql,
      queue,
      Array.from({ length: 60 }, () => ({ workflowId, retryPolicy: { maxAttempts: 1 } })),
    )
    const runner = createRunner({
      db,
      redis,
      keys,
      workerId: 'w-redis',
      logger: silentLogger(),
      config: {
        concurrency: 4,
        // Short, so claims whose answer was lost in the cut come back quickly.
        leaseMs: 1500,
        pollMs: 20,
        outbound: { allowPrivate: true, allowlist: undefined },
      },
    })
    const backoffs: RunnerBackoffEvent[] = []
    runner.events.on('runner.backoff', (e) => backoffs.push(e))
    const succeeded = new Set<string>()
    runner.events.on('execution.succeeded', (e) => succeeded.add(e.id))
    try {
      runner.start()
      await waitFor('8 executions to succeed', () => succeeded.size >= 8, { timeoutMs: 10_000 })
      proxy.cut()
      await sleep(2000)
      expect(runner.state).toBe('running')
      expect(backoffs.some((b) => b.phase === 'claim')).toBe(true)
      await expectNoSucceededWithoutRun(ids)
      proxy.restore()
      await waitFor(
        'every execution to succeed',
        async () => [...(await statuses(ids)).values()].every((s) => s === 'succeeded'),
        { timeoutMs: 30_000 },
      )
      await expectNoSucceededWithoutRun(ids)
      await waitFor('an empty queue', async () => (await queue.size()) === 0, { timeoutMs: 15_000 })
    } finally {
      await runner.stop({ timeoutMs: 1000 })
      redis.disconnect()
      await proxy.close()
    }
  }, 60_000)
})
