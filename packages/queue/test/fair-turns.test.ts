import { waitFor } from '@punctual/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createExecutionQueue } from '../src/execution-queue.ts'
import type { EnqueueItem, ExecutionQueue } from '../src/execution-queue-api.ts'
import { createKeys, type QueueKeys } from '../src/keys.ts'
import { createRedis, waitForReady } from '../src/redis.ts'
import { createTestRedis, deleteMatching, type TestRedis } from '../src/testing.ts'

/** Fair turns between tenants and concurrency caps (issue 13), on the real Redis. */

let t: TestRedis
const keyspaces: string[] = []
beforeAll(async () => {
  t = await createTestRedis()
})
afterAll(async () => {
  for (const pattern of keyspaces) await deleteMatching(t.redis, pattern)
  await t?.cleanup()
})

const T0 = Date.UTC(2026, 2, 8, 7, 0, 0)
const LEASE = 30_000
let n = 0

function freshQueue(): { q: ExecutionQueue; keys: QueueKeys } {
  const keys = createKeys(`${t.prefix}.fair${++n}`)
  keyspaces.push(keys.scanPattern)
  return { q: createExecutionQueue(t.redis, keys), keys }
}

function item(id: string, tenant: string, over: Partial<EnqueueItem> = {}): EnqueueItem {
  return {
    id,
    priority: 5,
    scheduledForMs: T0,
    attempt: 0,
    tenant,
    workflowId: `wf-${tenant}`,
    kind: 'manual',
    ...over,
  }
}

const ids = (items: { id: string }[]) => items.map((i) => i.id)

async function claim(
  q: ExecutionQueue,
  count: number,
  opts: { workerId?: string; now?: number; cap?: number } = {},
) {
  return q.dequeue({
    workerId: opts.workerId ?? 'w1',
    count,
    leaseMs: LEASE,
    now: opts.now ?? T0,
    tenantMaxRunning: opts.cap,
  })
}

describe('fair turns between tenants', () => {
  it("serves a tenant's one execution after at most one turn of another tenant's backlog of higher priority", async () => {
    const { q } = freshQueue()
    await q.enqueue(
      Array.from({ length: 1000 }, (_, i) => item(`a${i}`, 'A', { priority: 9, scheduledForMs: T0 + i })),
      T0,
    )
    await q.enqueue([item('b0', 'B', { priority: 0 })], T0)
    const { items } = await claim(q, 2)
    expect(ids(items)).toEqual(['a0', 'b0'])
    // A's own order is kept: priority, then time.
    expect(ids((await claim(q, 3)).items)).toEqual(['a1', 'a2', 'a3'])
  })

  it('takes one execution per tenant per round, in the order the tenants became ready', async () => {
    const { q } = freshQueue()
    for (const tenant of ['A', 'B', 'C']) {
      await q.enqueue(
        [0, 1, 2].map((i) => item(`${tenant}${i}`, tenant, { scheduledForMs: T0 + i })),
        T0,
      )
    }
    expect(ids((await claim(q, 7)).items)).toEqual(['A0', 'B0', 'C0', 'A1', 'B1', 'C1', 'A2'])
    // The rotation carries over between dequeues: B is next.
    expect(ids((await claim(q, 5)).items)).toEqual(['B2', 'C2'])
  })

  it("a promotion of many due executions keeps each tenant's order and the tenants' order of first due", async () => {
    const { q, keys } = freshQueue()
    // 900 delayed executions: C's first is due first, then A's (over two workflows), then B's; priorities
    // mixed within each tenant. One dequeue promotes them all at once.
    const later: EnqueueItem[] = []
    for (let i = 0; i < 300; i++) {
      for (const [tenant, offset] of [
        ['C', 0],
        ['A', 1],
        ['B', 2],
      ] as const) {
        later.push(
          item(`${tenant}${i}`, tenant, {
            priority: i % 3 === 0 ? 7 : 3,
            scheduledForMs: T0 + 10 * i + offset,
            availableAtMs: T0 + 1000 + 10 * i + offset,
            workflowId: tenant === 'A' ? `wf-A${i % 2}` : `wf-${tenant}`,
          }),
        )
      }
    }
    await q.enqueue(later, T0)
    const first = await claim(q, 6, { now: T0 + 100_000 })
    expect(first.promoted).toBe(900)
    // Turns in the order the tenants' first executions became due; each tenant's best: priority 7 first.
    expect(ids(first.items)).toEqual(['C0', 'A0', 'B0', 'C3', 'A3', 'B3'])
    // Every tenant's line holds the rest in priority-then-time order, and the counters moved exactly.
    for (const tenant of ['A', 'B', 'C']) {
      expect(await q.tenantDepths(tenant)).toEqual({ ready: 298, delayed: 0, running: 2 })
    }
    expect((await q.stats()).ready).toBe(894)
    expect(await t.redis.zcard(keys.delayed)).toBe(0)
    const rest = await claim(q, 1000, { now: T0 + 100_000 })
    const ofA = ids(rest.items).filter((id) => id.startsWith('A'))
    const expectedA = Array.from({ length: 300 }, (_, i) => i)
      .filter((i) => i !== 0 && i !== 3)
      .sort((x, y) => Number(y % 3 === 0) - Number(x % 3 === 0) || x - y)
      .map((i) => `A${i}`)
    expect(ofA).toEqual(expectedA.slice(0, ofA.length))
    expect(ofA.length).toBeGreaterThan(250)
  })

  it("orders a tenant's work by priority then time across its workflows", async () => {
    const { q } = freshQueue()
    await q.enqueue(
      [
        item('x-low', 'A', { workflowId: 'wx', priority: 1 }),
        item('y-high-late', 'A', { workflowId: 'wy', priority: 8, scheduledForMs: T0 + 50 }),
        item('x-high', 'A', { workflowId: 'wx', priority: 8 }),
        item('y-mid', 'A', { workflowId: 'wy', priority: 5 }),
      ],
      T0,
    )
    expect(ids((await claim(q, 10)).items)).toEqual(['x-high', 'y-high-late', 'y-mid', 'x-low'])
  })

  it("setPriority re-orders the tenant's own line only", async () => {
    const { q } = freshQueue()
    await q.enqueue([item('a0', 'A'), item('a1', 'A', { scheduledForMs: T0 + 1 }), item('b0', 'B')], T0)
    expect(await q.setPriority('a1', 9)).toEqual({ state: 'ready' })
    expect(ids((await claim(q, 3)).items)).toEqual(['a1', 'b0', 'a0'])
  })

  it('a dequeue of n serves at most n tenants however many have work', async () => {
    const { q, keys } = freshQueue()
    await q.enqueue(
      Array.from({ length: 1000 }, (_, i) => item(`e${i}`, `t${String(i).padStart(4, '0')}`)),
      T0,
    )
    expect(await t.redis.zcard(keys.turns)).toBe(1000)
    const { items } = await claim(q, 10)
    expect(new Set(items.map((i) => i.tenant)).size).toBe(10)
    expect(await t.redis.zcard(keys.turns)).toBe(990)
  })

  it('delayed work, reclaimed leases and hand-backs re-enter their own tenant line', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('a-later', 'A', { availableAtMs: T0 + 100 }), item('b0', 'B')], T0)
    const first = await claim(q, 5)
    expect(ids(first.items)).toEqual(['b0'])
    // b0's lease expires; a-later becomes available: both compete for the next claim, one per tenant.
    const later = await claim(q, 5, { now: T0 + LEASE + 1, workerId: 'w2' })
    expect(later.reclaimed).toBe(1)
    expect(later.promoted).toBe(1)
    expect(ids(later.items).sort()).toEqual(['a-later', 'b0'])
    const { released } = await q.release({ workerId: 'w2', ids: ['b0'] })
    expect(released).toEqual(['b0'])
    expect(ids((await claim(q, 5, { now: T0 + LEASE + 2 })).items)).toEqual(['b0'])
  })
})

describe('concurrency caps', () => {
  it("a workflow's maxConcurrency holds across workers and claim-ahead, and a freed slot lets the next one in", async () => {
    const { q } = freshQueue()
    await q.setWorkflowCap({ workflowId: 'wf-A', tenant: 'A', version: 1, maxConcurrency: 2 })
    await q.enqueue(
      Array.from({ length: 6 }, (_, i) => item(`a${i}`, 'A', { scheduledForMs: T0 + i })),
      T0,
    )
    expect(ids((await claim(q, 5, { workerId: 'w1' })).items)).toEqual(['a0', 'a1'])
    expect((await claim(q, 5, { workerId: 'w2' })).items).toEqual([])
    expect(await q.tenantDepths('A')).toEqual({ ready: 4, delayed: 0, running: 2 })
    // An ack frees one slot; a retry waiting for its next attempt holds none.
    expect(await q.ack({ workerId: 'w1', id: 'a0' })).toEqual({ ok: true })
    expect(await q.retryLater({ workerId: 'w1', id: 'a1', availableAtMs: T0 + 60_000, attempt: 1 })).toEqual({
      ok: true,
    })
    expect(ids((await claim(q, 5, { workerId: 'w2' })).items)).toEqual(['a2', 'a3'])
    expect(await q.tenantDepths('A')).toEqual({ ready: 2, delayed: 1, running: 2 })
  })

  it("a crashed worker's slots come back when its leases expire", async () => {
    const { q } = freshQueue()
    await q.setWorkflowCap({ workflowId: 'wf-A', tenant: 'A', version: 1, maxConcurrency: 1 })
    await q.enqueue([item('a0', 'A'), item('a1', 'A', { scheduledForMs: T0 + 1 })], T0)
    expect(ids((await claim(q, 5, { workerId: 'dead' })).items)).toEqual(['a0'])
    expect((await claim(q, 5, { workerId: 'w2', now: T0 + LEASE - 1 })).items).toEqual([])
    const after = await claim(q, 5, { workerId: 'w2', now: T0 + LEASE })
    expect(after.reclaimed).toBe(1)
    // One slot: the reclaimed a0 (earlier) takes it, a1 still waits.
    expect(ids(after.items)).toEqual(['a0'])
    expect(await q.ack({ workerId: 'dead', id: 'a0' })).toEqual({ ok: false, reason: 'lease-lost' })
    expect(await q.tenantDepths('A')).toEqual({ ready: 1, delayed: 0, running: 1 })
  })

  it('TENANT_MAX_RUNNING caps a tenant across workers while other tenants keep their turns', async () => {
    const { q, keys } = freshQueue()
    await q.enqueue(
      [
        ...Array.from({ length: 5 }, (_, i) =>
          item(`a${i}`, 'A', { workflowId: `wa${i % 2}`, scheduledForMs: T0 + i }),
        ),
        ...Array.from({ length: 10 }, (_, i) => item(`b${i}`, 'B', { scheduledForMs: T0 + i })),
      ],
      T0,
    )
    const w1 = await claim(q, 4, { workerId: 'w1', cap: 2 })
    expect(ids(w1.items)).toEqual(['a0', 'b0', 'a1', 'b1'])
    // Both are at the cap now: a third tenant's work is served, theirs waits.
    await q.enqueue([item('c0', 'C')], T0)
    expect(ids((await claim(q, 4, { workerId: 'w2', cap: 2 })).items)).toEqual(['c0'])
    expect(await q.tenantDepths('A')).toEqual({ ready: 3, delayed: 0, running: 2 })
    // A capped tenant held out of the rotation rejoins when one of its slots frees, and idle workers hear it.
    const sub = createRedis(t.url, { name: 'fair-turns-ready-signal' })
    const heard: string[] = []
    sub.on('message', (channel) => heard.push(channel))
    try {
      await waitForReady(sub, 5000)
      await sub.subscribe(keys.readyChannel)
      expect(await q.ack({ workerId: 'w1', id: 'a0' })).toEqual({ ok: true })
      await waitFor('the ready signal', () => heard.length > 0)
      expect(heard).toEqual([keys.readyChannel])
      expect(ids((await claim(q, 4, { workerId: 'w3', cap: 2 })).items)).toEqual(['a2'])
      expect(await q.tenantDepths('A')).toEqual({ ready: 2, delayed: 0, running: 2 })
    } finally {
      sub.disconnect()
    }
  })

  it('a raised cap lets held-back work in at once; a stale version changes nothing', async () => {
    const { q } = freshQueue()
    await q.setWorkflowCap({ workflowId: 'wf-A', tenant: 'A', version: 2, maxConcurrency: 1 })
    await q.enqueue([item('a0', 'A'), item('a1', 'A', { scheduledForMs: T0 + 1 })], T0)
    expect(ids((await claim(q, 5)).items)).toEqual(['a0'])
    expect(
      await q.setWorkflowCap({ workflowId: 'wf-A', tenant: 'A', version: 1, maxConcurrency: 5 }),
    ).toEqual({ applied: false, version: 2 })
    expect((await claim(q, 5)).items).toEqual([])
    expect(
      await q.setWorkflowCap({ workflowId: 'wf-A', tenant: 'A', version: 3, maxConcurrency: null }),
    ).toEqual({ applied: true, version: 3 })
    expect(ids((await claim(q, 5)).items)).toEqual(['a1'])
  })
})

describe('depths of a tenant of its own', () => {
  it('counts ready, delayed and running per tenant and for the deployment through every move', async () => {
    const { q } = freshQueue()
    await q.enqueue(
      [item('a0', 'A'), item('a1', 'A'), item('a-later', 'A', { availableAtMs: T0 + 10 }), item('b0', 'B')],
      T0,
    )
    expect(await q.tenantDepths('A')).toEqual({ ready: 2, delayed: 1, running: 0 })
    expect(await q.tenantDepths('B')).toEqual({ ready: 1, delayed: 0, running: 0 })
    expect(await q.tenantDepths('nobody')).toEqual({ ready: 0, delayed: 0, running: 0 })
    await claim(q, 1)
    expect(await q.tenantDepths('A')).toEqual({ ready: 1, delayed: 1, running: 1 })
    await q.promoteDue(T0 + 10)
    expect(await q.tenantDepths('A')).toEqual({ ready: 2, delayed: 0, running: 1 })
    expect(await q.cancel('a1')).toEqual({ outcome: 'cancelled', state: 'ready' })
    expect(await q.remove('a0')).toEqual({ removed: true, state: 'running' })
    expect(await q.tenantDepths('A')).toEqual({ ready: 1, delayed: 0, running: 0 })
    expect(await q.stats()).toMatchObject({ ready: 2, delayed: 0, running: 0 })
  })
})

describe('upgrade from the single ready set', () => {
  it('dequeue moves the entries of the old ready set into their tenant lines', async () => {
    const { q, keys } = freshQueue()
    // What an earlier version left: payload hashes and one global ready set.
    for (const [id, tenant] of [
      ['old-a', 'A'],
      ['old-b', 'B'],
    ] as const) {
      await t.redis.hset(keys.execution(id), {
        priority: 5,
        scheduledForMs: T0,
        attempt: 0,
        tenant,
        workflowId: `wf-${tenant}`,
        kind: 'manual',
        scheduleId: '',
        meta: '',
        enqueuedAtMs: T0,
        claim: 0,
        reclaims: 0,
      })
      await t.redis.zadd(keys.legacyReady, 4 * 2 ** 42 + T0, id)
    }
    expect(await q.get('old-a')).toMatchObject({ state: 'ready' })
    expect(await q.stats()).toMatchObject({ ready: 2 })
    const { items } = await claim(q, 5)
    expect(ids(items).sort()).toEqual(['old-a', 'old-b'])
    expect(await t.redis.exists(keys.legacyReady)).toBe(0)
    expect(await q.tenantDepths('A')).toEqual({ ready: 0, delayed: 0, running: 1 })
  })
})
