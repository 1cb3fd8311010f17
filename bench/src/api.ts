import { createDb, ensureDatabase, migrate } from '@punctual/db'
import autocannon from 'autocannon'
import { createSigner } from 'fast-jwt'
import { Redis } from 'ioredis'
import { type BenchSection, percentile } from './report.ts'
import { buildServers, startServer, stopServer, waitUp } from './server-procs.ts'

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const PREFIX = `bench${process.pid}`
/** What every server process of this suite gets (our API and the bare peer). */
const serverEnv = { DATABASE_URL, REDIS_URL, REDIS_PREFIX: PREFIX }
const JWT_SECRET = 'bench-secret-0123456789abcdef'
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = 50

interface Load {
  rps: number
  p50: number
  p99: number
  non2xx: number
}

async function load(opts: autocannon.Options): Promise<Load> {
  // Warm-up (JIT, pools, prepared statements), not counted.
  await autocannon({ connections: CONNECTIONS, ...opts, duration: 2 })
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts })
  const ok = result['2xx']
  return {
    rps: ok / DURATION,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  }
}

let counter = 0
/** Each new schedule fires daily at a random minute: a fleet of per-schedule times, as users spread jobs. */
const uniqueBody = (workflowId: string) => () => {
  const m = Math.floor(Math.random() * 1440)
  return JSON.stringify({
    workflowId,
    name: `bench-${process.pid}-${++counter}`,
    cronExpression: `${m % 60} ${Math.floor(m / 60)} * * *`,
  })
}

export async function run(): Promise<BenchSection> {
  await ensureDatabase(DATABASE_URL)
  const { sql, close } = createDb(DATABASE_URL)
  await migrate(DATABASE_URL)
  await sql`truncate schedules, triggers, executions, audit_log, workflows cascade`
  const token = createSigner({ key: JWT_SECRET, algorithm: 'HS256', expiresIn: 3_600_000 })({
    sub: 'bench',
    tenant: 'bench',
    role: 'admin',
  })
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

  const servers = await buildServers()
  const api = startServer(servers.api, 3101, {
    ...serverEnv,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    API_RATE_LIMIT_PER_MINUTE: '100000000',
  })
  const bare = startServer(servers.bare, 3102, serverEnv)
  const redis = new Redis(REDIS_URL)
  try {
    await waitUp('http://127.0.0.1:3101/readyz')
    await waitUp('http://127.0.0.1:3102/bare/schedules/00000000-0000-0000-0000-000000000000')
    const wf = (await (
      await fetch('http://127.0.0.1:3101/api/workflows', {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'bench', steps: [{ name: 'noop', type: 'delay', ms: 0 }] }),
      })
    ).json()) as { id: string }
    const s = (await (
      await fetch('http://127.0.0.1:3101/api/schedules', {
        method: 'POST',
        headers,
        body: JSON.stringify({ workflowId: wf.id, name: 'bench-get', cronExpression: '*/5 * * * *' }),
      })
    ).json()) as { id: string }

    const getOurs = await load({ url: `http://127.0.0.1:3101/api/schedules/${s.id}`, headers })
    const getBare = await load({ url: `http://127.0.0.1:3102/bare/schedules/${s.id}` })
    const postOurs = await load({
      url: 'http://127.0.0.1:3101/api/schedules',
      method: 'POST',
      headers,
      requests: [{ setupRequest: (req) => ({ ...req, body: uniqueBody(wf.id)() }) }],
    })
    const postBare = await load({
      url: 'http://127.0.0.1:3102/bare/schedules',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: uniqueBody(wf.id)() }) }],
    })

    // Conflict detection with 10,000 schedules on one workflow (each daily at a random minute):
    // sequential creates on that workflow vs on an empty workflow, same process, same moment.
    const conflict = await conflictCost(headers)

    const rows: (string | number)[][] = []
    const verdict: string[] = []
    const line = (route: string, ours: Load, peer: Load, target: number) => {
      const ratio = ours.rps / peer.rps
      rows.push(
        [
          route,
          'punctual',
          ours.rps.toFixed(0),
          ours.p50,
          ours.p99,
          ours.non2xx,
          `${(ratio * 100).toFixed(0)}%`,
        ],
        [
          route,
          'bare fastify + postgres.js + ioredis',
          peer.rps.toFixed(0),
          peer.p50,
          peer.p99,
          peer.non2xx,
          '100%',
        ],
      )
      verdict.push(
        `${route}: ${(ratio * 100).toFixed(0)}% of the bare route's req/s (target ≥ ${target * 100}%: ${ratio >= target ? 'met' : 'NOT met'}); p99 ${ours.p99} ms (target ≤ 30 ms: ${ours.p99 <= 30 ? 'met' : 'NOT met'})`,
      )
    }
    line('GET /api/schedules/:id', getOurs, getBare, 0.5)
    line('POST /api/schedules', postOurs, postBare, 0.6)
    verdict.push(
      `Conflict check with 10,000 schedules on the workflow: create p50 ${conflict.busyP50.toFixed(2)} ms vs ${conflict.emptyP50.toFixed(2)} ms on an empty workflow (+${(conflict.busyP50 - conflict.emptyP50).toFixed(2)} ms; target ≤ 1 ms: ${conflict.busyP50 - conflict.emptyP50 <= 1 ? 'met' : 'NOT met'}); mean warnings.total ${conflict.meanTotal.toFixed(1)}`,
    )
    return {
      id: 'api',
      title: 'API throughput (autocannon)',
      method: [
        `autocannon -c ${CONNECTIONS} -d ${DURATION} after a 2 s warm-up, run in the bench process; the server under test is a separate process, run as its production bundle (scripts/bundle.mjs, as pnpm start runs the API; the bare peer bundled the same way). Load generator and server share the same 2 cores.`,
        'Only 2xx responses are counted in req/s. POST bodies carry unique names and fire daily at a random minute. API_RATE_LIMIT_PER_MINUTE raised for the run (the limiter still runs and counts every request in Redis, batched every 20 ms).',
        'Everything our API reads is created through it, as a user creates it: the workflows with POST /api/workflows, every schedule (the GET target, the 10,000 neighbours of the conflict check) with POST /api/schedules; SQL only empties the bench database before the run.',
        'Peer: a bare Fastify route doing the same storage work with postgres.js and ioredis and nothing else (GET: SELECT by primary key; POST: BEGIN, SELECT the workflow, INSERT, ZADD, COMMIT). Both use a pool of 20 Postgres connections.',
        'Our create writes the versioned due-index entry first and then commits one INSERT (the (tenant, workflow) foreign key replaces the SELECT); a refused INSERT takes the entry back.',
        'Ours additionally verifies the JWT, checks the role, applies the Redis-backed rate limit, validates with Ajv, computes the next fire and the conflict index, and writes the versioned due-index entry through a Lua script.',
      ],
      headers: ['route', 'server', 'req/s (2xx)', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'vs bare'],
      rows,
      verdict,
    }
  } finally {
    await Promise.all([stopServer(api), stopServer(bare)])
    let cursor = '0'
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `{${PREFIX}}*`, 'COUNT', 1000)
      cursor = next
      if (found.length > 0) await redis.del(...found)
    } while (cursor !== '0')
    await redis.quit()
    await close()
  }

  async function conflictCost(h: Record<string, string>) {
    const mk = async (name: string) =>
      (
        await fetch('http://127.0.0.1:3101/api/workflows', {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ name, steps: [{ name: 'noop', type: 'delay', ms: 0 }] }),
        })
      ).json() as Promise<{ id: string }>
    const busy = await mk('bench-busy')
    const empty = await mk('bench-empty')
    // Populate through the API, a few at a time, so every neighbour is in the per-minute index.
    const N = 10_000
    for (let i = 0; i < N; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => {
          const m = Math.floor(Math.random() * 1440)
          return fetch('http://127.0.0.1:3101/api/schedules', {
            method: 'POST',
            headers: h,
            body: JSON.stringify({
              workflowId: busy.id,
              name: `busy-${i + j}`,
              cronExpression: `${m % 60} ${Math.floor(m / 60)} * * *`,
            }),
          })
        }),
      )
    }
    const time = async (workflowId: string, tag: string) => {
      const samples: number[] = []
      let totals = 0
      for (let i = 0; i < 300; i++) {
        const m = Math.floor(Math.random() * 1440)
        const t0 = performance.now()
        const res = await fetch('http://127.0.0.1:3101/api/schedules', {
          method: 'POST',
          headers: h,
          body: JSON.stringify({
            workflowId,
            name: `${tag}-${i}`,
            cronExpression: `${m % 60} ${Math.floor(m / 60)} * * *`,
          }),
        })
        const body = (await res.json()) as { warnings: { total: number }[] }
        samples.push(performance.now() - t0)
        totals += body.warnings[0]?.total ?? 0
      }
      samples.sort((a, b) => a - b)
      return { p50: percentile(samples, 50), meanTotal: totals / samples.length }
    }
    // Interleave to share any drift between the two.
    const e1 = await time(empty.id, 'empty-a')
    const b1 = await time(busy.id, 'busy-a')
    const e2 = await time(empty.id, 'empty-b')
    const b2 = await time(busy.id, 'busy-b')
    return {
      emptyP50: (e1.p50 + e2.p50) / 2,
      busyP50: (b1.p50 + b2.p50) / 2,
      meanTotal: (b1.meanTotal + b2.meanTotal) / 2,
    }
  }
}
