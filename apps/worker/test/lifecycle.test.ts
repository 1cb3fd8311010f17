import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@punctual/core/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
let database: TestDatabase
// The file's own key prefix: a worker on the default prefix would share keys with every other test run.
let redis: TestRedis
let deps: Record<string, string>

beforeAll(async () => {
  ;[database, redis] = await Promise.all([createTestDatabase(), createTestRedis()])
  deps = { DATABASE_URL: database.url, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix }
})
afterAll(async () => {
  await Promise.allSettled([redis?.cleanup(), database?.close()])
})

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let buffer = ''
  child.stdout!.on('data', (d) => {
    buffer += d
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    lines.push(...parts.filter(Boolean))
  })
  let stderr = ''
  child.stderr!.on('data', (d) => {
    stderr += d
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { child, lines, exited, stderr: () => stderr }
}

function waitForLog(lines: string[], msg: string, timeoutMs = 20_000) {
  return waitFor(`a "${msg}" log`, () => lines.map((l) => JSON.parse(l)).find((l) => l.msg === msg), {
    timeoutMs,
    intervalMs: 50,
  }).catch((err: Error) => {
    throw new Error(`${err.message}; got ${lines.join('\n')}`)
  })
}

function stop(child: ChildProcess) {
  child.kill('SIGTERM')
}

describe('worker process', () => {
  it('connects, logs "ready" with its id, and exits 0 on SIGTERM', async () => {
    const w = startWorker({ ...deps, WORKER_ID: 'worker-a' })
    const ready = await waitForLog(w.lines, 'ready')
    expect(ready.workerId).toBe('worker-a')
    stop(w.child)
    expect(await w.exited).toBe(0)
    await waitForLog(w.lines, 'stopped')
  })

  it('does not count its own start-up as load: a fresh worker is not paused by its first heartbeat', async () => {
    // A 1 % CPU limit that start-up (loading, connecting, the first reconcile) is far over: before the monitor
    // was reset at start, the first heartbeat paused claiming for a whole heartbeat period.
    const w = startWorker({
      ...deps,
      WORKER_ID: 'worker-startup',
      WORKER_MAX_CPU_PERCENT: '1',
      WORKER_HEARTBEAT_MS: '60000',
    })
    await waitForLog(w.lines, 'ready')
    const messages = w.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)
    expect(messages).toContain('runner started')
    expect(messages).not.toContain('over the load limit: pausing execution claiming')
    stop(w.child)
    expect(await w.exited).toBe(0)
  })

  it('keeps retrying while Redis is unreachable and still stops cleanly', async () => {
    const w = startWorker({ DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:1/0' })
    await waitForLog(w.lines, 'dependencies not reachable yet')
    expect(w.child.exitCode).toBeNull()
    stop(w.child)
    expect(await w.exited).toBe(0)
  })

  it('refuses a bad configuration value at boot, naming the variable', async () => {
    const w = startWorker({ REDIS_URL: 'not-a-url' })
    expect(await w.exited).toBe(1)
    expect(w.stderr()).toContain('REDIS_URL')
  })
})
