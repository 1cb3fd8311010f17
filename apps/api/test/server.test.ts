import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { findFreePort } from '@punctual/queue/testing'
import { describe, expect, it } from 'vitest'

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url))

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fetch(url)
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

describe('server process', () => {
  it('starts with Redis and Postgres unreachable, is alive but not ready, and stops cleanly on SIGTERM', async () => {
    const port = await findFreePort()
    const child = spawn(process.execPath, ['--import', 'tsx', server], {
      env: {
        ...process.env,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        REDIS_URL: 'redis://127.0.0.1:1/0',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/healthz`, 20_000)
      expect(health.status).toBe(200)
      const t0 = Date.now()
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({ status: 'not_ready', postgres: 'down', redis: 'down' })
      expect(Date.now() - t0).toBeLessThan(5000)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })
})
