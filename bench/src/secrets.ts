import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDb, type DbHandle, ensureDatabase, migrate } from '@punctual/db'
import { createKeys, createRedis, type Redis, waitForReady } from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import { callMany, IN_FLIGHT, startApi, tokenFor } from './api-user.ts'
import { request } from './fairness/load.ts'
import type { BenchSection } from './report.ts'
import { buildWorkers, type OurWorker, sleep, startOurWorker, waitForHeartbeats } from './worker/procs.ts'

/**
 * Issue 15, "Performance": executions per second of a one-http-step workflow calling a local target
 * (BENCH_SECRETS_N executions, default 10,000; 2 workers), with a tenant secret in a header and outbound
 * signing, against the same run with neither (a plain header, OUTBOUND_SIGNING=false). Target: ≥ 90 %.
 * Everything is made through the API, as a user makes it: the secret (PUT /api/secrets), the two workflows,
 * an event trigger for each, and before each pass its backlog of N events (POST /api/events, each starting
 * one execution) with no worker running. The two passes alternate BENCH_SECRETS_ROUNDS times (default 3:
 * A B A B A B) on the same database and target; the verdict uses the medians. The target is a keep-alive node:http server in this process (it only
 * answers 200 with a small JSON body; this process otherwise sleeps while the workers drain).
 */

const DATABASE_URL =
  process.env.BENCH_SECRETS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_secrets'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const N = Number(process.env.BENCH_SECRETS_N ?? 10_000)
const ROUNDS = Number(process.env.BENCH_SECRETS_ROUNDS ?? 3)
const WORKERS = Number(process.env.BENCH_SECRETS_WORKERS ?? 2)
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 50)
const CAP_MS = Number(process.env.BENCH_SECRETS_CAP_MS ?? 300_000)
const TENANT = 'bench-secrets'
const SECRET_VALUE = `bench-token-${randomUUID()}`

type Pass = 'plain' | 'secret'

interface PassResult {
  pass: Pass
  done: number
  rate: number
  spanMs: number
  warnings: string[]
}

const num = (x: number) => Math.round(x).toLocaleString('en-US')

function startTarget(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  server.keepAliveTimeout = 10_000
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const headers = () => ({ authorization: `Bearer ${tokenFor(TENANT)}`, 'content-type': 'application/json' })

async function call(url: string, method: string, body: unknown, want: number) {
  const res = await request(url, { method, headers: headers(), body: JSON.stringify(body) })
  if (res.status !== want) throw new Error(`${method} ${url}: ${res.status} ${res.body.slice(0, 300)}`)
  return res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {}
}

/** The secret, the two workflows (a plain header / a secret header) and an event trigger for each. */
async function seed(db: DbHandle, targetUrl: string): Promise<void> {
  await db.sql`truncate executions, workflows, tenant_secrets, tenant_signing_secrets, audit_log cascade`
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: `bench-secrets-${process.pid}-setup` })
  try {
    await call(`${api.url}/api/secrets/TOKEN`, 'PUT', { value: SECRET_VALUE }, 204)
    for (const [pass, authorization] of [
      ['plain', 'Bearer not-a-secret-0123456789'],
      ['secret', 'Bearer {{secrets.TOKEN}}'],
    ] as const) {
      const steps = [
        {
          name: 'call',
          type: 'http',
          method: 'POST',
          url: `${targetUrl}/hook`,
          headers: { authorization },
          body: { hello: 'world' },
        },
      ]
      const wf = await call(`${api.url}/api/workflows`, 'POST', { name: `bench-${pass}`, steps }, 201)
      await call(
        `${api.url}/api/triggers`,
        'POST',
        { workflowId: wf['id'], name: `bench-${pass}`, type: 'event', eventType: `bench.${pass}` },
        201,
      )
    }
  } finally {
    await api.stop()
  }
}

/** N events of the pass through the API (each starts one execution), then WORKERS workers drain them. */
async function drain(db: DbHandle, redis: Redis, pass: Pass): Promise<PassResult> {
  await db.sql`truncate executions, event_receipts cascade`
  const prefix = `bench-secrets-${process.pid}-${pass}-${randomUUID().slice(0, 6)}`
  const keys = createKeys(prefix)
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: prefix })
  let refused = 0
  let firstRefusal: string | undefined
  try {
    const body = JSON.stringify({ type: `bench.${pass}`, data: { n: 1 } })
    await callMany(
      N,
      async () => {
        const res = await request(`${api.url}/api/events`, { method: 'POST', headers: headers(), body })
        if (res.status !== 202) {
          refused++
          firstRefusal ??= `${res.status} ${res.body.slice(0, 200)}`
        }
      },
      IN_FLIGHT,
    )
  } finally {
    await api.stop()
  }
  if (refused > 0) throw new Error(`${refused} of ${N} events not accepted; first: ${firstRefusal}`)
  await db.sql`analyze executions`
  const env = {
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    WORKER_CONCURRENCY: String(CONCURRENCY),
    OUTBOUND_ALLOW_PRIVATE: 'true',
    OUTBOUND_SIGNING: pass === 'secret' ? 'true' : 'false',
  }
  const workers: OurWorker[] = Array.from({ length: WORKERS }, (_, i) =>
    startOurWorker(`bench-secrets-${pass}-${i + 1}`, env),
  )
  try {
    const readyAt = await waitForHeartbeats(redis, keys.workers, workers)
    for (;;) {
      const [r] = await db.sql<{ left: number }[]>`
        select count(*)::int as left from executions where status in ('queued', 'running', 'retrying')`
      if (r!.left === 0 || Date.now() > readyAt + CAP_MS) break
      await sleep(250)
    }
    const [s] = await db.sql<{ done: number; first: number | null; last: number | null }[]>`
      select count(*) filter (where status = 'succeeded')::int as done,
             (extract(epoch from min(started_at)) * 1000)::float8 as first,
             (extract(epoch from max(finished_at) filter (where status = 'succeeded')) * 1000)::float8 as last
        from executions`
    const spanMs = s!.first !== null && s!.last !== null ? s!.last - s!.first : Number.NaN
    const warnings = new Map<string, number>()
    for (const w of workers) for (const [m, c] of w.warnings) warnings.set(m, (warnings.get(m) ?? 0) + c)
    return {
      pass,
      done: s!.done,
      rate: s!.done / (spanMs / 1000),
      spanMs,
      warnings: [...warnings].map(([m, c]) => `${m} ×${c}`),
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await deleteMatching(redis, keys.scanPattern)
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

export async function run(): Promise<BenchSection> {
  await buildWorkers()
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL, { max: 4, applicationName: 'punctual-bench-secrets' })
  const redis = createRedis(REDIS_URL, { name: 'bench:secrets' })
  await waitForReady(redis, 5000)
  const target = await startTarget()
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`
  const results: PassResult[] = []
  try {
    await seed(db, targetUrl)
    for (let round = 0; round < ROUNDS; round++) {
      for (const pass of ['plain', 'secret'] as const) {
        const r = await drain(db, redis, pass)
        console.log(`round ${round + 1} ${pass}: ${num(r.rate)}/s (${num(r.done)} of ${num(N)})`)
        results.push(r)
      }
    }
  } finally {
    await new Promise((r) => target.close(r))
    redis.disconnect()
    await db.close()
  }
  const rates = (pass: Pass) => results.filter((r) => r.pass === pass).map((r) => r.rate)
  const plain = median(rates('plain'))
  const secret = median(rates('secret'))
  const ratio = secret / plain
  const incomplete = results.filter((r) => r.done < N)
  return {
    id: 'secrets',
    title: 'Secrets and outbound signing: one-http-step dispatch (issue 15)',
    method: [
      `${num(N)} executions of a one-http-step workflow, each started by an event (POST /api/events before the workers start): a POST to a local keep-alive target answering 200, ${WORKERS} workers × concurrency ${CONCURRENCY}, rate = succeeded / (last finishedAt − first startedAt).`,
      '`plain`: a literal authorization header, OUTBOUND_SIGNING=false. `secret`: `authorization: Bearer {{secrets.TOKEN}}` (a tenant secret opened by the worker, cached 5 s) and every request signed (Standard Webhooks, HMAC-SHA256) with X-Execution-Id.',
      `Passes alternate, ${ROUNDS} round(s); the verdict compares medians.`,
    ],
    headers: ['round', 'pass', 'executions/s', 'succeeded', 'span'],
    rows: results.map((r, i) => [
      Math.floor(i / 2) + 1,
      r.pass,
      num(r.rate),
      `${num(r.done)} of ${num(N)}`,
      `${(r.spanMs / 1000).toFixed(2)} s`,
    ]),
    verdict: [
      `median plain ${num(plain)}/s, secret + signing ${num(secret)}/s: ${(ratio * 100).toFixed(1)} % (target ≥ 90 %: ${ratio >= 0.9 ? '**met**' : '**NOT met**'})`,
      ...(incomplete.length > 0 ? [`incomplete passes: ${incomplete.map((r) => r.pass).join(', ')}`] : []),
      ...[...new Set(results.flatMap((r) => r.warnings))].map((w) => `worker log: ${w}`),
    ],
  }
}
