import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertSchedule } from '../src/due-index.ts'
import { isRedisUnavailableError, QueueError } from '../src/errors.ts'
import { createExecutionQueue } from '../src/execution-queue.ts'
import type { EnqueueItem } from '../src/execution-queue-api.ts'
import { claimDue, completeClaim } from '../src/fire-claims.ts'
import { syncDueEntries } from '../src/reconcile.ts'
import { createRedis, isReady, type Redis, waitForReady } from '../src/redis.ts'
import { createTestRedis, startTcpProxy, type TcpProxy, type TestRedis } from '../src/testing.ts'

let t: TestRedis
let proxy: TcpProxy
let redis: Redis
beforeAll(async () => {
  t = await createTestRedis()
  const target = new URL(t.url)
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) })
  redis = createRedis(proxy.url(t.url), { name: 'queue-down-test' })
  await waitForReady(redis, 5000)
})
afterAll(async () => {
  redis?.disconnect()
  await proxy?.close()
  await t?.cleanup()
})

const T0 = Date.UTC(2026, 2, 8, 7, 0, 0)
const item = (id: string): EnqueueItem => ({
  id,
  priority: 5,
  scheduledForMs: T0,
  attempt: 1,
  tenant: 'acme',
  workflowId: 'wf',
  kind: 'fire',
})

async function settle(promise: Promise<unknown>) {
  const start = performance.now()
  try {
    await promise
    return { ok: true as const, ms: performance.now() - start, error: undefined }
  } catch (error) {
    return { ok: false as const, ms: performance.now() - start, error }
  }
}

describe('queue operations with Redis unreachable', () => {
  it('reject fast with a 503 QueueError through a cut connection, and work again after restore', async () => {
    const q = createExecutionQueue(redis, t.keys)
    await q.enqueue([item('before-cut')], T0)
    await upsertSchedule(redis, t.keys, {
      scheduleId: 's-down',
      workflowId: 'wf',
      version: 1,
      nextRunAtMs: T0,
      conflictProfile: '',
    })

    proxy.cut()
    const calls: [string, () => Promise<unknown>][] = [
      ['enqueue', () => q.enqueue([item('during-cut')], T0)],
      ['dequeue', () => q.dequeue({ workerId: 'w', count: 10, leaseMs: 1000, now: T0 })],
      ['ack', () => q.ack({ workerId: 'w', id: 'before-cut' })],
      ['renew', () => q.renew({ workerId: 'w', ids: ['before-cut'], leaseMs: 1000, now: T0 })],
      ['release', () => q.release({ workerId: 'w', ids: ['before-cut'] })],
      ['stats', () => q.stats()],
      [
        'claimDue',
        () => claimDue(redis, t.keys, { workerId: 'w', now: T0, lookaheadMs: 0, max: 10, leaseMs: 1000 }),
      ],
      [
        'completeClaim',
        () =>
          completeClaim(redis, t.keys, {
            workerId: 'w',
            scheduleId: 's-down',
            version: 1,
            nextRunAtMs: T0 + 1,
          }),
      ],
      [
        'syncDueEntries',
        () =>
          syncDueEntries(redis, t.keys, [
            { scheduleId: 's-down', workflowId: 'wf', version: 2, nextRunAtMs: T0, conflictProfile: '' },
          ]),
      ],
    ]
    for (const [name, call] of calls) {
      const res = await settle(call())
      expect(res.ok, name).toBe(false)
      expect(res.ms, name).toBeLessThan(2000)
      expect(res.error, name).toBeInstanceOf(QueueError)
      expect(isRedisUnavailableError(res.error), name).toBe(true)
      expect(res.error, name).toMatchObject({ status: 503 })
    }

    proxy.restore()
    await waitForReady(redis, 5000)
    // Nothing was applied while cut.
    expect(await q.get('during-cut')).toBeNull()
    const { items } = await q.dequeue({ workerId: 'w', count: 10, leaseMs: 1000, now: T0 })
    expect(items.map((e) => e.id)).toEqual(['before-cut'])
    expect(await q.ack({ workerId: 'w', id: 'before-cut' })).toEqual({ ok: true })
  })

  it('a silent connection (partition) times out instead of hanging', async () => {
    const q = createExecutionQueue(redis, t.keys)
    await waitForReady(redis, 5000)
    proxy.stall()
    const res = await settle(q.dequeue({ workerId: 'w', count: 1, leaseMs: 1000, now: T0 }))
    expect(res.ok).toBe(false)
    expect(res.ms).toBeLessThan(2500)
    expect(isRedisUnavailableError(res.error)).toBe(true)
    // socketTimeout then destroys the silent socket; the client reconnects once the network is back.
    await expect.poll(() => isReady(redis), { timeout: 3000 }).toBe(false)
    proxy.restore()
    await waitForReady(redis, 5000)
    expect(await q.size()).toBeGreaterThanOrEqual(0)
  })
})
