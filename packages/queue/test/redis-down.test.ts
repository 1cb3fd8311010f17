import { sleep } from '@punctual/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDueEntry, upsertSchedule } from '../src/due-index.ts'
import { isRedisUnavailableError, QueueError } from '../src/errors.ts'
import { createRedis, isReady, type Redis, waitForReady } from '../src/redis.ts'
import {
  createTestRedis,
  findFreePort,
  type PrivateRedis,
  startPrivateRedis,
  startTcpProxy,
  type TcpProxy,
  type TestRedis,
} from '../src/testing.ts'

let t: TestRedis
let proxy: TcpProxy
const clients: Redis[] = []
beforeAll(async () => {
  t = await createTestRedis()
  const target = new URL(t.url)
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) })
})
afterAll(async () => {
  for (const client of clients) client.disconnect()
  await proxy?.close()
  await t?.cleanup()
})

function client(url: string, errors: Error[] = []): Redis {
  const redis = createRedis(url, { name: 'redis-down-test', onError: (err) => errors.push(err) })
  clients.push(redis)
  return redis
}

let n = 0
function write(redis: Redis, nextRunAtMs = 1_000) {
  n++
  return upsertSchedule(redis, t.keys, {
    scheduleId: `down-${n}`,
    workflowId: 'wf-down',
    version: 1,
    nextRunAtMs,
    conflictProfile: `M${n % 1440}`,
  })
}

/** Runs the promise and returns how it settled and how long it took. */
async function settle(promise: Promise<unknown>) {
  const start = performance.now()
  try {
    await promise
    return { ok: true as const, ms: performance.now() - start, error: undefined }
  } catch (error) {
    return { ok: false as const, ms: performance.now() - start, error }
  }
}

function expectUnavailable(error: unknown) {
  expect(error).toBeInstanceOf(QueueError)
  expect(isRedisUnavailableError(error)).toBe(true)
  expect(error).toMatchObject({ code: 'SCHED_ERR_DEPENDENCY_DOWN', status: 503 })
}

describe('Redis unreachable', () => {
  it('against a dead port, commands reject at once and waitForReady times out', async () => {
    const errors: Error[] = []
    const redis = client(`redis://127.0.0.1:${await findFreePort()}`, errors)
    const res = await settle(write(redis))
    expect(res.ok).toBe(false)
    expect(res.ms).toBeLessThan(2000)
    expectUnavailable(res.error)

    const wait = await settle(waitForReady(redis, 300))
    expect(wait.ok).toBe(false)
    expectUnavailable(wait.error)
    expect(isReady(redis)).toBe(false)
    // Connection errors went to the hook instead of crashing the process.
    expect(errors.length).toBeGreaterThan(0)
  })

  it('through a cut proxy, commands reject within 2 s and the client recovers after restore', async () => {
    const redis = client(proxy.url(t.url))
    await waitForReady(redis, 5000)
    expect((await write(redis)).applied).toBe(true)

    proxy.cut()
    for (let i = 0; i < 3; i++) {
      const res = await settle(write(redis))
      expect(res.ok).toBe(false)
      expect(res.ms).toBeLessThan(2000)
      expectUnavailable(res.error)
    }
    expect(isReady(redis)).toBe(false)

    proxy.restore()
    await waitForReady(redis, 5000)
    expect((await write(redis)).applied).toBe(true)
  })

  it('a client created while Redis is away becomes ready by itself when it returns', async () => {
    proxy.cut()
    const redis = client(proxy.url(t.url))
    const res = await settle(write(redis))
    expect(res.ok).toBe(false)
    expectUnavailable(res.error)
    await sleep(500)
    proxy.restore()
    await waitForReady(redis, 5000)
    expect((await write(redis)).applied).toBe(true)
  })

  it('on a silent connection (partition), commands time out instead of hanging and the socket is recycled', async () => {
    const redis = client(proxy.url(t.url))
    await waitForReady(redis, 5000)
    proxy.stall()
    const res = await settle(write(redis))
    expect(res.ok).toBe(false)
    expect(res.ms).toBeLessThan(2000)
    expectUnavailable(res.error)

    // socketTimeout destroys the silent socket, so the client notices and reconnects.
    await expect.poll(() => isReady(redis), { timeout: 3000 }).toBe(false)
    proxy.restore()
    await waitForReady(redis, 5000)
    expect((await write(redis)).applied).toBe(true)
    proxy.restore()
  })

  it('a write in flight when the connection drops is rejected and never replayed after reconnect', async () => {
    const redis = client(proxy.url(t.url))
    await waitForReady(redis, 5000)
    proxy.stall() // the command leaves the client but never reaches Redis
    const pending = settle(
      upsertSchedule(redis, t.keys, {
        scheduleId: 'in-flight',
        workflowId: 'wf-down',
        version: 1,
        nextRunAtMs: 5,
        conflictProfile: '',
      }),
    )
    const settledBeforeCut = await Promise.race([pending.then(() => true), sleep(100).then(() => false)])
    // Still in flight (the stalled proxy holds it); then the drop, not the command timeout, rejects it.
    expect(settledBeforeCut).toBe(false)
    proxy.cut()
    const res = await pending
    expect(res.ok).toBe(false)
    expectUnavailable(res.error)
    expect((res.error as Error).message).not.toMatch(/timed out/i)

    proxy.restore()
    await waitForReady(redis, 5000)
    await sleep(200)
    expect(await getDueEntry(t.redis, t.keys, 'in-flight')).toBeNull()
  })
})

describe('a private redis-server that dies', () => {
  let server: PrivateRedis
  beforeAll(async () => {
    server = await startPrivateRedis()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('falls back to EVAL after SCRIPT FLUSH, fails fast when killed, recovers after restart', async () => {
    const redis = client(server.url)
    await waitForReady(redis, 5000)
    expect((await write(redis, 10)).applied).toBe(true)

    // Only on the private server: the shared one's script cache is not ours to flush.
    await redis.script('FLUSH')
    const afterFlush = await write(redis, 20)
    expect(afterFlush.applied).toBe(true)
    expect(await getDueEntry(redis, t.keys, `down-${n}`)).toEqual({ scoreMs: 20, version: 1 })

    await server.kill()
    const res = await settle(write(redis))
    expect(res.ok).toBe(false)
    expect(res.ms).toBeLessThan(2000)
    expectUnavailable(res.error)

    await server.restart()
    await waitForReady(redis, 5000)
    expect((await write(redis, 30)).applied).toBe(true)
    expect(await getDueEntry(redis, t.keys, `down-${n}`)).toEqual({ scoreMs: 30, version: 1 })
  })
})
