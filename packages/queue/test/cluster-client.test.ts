import { randomUUID } from 'node:crypto'
import { conflictProfile } from '@punctual/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertSchedule } from '../src/due-index.ts'
import { publishSystemEvents, readSystemEvents } from '../src/event-stream.ts'
import { createExecutionQueue } from '../src/execution-queue.ts'
import { claimDue } from '../src/fire-claims.ts'
import { createKeys } from '../src/keys.ts'
import { Cluster, createRedis, isReady, type Redis, waitForReady } from '../src/redis.ts'
import { startTestCluster, type TestCluster } from '../src/testing-topologies.ts'

// The queue on a Redis Cluster client (issue 19): a 3-master cluster of this file's own (free ports, temp dir).
// The end-to-end flows and failovers on a cluster are in e2e/redis-cluster.test.ts.
let cluster: TestCluster | undefined
const clients: Redis[] = []

beforeAll(async () => {
  cluster = await startTestCluster({ masters: 3 })
}, 60_000)
afterAll(async () => {
  for (const c of clients) c.disconnect()
  await cluster?.stop()
})

async function client(name: string): Promise<Redis> {
  const redis = createRedis(cluster!.connection, { name })
  clients.push(redis)
  await waitForReady(redis, 10_000)
  return redis
}

describe('the queue on a Redis Cluster client', () => {
  it('is ready only once its connections to the masters are, so 60 concurrent first commands over every master all succeed', async () => {
    const redis = await client('first-commands')
    expect(redis).toBeInstanceOf(Cluster)
    expect(isReady(redis)).toBe(true)
    // Prefixes on every master (their slots spread over the three), so some first commands go to a master
    // whose connection the client has not used yet. Four per master, picked from random prefixes (twelve
    // random ones left a master out about once in 40 runs).
    const byMaster = new Map<number, ReturnType<typeof createKeys>[]>()
    const full = () => byMaster.size === 3 && [...byMaster.values()].every((b) => b.length === 4)
    for (let i = 0; i < 500 && !full(); i++) {
      const keys = createKeys(`c${i}${randomUUID().slice(0, 6)}`)
      const master = await cluster!.masterOf(keys.tag)
      const bucket = byMaster.get(master) ?? []
      if (bucket.length < 4) bucket.push(keys)
      byMaster.set(master, bucket)
    }
    expect([...byMaster.values()].map((b) => b.length)).toEqual([4, 4, 4])
    // Interleaved, so consecutive writes go to different masters.
    const prefixes = [0, 1, 2, 3].flatMap((j) => [...byMaster.values()].map((b) => b[j]!))
    const wf = randomUUID()
    const writes = Array.from({ length: 60 }, (_, i) =>
      upsertSchedule(redis, prefixes[i % prefixes.length]!, {
        scheduleId: randomUUID(),
        workflowId: wf,
        version: 1,
        nextRunAtMs: 1_000,
        conflictProfile: '',
      }),
    )
    const results = await Promise.allSettled(writes)
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    // Claimed by a scheduler: the multi-key claim script runs on the slot's master.
    const claimed = await claimDue(redis, prefixes[0]!, {
      workerId: 'w',
      now: 2_000,
      lookaheadMs: 0,
      max: 100,
      leaseMs: 30_000,
    })
    expect(claimed.claims).toHaveLength(5)
  })

  it('enqueues, claims and acks executions (scripts that build keys from the prefix inside Lua)', async () => {
    const redis = await client('executions')
    const keys = createKeys(`c${randomUUID().slice(0, 8)}`)
    const queue = createExecutionQueue(redis, keys)
    const ids = [randomUUID(), randomUUID()]
    const now = Date.now()
    const items = ids.map((id, i) => ({
      id,
      priority: 5,
      scheduledForMs: now + i,
      attempt: 0,
      tenant: `tenant-${i}`,
      workflowId: randomUUID(),
      kind: 'manual' as const,
    }))
    expect((await queue.enqueue(items, now)).results.every((r) => r.enqueued)).toBe(true)
    const got = await queue.dequeue({ workerId: 'w', count: 10, leaseMs: 30_000, now })
    expect(got.items.map((i) => i.id).sort()).toEqual([...ids].sort())
    for (const id of ids) expect((await queue.ack({ workerId: 'w', id })).ok).toBe(true)
    expect(await redis.zcard(keys.running)).toBe(0)
  })

  it('counts conflicts of every class on a cluster (bitmaps and scratch keys built inside Lua)', async () => {
    const redis = await client('conflicts')
    const keys = createKeys(`c${randomUUID().slice(0, 8)}`)
    const wf = randomUUID()
    const busy = (offset: number) => Array.from({ length: 270 }, (_, i) => 540 + offset + i * 2)
    const put = (minutes: number[]) =>
      upsertSchedule(redis, keys, {
        scheduleId: randomUUID(),
        workflowId: wf,
        version: 1,
        nextRunAtMs: 1_000,
        conflictProfile: conflictProfile(minutes),
      })
    await put(busy(0))
    await put(busy(1))
    await put(Array.from({ length: 24 }, (_, h) => h * 60 + 30))
    const daily = await put([600])
    // Both frequent ones (600 and 601) and the hourly one (10:30 is not within a minute of 10:00: no).
    expect(daily.conflicts).toMatchObject({ total: 2, totalIsLowerBound: false })
  })

  it('delivers pub/sub messages and ends a blocking stream read on a cluster connection', async () => {
    const redis = await client('publisher')
    const keys = createKeys(`c${randomUUID().slice(0, 8)}`)
    const subscriber = (await client('subscriber')) as Cluster
    const received: string[] = []
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === keys.readyChannel) received.push(message)
    })
    await subscriber.subscribe(keys.readyChannel)
    await redis.publish(keys.readyChannel, 'hello')
    await expect.poll(() => received, { timeout: 5000 }).toEqual(['hello'])

    const reader = await client('reader')
    const read = readSystemEvents(reader, keys, { consumer: 'w', count: 10, blockMs: 1000 })
    await readSystemEvents(redis, keys, { consumer: 'warm', count: 1, blockMs: 0 }) // the group exists
    await publishSystemEvents(redis, keys, [
      { outboxId: '1', tenant: 't', type: 'execution.succeeded', subjectId: randomUUID() },
    ])
    const { events } = await read
    expect(
      events.length +
        (await readSystemEvents(reader, keys, { consumer: 'w', count: 10, blockMs: 500 })).events.length,
    ).toBe(1)
  })
})
