import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@punctual/core/testing'
import { RECEIPT_TTL_MS } from '@punctual/db'
import { createTestDatabase } from '@punctual/db/testing'
import { createTestRedis, findFreePort } from '@punctual/queue/testing'
import { createSigner } from 'fast-jwt'
import { describe, expect, it } from 'vitest'
import { apiBundle, bundle } from '../../../scripts/bundle.mjs'

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url))

/** The first answer from `url` once the server listens (fetch throws until then). */
const answer = (url: string, timeoutMs: number): Promise<Response> =>
  waitFor(`${url} to answer`, () => fetch(url), { timeoutMs, intervalMs: 100 })

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
      const health = await answer(`http://127.0.0.1:${port}/healthz`, 20_000)
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

  it('purges expired receipts when API_RECEIPT_PURGE_INTERVAL_MS is set (a deployment without workers)', async () => {
    const database = await createTestDatabase()
    const redis = await createTestRedis()
    const receipt = (id: string, ageMs: number) => database.sql`
      insert into event_receipts (tenant, event_id, type, received_at)
      values ('api-only', ${id}, 'order.created', ${new Date(Date.now() - ageMs).toISOString()}::timestamptz)`
    const ids = async () =>
      (await database.sql<{ id: string }[]>`select event_id as id from event_receipts order by event_id`).map(
        (r) => r.id,
      )
    try {
      await receipt('expired', RECEIPT_TTL_MS + 60_000)
      await receipt('fresh', 1000)
      const port = await findFreePort()
      const child = spawn(process.execPath, ['--import', 'tsx', server], {
        env: {
          ...process.env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          DATABASE_URL: database.url,
          REDIS_URL: redis.url,
          REDIS_PREFIX: redis.prefix,
          API_RECEIPT_PURGE_INTERVAL_MS: '100',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
      try {
        await waitFor('the expired receipt purged', async () => (await ids()).length === 1, {
          timeoutMs: 20_000,
        })
        expect(await ids()).toEqual(['fresh'])
      } finally {
        child.kill('SIGTERM')
      }
      expect(await exited).toBe(0)
    } finally {
      await redis.cleanup()
      await database.close()
    }
  }, 30_000)

  it('runs as its production bundle (pnpm start): ready, docs, a write, a clean stop', async () => {
    // Built inside apps/api (its node_modules resolve the packages left outside the bundle), removed after.
    const dir = `apps/api/.tmp/bundle-${randomUUID()}`
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const database = await createTestDatabase()
    const redis = await createTestRedis()
    const secret = 'bundle-secret-0123456789abcdef'
    try {
      const file = await bundle(apiBundle.entry, `${dir}/server.js`, { external: apiBundle.external })
      const port = await findFreePort()
      const child = spawn(process.execPath, [file], {
        env: {
          ...process.env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          JWT_SECRET: secret,
          DATABASE_URL: database.url,
          REDIS_URL: redis.url,
          REDIS_PREFIX: redis.prefix,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      // Both streams kept so that a stop that fails says why (warnings and errors are logged to stdout).
      let stderr = ''
      let stdout = ''
      child.stderr!.on('data', (d) => {
        stderr += d
      })
      child.stdout!.on('data', (d) => {
        stdout += d
      })
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
      try {
        const base = `http://127.0.0.1:${port}`
        await answer(`${base}/healthz`, 20_000)
        expect((await fetch(`${base}/readyz`)).status).toBe(200)
        // swagger-ui stays outside the bundle and still serves its static files.
        const docs = await fetch(`${base}/docs/static/swagger-ui.css`)
        expect(docs.status).toBe(200)
        const token = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 60_000 })({
          sub: 'bundle',
          tenant: 'acme',
          role: 'admin',
        })
        const created = await fetch(`${base}/api/workflows`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'bundled', steps: [{ name: 'wait', type: 'delay', ms: 1 }] }),
        })
        expect(created.status).toBe(201)
      } finally {
        child.kill('SIGTERM')
      }
      const code = await exited
      expect(code, `exit code ${code}\nstderr: ${stderr}\nstdout: ${stdout.slice(-4000)}`).toBe(0)
      expect(stderr).not.toMatch(/Error/)
    } finally {
      await rm(`${root}${dir}`, { recursive: true, force: true })
      await redis.cleanup()
      await database.close()
    }
  }, 60_000)
})
