import { sleep, waitFor } from '@punctual/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ackSystemEvents,
  claimStaleSystemEvents,
  EVENT_GROUP,
  ensureSystemEventGroup,
  pruneSystemEventConsumers,
  publishSystemEvents,
  readSystemEvents,
  type SystemEventRef,
} from '../src/event-stream.ts'
import { createKeys, type QueueKeys } from '../src/keys.ts'
import { type SingleRedis, waitForReady } from '../src/redis.ts'
import { createTestRedis, deleteMatching, type TestRedis } from '../src/testing.ts'

let t: TestRedis
let k: QueueKeys
let n = 0
const keyspaces: string[] = []
beforeAll(async () => {
  t = await createTestRedis()
})
beforeEach(() => {
  k = createKeys(`${t.prefix}.${++n}`)
  keyspaces.push(k.scanPattern)
})
afterAll(async () => {
  for (const pattern of keyspaces) await deleteMatching(t.redis, pattern)
  await t?.cleanup()
})

const event = (i: number, type: SystemEventRef['type'] = 'execution.succeeded'): SystemEventRef => ({
  outboxId: String(i),
  tenant: 'acme',
  type,
  subjectId: `0195a3c4-7b1e-7c3a-9f00-00000000000${i}`,
})

const read = (consumer: string, count = 10) => readSystemEvents(t.redis, k, { consumer, count, blockMs: 0 })

describe('the system event stream', () => {
  it('hands each event to one consumer of the group, in order, until it is acknowledged and deleted', async () => {
    await ensureSystemEventGroup(t.redis, k)
    await ensureSystemEventGroup(t.redis, k) // idempotent
    await publishSystemEvents(t.redis, k, [
      event(1),
      event(2, 'execution.dead'),
      event(3, 'schedule.completed'),
    ])
    const a = await read('w-a', 2)
    const b = await read('w-b', 10)
    expect(a.events.map((e) => e.outboxId)).toEqual(['1', '2'])
    expect(a.events[1]).toMatchObject({ ...event(2, 'execution.dead'), streamId: expect.any(String) })
    expect(b.events.map((e) => [e.outboxId, e.type])).toEqual([['3', 'schedule.completed']])
    expect((await read('w-c')).events).toEqual([])
    expect(await t.redis.xlen(k.events)).toBe(3)
    expect(
      await ackSystemEvents(
        t.redis,
        k,
        [...a.events, ...b.events].map((e) => e.streamId),
      ),
    ).toBe(3)
    expect(await t.redis.xlen(k.events)).toBe(0)
    expect(await t.redis.xpending(k.events, EVENT_GROUP)).toEqual([0, null, null, null])
  })

  it('creates the group on first read, reading what was published before it existed', async () => {
    await publishSystemEvents(t.redis, k, [event(1)])
    // No group yet (a fresh or flushed Redis): the read creates it and returns nothing this time.
    expect((await read('w-a')).events).toEqual([])
    expect((await read('w-a')).events.map((e) => e.outboxId)).toEqual(['1'])
  })

  it('gives the entries a consumer left pending past the idle time to another (XAUTOCLAIM)', async () => {
    await ensureSystemEventGroup(t.redis, k)
    await publishSystemEvents(t.redis, k, [event(1), event(2)])
    const dead = await read('w-dead')
    expect(dead.events).toHaveLength(2)
    // Not idle long enough yet.
    const early = await claimStaleSystemEvents(t.redis, k, {
      consumer: 'w-live',
      minIdleMs: 60_000,
      count: 10,
      cursor: '0-0',
    })
    expect(early.events).toEqual([])
    await sleep(30)
    const taken = await claimStaleSystemEvents(t.redis, k, {
      consumer: 'w-live',
      minIdleMs: 20,
      count: 10,
      cursor: '0-0',
    })
    expect(taken.events.map((e) => e.outboxId)).toEqual(['1', '2'])
    expect(taken.cursor).toBe('0-0')
    const pending = (await t.redis.xpending(k.events, EVENT_GROUP)) as [
      number,
      string,
      string,
      [string, string][],
    ]
    expect(pending[3]).toEqual([['w-live', '2']])
    // An entry handled and deleted meanwhile is not handed out again.
    await ackSystemEvents(t.redis, k, [taken.events[0]!.streamId])
    await sleep(30)
    const again = await claimStaleSystemEvents(t.redis, k, {
      consumer: 'w-other',
      minIdleMs: 20,
      count: 10,
      cursor: '0-0',
    })
    expect(again.events.map((e) => e.outboxId)).toEqual(['2'])
  })

  it('returns malformed entries apart (to be dropped), never as events', async () => {
    await ensureSystemEventGroup(t.redis, k)
    await t.redis.xadd(k.events, '*', 'o', 'x1', 't', 'acme', 'y', 'execution.succeeded', 's', 'id')
    await t.redis.xadd(k.events, '*', 'o', '5', 't', 'acme', 'y', 'order.created', 's', 'id')
    await publishSystemEvents(t.redis, k, [event(7)])
    const got = await read('w-a')
    expect(got.events.map((e) => e.outboxId)).toEqual(['7'])
    expect(got.malformed).toHaveLength(2)
  })

  it('prunes only consumers that hold nothing and have been idle long enough', async () => {
    await ensureSystemEventGroup(t.redis, k)
    await publishSystemEvents(t.redis, k, [event(1), event(2)])
    await read('w-holding', 1)
    // w-empty handled its event: it holds nothing any more.
    const handled = await read('w-empty', 1)
    await ackSystemEvents(t.redis, k, [handled.events[0]!.streamId])
    await sleep(30)
    expect(await pruneSystemEventConsumers(t.redis, k, 60_000)).toBe(0)
    expect(await pruneSystemEventConsumers(t.redis, k, 20)).toBe(1)
    const consumers = (await t.redis.call('XINFO', 'CONSUMERS', k.events, EVENT_GROUP)) as unknown[][]
    expect(consumers.map((c) => c[1])).toEqual(['w-holding'])
    // Without a stream there is nothing to prune (and no error).
    expect(await pruneSystemEventConsumers(t.redis, createKeys(`${t.prefix}.none`), 0)).toBe(0)
  })

  it('blocks a read until an event is published', async () => {
    await ensureSystemEventGroup(t.redis, k)
    // A named reader, to see it blocked; a block far longer than the test, so only the publish can end it.
    const name = `${t.prefix}-reader`
    const reader = (t.redis as SingleRedis).duplicate({ connectionName: name })
    try {
      await waitForReady(reader, 5000)
      let settled = false
      const pending = readSystemEvents(reader, k, { consumer: 'w-a', count: 10, blockMs: 60_000 }).finally(
        () => {
          settled = true
        },
      )
      await waitFor('the reader to block in XREADGROUP', async () =>
        String(await t.redis.client('LIST'))
          .split('\n')
          .some((c) => c.includes(`name=${name} `) && c.includes('cmd=xreadgroup')),
      )
      expect(settled).toBe(false)
      await publishSystemEvents(t.redis, k, [event(4)])
      const got = await pending
      expect(got.events.map((e) => e.outboxId)).toEqual(['4'])
    } finally {
      reader.disconnect()
    }
  })
})
