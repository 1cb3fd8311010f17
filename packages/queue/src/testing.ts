/**
 * Test fixtures for packages that use Redis (`@punctual/queue/testing`). Tests run in parallel against the
 * shared server, so each file gets its own keyspace: a unique key prefix on DB 0 (default), or a whole DB
 * number locked for the file (`ownDb: true`) when the test needs FLUSHDB. Nothing here ever flushes a DB it
 * has not locked. Fault tests use a TCP proxy they can cut, or a private redis-server they can kill.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { sleep } from '@punctual/core/testing'
import { createKeys, type QueueKeys } from './keys.ts'
import { Cluster, createRedis, type Redis, waitForReady } from './redis.ts'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'

export { startTcpProxy, type TcpProxy }

const DEFAULT_URL = 'redis://127.0.0.1:6379'
const READY_TIMEOUT_MS = 10_000

export interface TestRedis {
  /** URL of the test's keyspace (its DB number in the path when ownDb). */
  url: string
  /** A client made with createRedis (the production options), ready. */
  redis: Redis
  keys: QueueKeys
  prefix: string
  /** Deletes this file's keys (or flushes its locked DB and releases it) and closes the clients. */
  cleanup(): Promise<void>
}

function baseUrl(): string {
  return process.env['REDIS_URL'] ?? DEFAULT_URL
}

function withDb(url: string, db: number): string {
  const parsed = new URL(url)
  parsed.pathname = `/${db}`
  return parsed.toString()
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return
  await redis.quit().catch(() => redis.disconnect())
}

export async function createTestRedis(opts: { ownDb?: boolean } = {}): Promise<TestRedis> {
  const prefix = `t${randomBytes(6).toString('hex')}`
  const keys = createKeys(prefix)
  if (opts.ownDb) return createOwnDbRedis(prefix, keys)

  const url = withDb(baseUrl(), 0)
  const redis = createRedis(url, { name: `test:${prefix}` })
  await waitForReady(redis, READY_TIMEOUT_MS)
  let cleaned = false
  return {
    url,
    redis,
    keys,
    prefix,
    async cleanup() {
      if (cleaned) return
      cleaned = true
      // A separate client: the test may have closed or broken its own.
      const admin = createRedis(url, { name: `test:${prefix}:cleanup` })
      try {
        await waitForReady(admin, READY_TIMEOUT_MS)
        await deleteMatching(admin, keys.scanPattern)
      } finally {
        await quit(admin)
        await quit(redis)
      }
    },
  }
}

/** Deletes every key matching the pattern (only this prefix's hash tag: never a FLUSHDB on a shared DB). */
export async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  // SCAN runs on one server: on a cluster, scan every master (the keys of one prefix share a slot, so the
  // UNLINK of a page never spans slots).
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis]
  let deleted = 0
  for (const server of servers) {
    let cursor = '0'
    do {
      const [next, found] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      if (found.length > 0) deleted += await server.unlink(...found)
    } while (cursor !== '0')
  }
  return deleted
}

// DB locks live in DB 0 under their own hash tag; renewed while held so a crashed test frees its DB.
const LOCK_TTL_MS = 30_000
const LOCK_RENEW_MS = 10_000
const lockKey = (db: number) => `{punctual-test}:db-lock:${db}`
// Test-only compare-and-set helpers (not queue operations, so they are not in src/scripts).
const RENEW_LOCK =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
const RELEASE_LOCK =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

async function createOwnDbRedis(prefix: string, keys: QueueKeys): Promise<TestRedis> {
  const base = baseUrl()
  const token = `${process.pid}:${randomUUID()}`
  const locks = createRedis(withDb(base, 0), { name: `test:${prefix}:lock` })
  await waitForReady(locks, READY_TIMEOUT_MS)

  let db = 0
  const deadline = Date.now() + 60_000
  while (db === 0) {
    for (let candidate = 1; candidate <= 15 && db === 0; candidate++) {
      const ok = await locks.set(lockKey(candidate), token, 'PX', LOCK_TTL_MS, 'NX')
      if (ok === 'OK') db = candidate
    }
    if (db === 0) {
      if (Date.now() > deadline) {
        await quit(locks)
        throw new Error('No free Redis DB (1..15) to lock for this test file within 60 s')
      }
      await sleep(200)
    }
  }
  const renew = setInterval(() => {
    locks.eval(RENEW_LOCK, 1, lockKey(db), token, LOCK_TTL_MS).catch(() => {})
  }, LOCK_RENEW_MS)
  renew.unref()

  const url = withDb(base, db)
  const redis = createRedis(url, { name: `test:${prefix}:db${db}` })
  const control = createRedis(url, { name: `test:${prefix}:db${db}:control` })
  await Promise.all([waitForReady(redis, READY_TIMEOUT_MS), waitForReady(control, READY_TIMEOUT_MS)])
  // A previous holder may have crashed without flushing.
  await control.flushdb()

  let cleaned = false
  return {
    url,
    redis,
    keys,
    prefix,
    async cleanup() {
      if (cleaned) return
      cleaned = true
      clearInterval(renew)
      try {
        await control.flushdb()
        await locks.eval(RELEASE_LOCK, 1, lockKey(db), token)
      } finally {
        await Promise.all([quit(redis), quit(control), quit(locks)])
      }
    },
  }
}

/** A port nobody listens on right now (for "Redis is down" tests and private servers). */
export async function findFreePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface PrivateRedis {
  port: number
  url: string
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>
  /** SIGKILL and wait for the exit (a crash). */
  kill(): Promise<void>
  /** Start a fresh, empty server on the same port (after stop/kill). */
  restart(): Promise<void>
}

const REDIS_SERVER_BIN = process.env['REDIS_SERVER_BIN'] ?? 'redis-server'

function spawnRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER_BIN,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`redis-server on port ${port} did not start: ${output}`))
    }, 10_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        child.stderr?.resume()
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server on port ${port} exited with ${code}: ${output}`))
    })
  })
}

/** Spawns `redis-server --port <free> --save "" --appendonly no` for tests where a real server must die. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  let port = 0
  let child: ChildProcess | undefined
  for (let attempt = 1; !child; attempt++) {
    port = await findFreePort()
    try {
      child = await spawnRedisServer(port)
    } catch (err) {
      if (attempt >= 3) throw err // the port may have been taken between the probe and the spawn
    }
  }
  const killOnExit = () => child?.kill('SIGKILL')
  process.once('exit', killOnExit)
  const terminate = async (signal: NodeJS.Signals) => {
    const running = child
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve())
      running.kill(signal)
    })
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    async restart() {
      await terminate('SIGTERM')
      child = await spawnRedisServer(port)
    },
  }
}
