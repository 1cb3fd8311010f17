import { sleep } from '@punctual/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createExecutionQueue } from '../src/execution-queue.ts'
import type { EnqueueItem, ExecutionQueue } from '../src/execution-queue-api.ts'
import { createKeys } from '../src/keys.ts'
import { createRedis, type Redis, waitForReady } from '../src/redis.ts'
import { createTestRedis, deleteMatching, type TestRedis } from '../src/testing.ts'

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
let n = 0

/** A fresh keyspace per test (deleted after the file), so each test sees only its own queue. */
function freshQueue(): { q: ExecutionQueue; keys: ReturnType<typeof createKeys> } {
  const keys = createKeys(`${t.prefix}.${++n}`)
  keyspaces.push(keys.scanPattern)
  return { q: createExecutionQueue(t.redis, keys), keys }
}

async function countKeys(pattern: string): Promise<number> {
  let cursor = '0'
  let found = 0
  do {
    const [next, batch] = await t.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    found += batch.length
  } while (cursor !== '0')
  return found
}

/** The ready line of workflow wf-1 (every item's default), best first: what dequeue serves acme from. */
async function readyLine(keys: ReturnType<typeof createKeys>, workflowId = 'wf-1'): Promise<string[]> {
  return t.redis.zrange(keys.workflowReady(workflowId), 0, -1)
}

function item(id: string, over: Partial<EnqueueItem> = {}): EnqueueItem {
  return {
    id,
    priority: 5,
    scheduledForMs: T0,
    attempt: 1,
    tenant: 'acme',
    workflowId: 'wf-1',
    kind: 'fire',
    scheduleId: 'sched-1',
    ...over,
  }
}

describe('execution queue', () => {
  it('dequeue tells an idle claimer when the earliest delayed execution becomes available', async () => {
    const { q } = freshQueue()
    expect(
      (await q.dequeue({ workerId: 'w', count: 5, leaseMs: 1000, now: T0 })).nextAvailableAtMs,
    ).toBeNull()
    await q.enqueue(
      [
        item('now', { availableAtMs: T0 }),
        item('in-2s', { availableAtMs: T0 + 2000 }),
        item('in-1s', { availableAtMs: T0 + 1000 }),
      ],
      T0,
    )
    // Ready work remains after a partial claim: no hint (the claimer comes back at once).
    const first = await q.dequeue({ workerId: 'w', count: 0, leaseMs: 1000, now: T0 })
    expect(first.nextAvailableAtMs).toBeNull()
    const drained = await q.dequeue({ workerId: 'w', count: 5, leaseMs: 60_000, now: T0 })
    expect(drained.items.map((e) => e.id)).toEqual(['now'])
    expect(drained.nextAvailableAtMs).toBe(T0 + 1000)
    const later = await q.dequeue({ workerId: 'w', count: 5, leaseMs: 60_000, now: T0 + 1500 })
    expect(later.items.map((e) => e.id)).toEqual(['in-1s'])
    expect(later.nextAvailableAtMs).toBe(T0 + 2000)
  })

  it('an enqueue that makes work ready publishes on the ready channel; a delayed one does not', async () => {
    const { q, keys } = freshQueue()
    const sub = createRedis(t.url, { name: 'ready-channel-test' })
    try {
      await waitForReady(sub, 5000)
      const got: string[] = []
      sub.on('message', (channel: string) => got.push(channel))
      await sub.subscribe(keys.readyChannel)
      await q.enqueue([item('later', { availableAtMs: T0 + 60_000 })], T0)
      await q.enqueue([item('ready-now', { availableAtMs: T0 })], T0)
      // Both enqueues are done; a message from the delayed one would arrive before or with the other.
      for (let i = 0; i < 50 && got.length === 0; i++) await sleep(10)
      expect(got).toEqual([keys.readyChannel])
    } finally {
      sub.disconnect()
    }
  })

  it('orders by priority (higher first), then scheduled time, then id', async () => {
    const { q, keys } = freshQueue()
    await q.enqueue(
      [
        item('p5-late', { priority: 5, scheduledForMs: T0 + 1000 }),
        item('p9-late', { priority: 9, scheduledForMs: T0 + 5000 }),
        item('p0-early', { priority: 0, scheduledForMs: T0 - 60_000 }),
        item('p5-early', { priority: 5, scheduledForMs: T0 }),
        item('p9-early', { priority: 9, scheduledForMs: T0 }),
        item('p5-same-b', { priority: 5, scheduledForMs: T0 + 1000 }),
      ],
      T0,
    )
    expect(await readyLine(keys)).toEqual([
      'p9-early',
      'p9-late',
      'p5-early',
      'p5-late',
      'p5-same-b',
      'p0-early',
    ])
    const { items } = await q.dequeue({ workerId: 'w1', count: 3, leaseMs: 30_000, now: T0 })
    expect(items.map((e) => e.id)).toEqual(['p9-early', 'p9-late', 'p5-early'])
    expect(
      (await q.dequeue({ workerId: 'w1', count: 10, leaseMs: 30_000, now: T0 })).items.map((e) => e.id),
    ).toEqual(['p5-late', 'p5-same-b', 'p0-early'])
  })

  it('keeps the score exact at the extremes of priority and time', async () => {
    const { q, keys } = freshQueue()
    const maxTime = 2 ** 42 - 1
    await q.enqueue(
      [
        item('p0-max', { priority: 0, scheduledForMs: maxTime }),
        item('p0-max-1', { priority: 0, scheduledForMs: maxTime - 1 }),
        item('p1-zero', { priority: 1, scheduledForMs: 0 }),
      ],
      T0,
    )
    expect(await readyLine(keys)).toEqual(['p1-zero', 'p0-max-1', 'p0-max'])
    const top = await q.get('p0-max')
    expect(top?.score).toBe(9 * 2 ** 42 + maxTime)
    expect(Number.isSafeInteger(top!.score)).toBe(true)
    await expect(q.enqueue([item('too-late', { scheduledForMs: 2 ** 42 })], T0)).rejects.toMatchObject({
      queueCode: 'QUEUE_ERR_INVALID_INPUT',
    })
  })

  it('carries the payload a worker needs and reports the lease', async () => {
    const { q } = freshQueue()
    await q.enqueue(
      [
        item('payload', {
          priority: 7,
          attempt: 2,
          kind: 'manual',
          scheduleId: null,
          meta: { manual: true },
        }),
      ],
      T0,
    )
    const { items } = await q.dequeue({ workerId: 'w-payload', count: 1, leaseMs: 5000, now: T0 + 10 })
    expect(items).toEqual([
      {
        id: 'payload',
        priority: 7,
        scheduledForMs: T0,
        attempt: 2,
        tenant: 'acme',
        workflowId: 'wf-1',
        kind: 'manual',
        scheduleId: null,
        meta: { manual: true },
        enqueuedAtMs: T0,
        claim: 1,
        reclaims: 0,
        owner: 'w-payload',
        leaseExpiresAtMs: T0 + 5010,
      },
    ])
    expect(await q.get('payload')).toMatchObject({ state: 'running', score: T0 + 5010, owner: 'w-payload' })
  })

  it('enqueue is idempotent: an id already ready, delayed or running is left alone and reported', async () => {
    const { q } = freshQueue()
    const first = await q.enqueue([item('a'), item('b', { availableAtMs: T0 + 60_000 }), item('c')], T0)
    expect(first).toMatchObject({ enqueued: 3, alreadyQueued: 0 })
    expect(first.results.map((r) => r.state)).toEqual(['ready', 'delayed', 'ready'])
    await q.dequeue({ workerId: 'w1', count: 1, leaseMs: 30_000, now: T0 })

    const again = await q.enqueue(
      [item('a', { priority: 9 }), item('b', { availableAtMs: T0 }), item('c', { attempt: 5 }), item('d')],
      T0,
    )
    expect(again.results).toEqual([
      { id: 'a', enqueued: false, state: 'running' },
      { id: 'b', enqueued: false, state: 'delayed' },
      { id: 'c', enqueued: false, state: 'ready' },
      { id: 'd', enqueued: true, state: 'ready' },
    ])
    expect(await q.get('c')).toMatchObject({ attempt: 1 })
    expect(await q.get('a')).toMatchObject({ priority: 5, claim: 1 })
    expect(await q.stats()).toMatchObject({ ready: 2, delayed: 1, running: 1 })
  })

  it('promotes a delayed execution at exactly its available time, not a millisecond before', async () => {
    const { q } = freshQueue()
    await q.enqueue(
      [item('later', { availableAtMs: T0 + 1000, priority: 9 }), item('now', { priority: 1 })],
      T0,
    )
    expect(await q.stats()).toMatchObject({ ready: 1, delayed: 1 })

    const early = await q.dequeue({ workerId: 'w1', count: 5, leaseMs: 1000, now: T0 + 999 })
    expect(early).toMatchObject({ promoted: 0 })
    expect(early.items.map((e) => e.id)).toEqual(['now'])

    const onTime = await q.dequeue({ workerId: 'w1', count: 5, leaseMs: 1000, now: T0 + 1000 })
    expect(onTime.promoted).toBe(1)
    expect(onTime.items.map((e) => e.id)).toEqual(['later'])
  })

  it('promoteDue moves due delayed executions into ready in priority order', async () => {
    const { q, keys } = freshQueue()
    await q.enqueue(
      [
        item('d-low', { priority: 1, availableAtMs: T0 + 10 }),
        item('d-high', { priority: 8, availableAtMs: T0 + 20 }),
        item('d-future', { priority: 9, availableAtMs: T0 + 5000 }),
      ],
      T0,
    )
    expect((await q.promoteDue(T0 + 20)).sort()).toEqual(['d-high', 'd-low'])
    expect(await readyLine(keys)).toEqual(['d-high', 'd-low'])
    expect(await q.stats()).toMatchObject({ ready: 2, delayed: 1 })
    expect(await q.promoteDue(T0 + 20)).toEqual([])
  })

  it('an expired lease puts the execution back in ready with the same id, counting the reclaim', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('lease')], T0)
    const [claimed] = (await q.dequeue({ workerId: 'w-dead', count: 1, leaseMs: 1000, now: T0 })).items
    expect(claimed).toMatchObject({ id: 'lease', leaseExpiresAtMs: T0 + 1000, claim: 1 })

    // Still leased one millisecond before expiry.
    expect(await q.reclaimExpired(T0 + 999)).toEqual([])
    expect((await q.dequeue({ workerId: 'w2', count: 1, leaseMs: 1000, now: T0 + 999 })).items).toEqual([])

    const next = await q.dequeue({ workerId: 'w2', count: 1, leaseMs: 1000, now: T0 + 1000 })
    expect(next.reclaimed).toBe(1)
    expect(next.items).toEqual([
      expect.objectContaining({
        id: 'lease',
        owner: 'w2',
        claim: 2,
        reclaims: 1,
        leaseExpiresAtMs: T0 + 2000,
      }),
    ])

    // The explicit form does the same.
    expect(await q.reclaimExpired(T0 + 2000)).toEqual(['lease'])
    expect(await q.get('lease')).toMatchObject({ state: 'ready', owner: null, reclaims: 2 })
  })

  it('renew extends our leases and reports the ones we lost', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('r1'), item('r2'), item('r3')], T0)
    await q.dequeue({ workerId: 'w1', count: 3, leaseMs: 1000, now: T0 })
    // r2's lease expires and another worker takes it; r3 is acked (gone).
    await q.reclaimExpired(T0 + 1000, 0)
    await q.ack({ workerId: 'w1', id: 'r3' })
    await q.renew({ workerId: 'w1', ids: ['r1'], leaseMs: 5000, now: T0 + 500 })
    expect(await q.reclaimExpired(T0 + 1000)).toEqual(['r2'])
    await q.dequeue({ workerId: 'w2', count: 1, leaseMs: 30_000, now: T0 + 1000 })

    const res = await q.renew({ workerId: 'w1', ids: ['r1', 'r2', 'r3'], leaseMs: 5000, now: T0 + 1500 })
    expect(res).toEqual({ renewed: ['r1'], lost: ['r2', 'r3'], leaseExpiresAtMs: T0 + 6500 })
    expect(await q.get('r1')).toMatchObject({ state: 'running', score: T0 + 6500 })
    // The renewed lease survives a reclaim pass at the old expiry.
    expect(await q.reclaimExpired(T0 + 5000)).toEqual([])
  })

  it('ack is refused once the lease was taken over, and only the new holder can finish it', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('x')], T0)
    const a = (await q.dequeue({ workerId: 'w-a', count: 1, leaseMs: 1000, now: T0 })).items[0]!
    const b = (await q.dequeue({ workerId: 'w-b', count: 1, leaseMs: 1000, now: T0 + 1000 })).items[0]!
    expect(b).toMatchObject({ id: 'x', claim: 2 })

    expect(await q.ack({ workerId: 'w-a', id: 'x' })).toEqual({ ok: false, reason: 'lease-lost' })
    expect(await q.retryLater({ workerId: 'w-a', id: 'x', availableAtMs: T0, attempt: 2 })).toEqual({
      ok: false,
      reason: 'lease-lost',
    })
    expect(await q.get('x')).toMatchObject({ state: 'running', owner: 'w-b' })

    expect(await q.ack({ workerId: 'w-b', id: 'x', claim: b.claim })).toEqual({ ok: true })
    expect(await q.get('x')).toBeNull()
    expect(await q.ack({ workerId: 'w-b', id: 'x' })).toEqual({ ok: false, reason: 'not-found' })
    expect(a.claim).toBe(1)
  })

  it('the claim number tells apart two claims of the same execution by the same worker', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('same')], T0)
    const first = (await q.dequeue({ workerId: 'w', count: 1, leaseMs: 100, now: T0 })).items[0]!
    const second = (await q.dequeue({ workerId: 'w', count: 1, leaseMs: 100, now: T0 + 100 })).items[0]!
    expect([first.claim, second.claim]).toEqual([1, 2])
    expect(await q.ack({ workerId: 'w', id: 'same', claim: first.claim })).toEqual({
      ok: false,
      reason: 'lease-lost',
    })
    const renewed = await q.renew({
      workerId: 'w',
      ids: [{ id: 'same', claim: 2 }],
      leaseMs: 100,
      now: T0 + 150,
    })
    expect(renewed.renewed).toEqual(['same'])
    expect(await q.ack({ workerId: 'w', id: 'same', claim: second.claim })).toEqual({ ok: true })
  })

  it('ackMany acknowledges a batch and reports each outcome', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('m1'), item('m2'), item('m3')], T0)
    await q.dequeue({ workerId: 'w', count: 2, leaseMs: 1000, now: T0 })
    expect(await q.ackMany({ workerId: 'w', ids: ['m1', 'm2', 'm3', 'nope'] })).toEqual([
      { ok: true },
      { ok: true },
      { ok: false, reason: 'lease-lost' },
      { ok: false, reason: 'not-found' },
    ])
    expect(await q.size()).toBe(1)
  })

  it('retryLater parks the execution in delayed with the next attempt, then it runs again', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('retry', { attempt: 1 })], T0)
    await q.dequeue({ workerId: 'w', count: 1, leaseMs: 30_000, now: T0 })
    expect(await q.retryLater({ workerId: 'w', id: 'retry', availableAtMs: T0 + 2000, attempt: 2 })).toEqual({
      ok: true,
    })
    expect(await q.get('retry')).toMatchObject({
      state: 'delayed',
      score: T0 + 2000,
      attempt: 2,
      owner: null,
    })
    expect((await q.dequeue({ workerId: 'w', count: 1, leaseMs: 1000, now: T0 + 1999 })).items).toEqual([])
    const again = await q.dequeue({ workerId: 'w2', count: 1, leaseMs: 1000, now: T0 + 2000 })
    expect(again.items).toEqual([expect.objectContaining({ id: 'retry', attempt: 2, claim: 2, reclaims: 0 })])
  })

  it('release hands running executions back at once (shutdown), not left to expire', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('s1', { priority: 3 }), item('s2', { priority: 4 }), item('s3')], T0)
    await q.dequeue({ workerId: 'w-stop', count: 2, leaseMs: 30_000, now: T0 })
    await q.dequeue({ workerId: 'w-other', count: 1, leaseMs: 30_000, now: T0 })

    // w-stop holds s3 and s2 (the higher priorities), w-other holds s1.
    const res = await q.release({ workerId: 'w-stop', ids: ['s1', 's2', 'missing'] })
    expect(res).toEqual({ released: ['s2'], lost: ['s1', 'missing'] })
    expect(await q.get('s2')).toMatchObject({ state: 'ready', owner: null, reclaims: 0 })
    // Another worker picks it up right away, long before the 30 s lease would have expired.
    const next = await q.dequeue({ workerId: 'w-next', count: 5, leaseMs: 1000, now: T0 + 1 })
    expect(next.items.map((e) => e.id)).toEqual(['s2'])
    expect(await q.stats()).toMatchObject({ ready: 0, running: 3 })
  })

  it('cancel removes a queued or delayed execution and reports a running one with its owner', async () => {
    const { q } = freshQueue()
    await q.enqueue([item('c-ready'), item('c-delayed', { availableAtMs: T0 + 10_000 }), item('c-run')], T0)
    // c-ready and c-run are both ready; claim exactly c-run by raising its priority.
    await q.setPriority('c-run', 9)
    await q.dequeue({ workerId: 'w-run', count: 1, leaseMs: 30_000, now: T0 })

    expect(await q.cancel('c-ready')).toEqual({ outcome: 'cancelled', state: 'ready' })
    expect(await q.cancel('c-delayed')).toEqual({ outcome: 'cancelled', state: 'delayed' })
    expect(await q.cancel('c-run')).toEqual({ outcome: 'running', owner: 'w-run' })
    expect(await q.cancel('c-ready')).toEqual({ outcome: 'not-found' })
    expect(await q.get('c-ready')).toBeNull()
    expect(await q.get('c-run')).toMatchObject({ state: 'running' })
    // The owner aborts and acks.
    expect(await q.ack({ workerId: 'w-run', id: 'c-run' })).toEqual({ ok: true })
    expect(await q.size()).toBe(0)
  })

  it('remove takes an execution out whatever its state', async () => {
    const { q, keys } = freshQueue()
    await q.enqueue([item('rm-run'), item('rm-delayed', { availableAtMs: T0 + 1 })], T0)
    await q.dequeue({ workerId: 'w', count: 1, leaseMs: 1000, now: T0 })
    expect(await q.remove('rm-run')).toEqual({ removed: true, state: 'running' })
    expect(await q.remove('rm-delayed')).toEqual({ removed: true, state: 'delayed' })
    expect(await q.remove('rm-run')).toEqual({ removed: false, state: null })
    expect(await t.redis.exists(keys.execution('rm-run'), keys.execution('rm-delayed'))).toBe(0)
    expect(await q.ack({ workerId: 'w', id: 'rm-run' })).toEqual({ ok: false, reason: 'not-found' })
  })

  it('setPriority re-orders ready executions and keeps delayed/running ones in place', async () => {
    const { q, keys } = freshQueue()
    await q.enqueue(
      [
        item('a', { scheduledForMs: T0 }),
        item('b', { scheduledForMs: T0 + 1 }),
        item('c', { scheduledForMs: T0 + 2 }),
      ],
      T0,
    )
    expect(await readyLine(keys)).toEqual(['a', 'b', 'c'])
    expect(await q.setPriority('c', 9)).toEqual({ state: 'ready' })
    expect(await q.setPriority('a', 0)).toEqual({ state: 'ready' })
    expect(await readyLine(keys)).toEqual(['c', 'b', 'a'])
    expect(await q.setPriority('nope', 3)).toBeNull()

    await q.enqueue([item('later', { priority: 1, availableAtMs: T0 + 100 })], T0)
    expect(await q.setPriority('later', 9)).toEqual({ state: 'delayed' })
    expect(await q.get('later')).toMatchObject({ state: 'delayed', score: T0 + 100, priority: 9 })
    const { items } = await q.dequeue({ workerId: 'w', count: 1, leaseMs: 1000, now: T0 + 100 })
    expect(items[0]).toMatchObject({ id: 'later', priority: 9 })
    await expect(q.setPriority('a', 10)).rejects.toMatchObject({ queueCode: 'QUEUE_ERR_INVALID_INPUT' })
  })

  it('stats and size count every state, the due-index and, with now, what is overdue', async () => {
    const { q } = freshQueue()
    await q.enqueue(
      [
        item('s-a'),
        item('s-b'),
        item('s-c', { availableAtMs: T0 + 100 }),
        item('s-d', { availableAtMs: T0 + 900 }),
      ],
      T0,
    )
    await q.dequeue({ workerId: 'w', count: 1, leaseMs: 50, now: T0, maxPromote: 0 })
    expect(await q.stats()).toEqual({
      ready: 1,
      delayed: 2,
      running: 1,
      dueSchedules: 0,
      claimedSchedules: 0,
    })
    expect(await q.size()).toBe(4)
    expect(await q.stats(T0 + 100)).toEqual({
      ready: 1,
      delayed: 2,
      running: 1,
      dueSchedules: 0,
      claimedSchedules: 0,
      delayedDue: 1,
      expiredLeases: 1,
      overdueSchedules: 0,
      expiredClaims: 0,
    })
  })

  it('dequeue bounds the reclaim and promotion work of one call', async () => {
    const { q } = freshQueue()
    await q.enqueue(
      Array.from({ length: 30 }, (_, i) => item(`b-${i}`, { availableAtMs: T0 + 1 })),
      T0,
    )
    const res = await q.dequeue({ workerId: 'w', count: 0, leaseMs: 1000, now: T0 + 1, maxPromote: 10 })
    expect(res).toEqual({ items: [], reclaimed: 0, promoted: 10, nextAvailableAtMs: null })
    expect(await q.stats()).toMatchObject({ ready: 10, delayed: 20 })
  })

  it('rejects invalid input before touching Redis', async () => {
    const { q } = freshQueue()
    const bad: Partial<EnqueueItem>[] = [
      { priority: 10 },
      { priority: -1 },
      { priority: 1.5 },
      { scheduledForMs: -1 },
      { attempt: -1 },
      { id: '' },
      { tenant: '' },
      { meta: { big: 'x'.repeat(5000) } },
    ]
    for (const over of bad) {
      await expect(q.enqueue([item('ok'), item('bad', over)], T0)).rejects.toMatchObject({
        queueCode: 'QUEUE_ERR_INVALID_INPUT',
      })
    }
    expect(await q.size()).toBe(0)
    await expect(q.dequeue({ workerId: '', count: 1, leaseMs: 1, now: T0 })).rejects.toMatchObject({
      queueCode: 'QUEUE_ERR_INVALID_INPUT',
    })
    await expect(q.dequeue({ workerId: 'w', count: 1001, leaseMs: 1, now: T0 })).rejects.toMatchObject({
      queueCode: 'QUEUE_ERR_INVALID_INPUT',
    })
    await expect(q.dequeue({ workerId: 'w', count: 1, leaseMs: 0, now: T0 })).rejects.toMatchObject({
      queueCode: 'QUEUE_ERR_INVALID_INPUT',
    })
  })

  it('a batch larger than one script call is enqueued in atomic chunks', async () => {
    const { q } = freshQueue()
    const res = await q.enqueue(
      Array.from({ length: 1234 }, (_, i) => item(`big-${i}`, { scheduledForMs: T0 + i })),
      T0,
    )
    expect(res.enqueued).toBe(1234)
    const claimed = await q.dequeue({ workerId: 'w', count: 1000, leaseMs: 1000, now: T0 })
    expect(claimed.items.length).toBe(1000)
    expect(claimed.items[0]!.id).toBe('big-0')
    expect(claimed.items[999]!.id).toBe('big-999')
    const acked = await q.ackMany({
      workerId: 'w',
      ids: claimed.items.map((e) => ({ id: e.id, claim: e.claim })),
    })
    expect(acked.every((r) => r.ok)).toBe(true)
    expect(await q.size()).toBe(234)
  })
})

describe('8 concurrent workers on 5,000 executions', () => {
  const clients: Redis[] = []
  afterAll(() => {
    for (const c of clients) c.disconnect()
  })

  it('never hand out the same id twice and lose none: each id is acked exactly once', async () => {
    const { q, keys } = freshQueue()
    const total = 5000
    const ids = Array.from({ length: total }, (_, i) => `e-${String(i).padStart(5, '0')}`)
    await q.enqueue(
      ids.map((id, i) => item(id, { priority: i % 10, scheduledForMs: T0 + (i % 97) })),
      T0,
    )

    for (let i = 0; i < 8; i++) {
      const c = createRedis(t.url, { name: `eq-worker-${i}` })
      await waitForReady(c, 5000)
      clients.push(c)
    }
    const claimedBy = new Map<string, string>()
    const duplicates: string[] = []
    let acked = 0
    const refused: string[] = []

    await Promise.all(
      clients.map(async (client, w) => {
        const queue = createExecutionQueue(client, keys)
        const workerId = `worker-${w}`
        for (;;) {
          const count = 1 + ((w * 7) % 25)
          const { items } = await queue.dequeue({ workerId, count, leaseMs: 60_000, now: T0 + 1000 })
          if (items.length === 0) break
          for (const e of items) {
            if (claimedBy.has(e.id)) duplicates.push(e.id)
            claimedBy.set(e.id, workerId)
          }
          // Mix single and batched acks.
          if (w % 2 === 0) {
            const res = await queue.ackMany({
              workerId,
              ids: items.map((e) => ({ id: e.id, claim: e.claim })),
            })
            for (const [k, r] of res.entries()) {
              if (r.ok) acked++
              else refused.push(items[k]!.id)
            }
          } else {
            for (const e of items) {
              const r = await queue.ack({ workerId, id: e.id, claim: e.claim })
              if (r.ok) acked++
              else refused.push(e.id)
            }
          }
        }
      }),
    )

    expect(duplicates).toEqual([])
    expect(refused).toEqual([])
    expect(claimedBy.size).toBe(total)
    expect(acked).toBe(total)
    expect(new Set(claimedBy.values()).size).toBeGreaterThan(1)
    expect(await q.stats()).toMatchObject({ ready: 0, delayed: 0, running: 0 })
    expect(await countKeys(`${keys.executionPrefix}*`)).toBe(0)
  })
})
