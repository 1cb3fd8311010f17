import net from 'node:net'
import { startTcpProxy, type TcpProxy } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, ping } from '../src/client.ts'
import { findPgError, isUnavailableError } from '../src/errors.ts'
import { workflows } from '../src/schema/index.ts'
import { createTestDatabase, type TestDatabase } from '../src/testing.ts'

/** How long `fn` takes to settle, and how. */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; error?: unknown }> {
  const started = performance.now()
  try {
    await fn()
    return { ms: performance.now() - started }
  } catch (error) {
    return { ms: performance.now() - started, error }
  }
}

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.close())

describe('createDb', () => {
  it('queries through drizzle and raw sql, and ping answers', async () => {
    expect(await t.db.select().from(workflows)).toEqual([])
    const [row] = await t.sql`select 41 + 1 as n`
    expect(row?.['n']).toBe(42)
    await expect(ping(t.sql)).resolves.toBeUndefined()
  })

  it('applies statementTimeoutMs on every connection', async () => {
    const h = createDb(t.url, { statementTimeoutMs: 200 })
    try {
      const [row] = await h.sql`show statement_timeout`
      expect(row?.['statement_timeout']).toBe('200ms')
      const { error } = await timed(() => h.sql`select pg_sleep(2)`)
      expect(findPgError(error)?.code).toBe('57014')
      expect(isUnavailableError(error)).toBe(true)
    } finally {
      await h.close()
    }
  })

  it('commits without waiting for the WAL flush only when synchronousCommit is false', async () => {
    const asyncPool = createDb(t.url, { synchronousCommit: false })
    const plain = createDb(t.url)
    try {
      const [off] = await asyncPool.sql`show synchronous_commit`
      expect(off?.['synchronous_commit']).toBe('off')
      const [on] = await plain.sql`show synchronous_commit`
      expect(on?.['synchronous_commit']).toBe('on')
      // Visibility is unchanged: a row committed asynchronously is seen at once by another connection.
      await asyncPool.sql`insert into workflows (id, tenant, name, steps) values (gen_random_uuid(), 't', 'async-commit', '[]'::jsonb)`
      const seen = await plain.sql`select name from workflows where name = 'async-commit'`
      expect(seen).toHaveLength(1)
    } finally {
      await Promise.all([asyncPool.close(), plain.close()])
    }
  })

  it('fails fast, not hanging, when nothing listens on the port', async () => {
    const h = createDb('postgres://postgres@127.0.0.1:1/punctual')
    try {
      const q = await timed(() => h.db.select().from(workflows))
      expect(q.error).toBeDefined()
      expect(isUnavailableError(q.error)).toBe(true)
      expect(q.ms).toBeLessThan(5000)
      const p = await timed(() => ping(h.sql))
      expect(p.error).toBeDefined()
      expect(p.ms).toBeLessThan(5000)
    } finally {
      await h.close()
    }
  })

  it('gives up within the connect timeout when the server accepts but never answers', async () => {
    const silent = net.createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as net.AddressInfo).port
    const h = createDb(`postgres://postgres@127.0.0.1:${port}/punctual`, { connectTimeoutSeconds: 1 })
    try {
      const q = await timed(() => h.sql`select 1`)
      expect(findPgError(q.error)?.code).toBe('CONNECT_TIMEOUT')
      expect(isUnavailableError(q.error)).toBe(true)
      expect(q.ms).toBeGreaterThan(800)
      expect(q.ms).toBeLessThan(3000)
    } finally {
      await h.close(0)
      silent.close()
    }
  })

  describe('through a proxy that fails and comes back', () => {
    let proxy: TcpProxy
    let h: ReturnType<typeof createDb>
    beforeAll(async () => {
      proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
      h = createDb(proxy.url(t.url), { max: 4 })
    })
    afterAll(async () => {
      await h.close(0)
      await proxy.close()
    })

    it('fails each query fast while Postgres is unreachable and recovers by itself', async () => {
      await ping(h.sql)
      await proxy.refuse()
      // Many failures in a row: postgres.js' default backoff would by now delay reconnects by up to 20 s.
      for (let i = 0; i < 12; i++) {
        const q = await timed(() => h.db.select().from(workflows))
        expect(isUnavailableError(q.error), String(q.error)).toBe(true)
        expect(q.ms).toBeLessThan(3000)
      }
      await proxy.restore()
      const back = await timed(() => h.db.select().from(workflows))
      expect(back.error).toBeUndefined()
      expect(back.ms).toBeLessThan(2000)
      await ping(h.sql)
    })

    it('fails within the connect timeout while connections are black-holed, then recovers', async () => {
      await proxy.blackhole()
      const q = await timed(() => h.sql`select 1`)
      expect(isUnavailableError(q.error), String(q.error)).toBe(true)
      expect(q.ms).toBeLessThan(3500)
      await proxy.restore()
      const back = await timed(() => h.sql`select 1`)
      expect(back.error).toBeUndefined()
      expect(back.ms).toBeLessThan(2000)
    })

    it('ping gives up on an open connection that stops answering', async () => {
      await ping(h.sql)
      proxy.freeze()
      const p = await timed(() => ping(h.sql, { timeoutMs: 500 }))
      expect(findPgError(p.error)?.code).toBe('PING_TIMEOUT')
      expect(isUnavailableError(p.error)).toBe(true)
      expect(p.ms).toBeLessThan(1500)
      await proxy.restore()
      await ping(h.sql)
    })
  })
})
