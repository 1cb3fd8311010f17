import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedis, type Redis } from '../src/redis.ts'
import type { RedisConnection } from '../src/redis-connection.ts'
import { watchBootMisconfiguration } from '../src/redis-misconfig.ts'
import { findFreePort } from '../src/testing.ts'
import { startTestServer, type TestServer } from '../src/testing-topologies.ts'

// What stops a process at boot (watchBootMisconfiguration), on a private server of this file's own with an
// ACL user; the three modes, TLS and the processes themselves are in e2e/redis-auth.test.ts and
// e2e/redis-tls.test.ts.
const password = `pw-${randomBytes(8).toString('hex')}`
let server: TestServer | undefined
const clients: Redis[] = []

beforeAll(async () => {
  server = await startTestServer({
    security: {
      auth: { username: 'punctual', password, defaultPassword: `d-${randomBytes(8).toString('hex')}` },
    },
  })
  // A user with the right password, switched off.
  await server.admin('ACL', 'SETUSER', 'switched-off', 'off', `>${password}`, '~*', '&*', '+@all')
}, 30_000)
afterAll(async () => {
  for (const c of clients) c.disconnect()
  await server?.stop()
})

/** What the watcher reported within ms (null: nothing), and the errors the client emitted meanwhile. */
async function watch(
  conn: RedisConnection,
  ms: number,
): Promise<{ problem: string | null; errors: string[] }> {
  const redis = createRedis(conn)
  clients.push(redis)
  const errors: string[] = []
  redis.on('error', (err: Error) => errors.push(err.message))
  const problem = await new Promise<string | null>((resolve) => {
    const stop = watchBootMisconfiguration(redis, conn, resolve)
    setTimeout(() => {
      stop()
      resolve(null)
    }, ms)
  })
  redis.disconnect()
  return { problem, errors }
}

describe('watchBootMisconfiguration', () => {
  it('reports a user switched off as refused credentials, naming REDIS_USERNAME and REDIS_PASSWORD', async () => {
    const { problem } = await watch({ ...server!.connection, username: 'switched-off' }, 5000)
    expect(problem).toMatch(
      /^Redis refused the credentials \(check REDIS_USERNAME and REDIS_PASSWORD.*WRONGPASS/,
    )
    expect(problem).not.toContain(password)
  })

  it('reports missing credentials (the default user has a password)', async () => {
    const { problem } = await watch({ mode: 'single', url: server!.url }, 5000)
    expect(problem).toMatch(/^Redis requires a password \(set REDIS_PASSWORD.*NOAUTH/)
  })

  it('reports nothing for a server that is down (retrying is right), nor once the client is ready', async () => {
    const down = await watch({ mode: 'single', url: `redis://127.0.0.1:${await findFreePort()}` }, 1500)
    expect(down.errors.length).toBeGreaterThan(0)
    expect(down.errors.join()).toContain('ECONNREFUSED')
    expect(down.problem).toBeNull()
    const fine = await watch(server!.connection, 1500)
    expect(fine).toEqual({ problem: null, errors: [] })
  })
})
