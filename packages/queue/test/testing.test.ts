import { afterAll, describe, expect, it } from 'vitest'
import { createRedis, waitForReady } from '../src/redis.ts'
import { createTestRedis, startTcpProxy, type TestRedis } from '../src/testing.ts'

const opened: TestRedis[] = []
afterAll(async () => {
  await Promise.all(opened.map((t) => t.cleanup()))
})

async function fixture(opts?: { ownDb?: boolean }) {
  const t = await createTestRedis(opts)
  opened.push(t)
  return t
}

describe('createTestRedis', () => {
  it('gives each file its own prefix on DB 0 and cleans up only that prefix', async () => {
    const a = await fixture()
    const b = await fixture()
    expect(a.prefix).not.toBe(b.prefix)
    expect(a.url.endsWith('/0')).toBe(true)
    expect(a.keys.due).toBe(`{${a.prefix}}:due`)
    await a.redis.set(a.keys.due, 'x')
    await a.redis.set(a.keys.conflictKeys('w').minutes, 'x')
    await b.redis.set(b.keys.due, 'y')

    await a.cleanup()
    await a.cleanup() // idempotent
    expect(await b.redis.exists(a.keys.due, a.keys.conflictKeys('w').minutes)).toBe(0)
    expect(await b.redis.get(b.keys.due)).toBe('y')
  })

  it('ownDb locks a free DB number 1..15 that the test may flush', async () => {
    const [x, y] = await Promise.all([fixture({ ownDb: true }), fixture({ ownDb: true })])
    const dbOf = (url: string) => Number(new URL(url).pathname.slice(1))
    const [dbX, dbY] = [dbOf(x.url), dbOf(y.url)]
    expect(dbX).toBeGreaterThanOrEqual(1)
    expect(dbX).toBeLessThanOrEqual(15)
    expect(dbX).not.toBe(dbY)
    expect(await x.redis.call('CLIENT', 'INFO')).toContain(` db=${dbX} `)

    const db0 = createRedis('redis://127.0.0.1:6379/0')
    try {
      await waitForReady(db0, 5000)
      expect(await db0.get(`{punctual-test}:db-lock:${dbX}`)).toMatch(/^\d+:/)
      await x.redis.set('k', 'v')
      await x.redis.flushdb() // allowed: the DB is ours
      await x.redis.set('k2', 'v')
      await x.cleanup()
      expect(await db0.get(`{punctual-test}:db-lock:${dbX}`)).toBeNull()
    } finally {
      db0.disconnect()
    }
  })
})

describe('startTcpProxy', () => {
  it('builds URLs that keep the DB number and forwards until cut', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
    try {
      expect(proxy.url()).toBe(`redis://127.0.0.1:${proxy.port}`)
      expect(proxy.url('redis://:secret@localhost:6379/7')).toBe(`redis://:secret@127.0.0.1:${proxy.port}/7`)
      const redis = createRedis(proxy.url())
      try {
        await waitForReady(redis, 5000)
        expect(await redis.ping()).toBe('PONG')
        proxy.cut()
        await expect(redis.ping()).rejects.toThrow()
      } finally {
        redis.disconnect()
      }
    } finally {
      await proxy.close()
    }
  })
})
