import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDb, type DbHandle, ensureDatabase, migrate } from '@punctual/db'
import {
  createExecutionQueue,
  createKeys,
  createRedis,
  type QueueKeys,
  type Redis,
  waitForReady,
} from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import { type ApiProcess, callMany, createWorkflows, headersFor, IN_FLIGHT, startApi } from './api-user.ts'
import { request } from './fairness/load.ts'
import { type BenchSection, percentile } from './report.ts'
import { buildWorkers, type OurWorker, sleep, startOurWorker, waitForHeartbeats } from './worker/procs.ts'

/**
 * Issue 16 (failure handling): dispatch with per-step outcomes written, the queue view and priority change
 * under a large backlog, and the bulk redrive. Knobs (env) for smoke runs with small counts:
 * BENCH_FAILURES_ONE_STEP (100,000), BENCH_FAILURES_THREE_STEP (20,000), BENCH_FAILURES_QUEUED (100,000),
 * BENCH_FAILURES_TENANTS (100), BENCH_FAILURES_API_CALLS (1,000 of each route), BENCH_FAILURES_DEAD (10,000),
 * BENCH_FAILURES_ONLY (comma list of dispatch, queue, redrive), BENCH_WORKER_CONCURRENCY (50).
 */

const DATABASE_URL =
  process.env.BENCH_FAILURES_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_failures'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 50)
const ONE_STEP_N = Number(process.env.BENCH_FAILURES_ONE_STEP ?? 100_000)
const THREE_STEP_N = Number(process.env.BENCH_FAILURES_THREE_STEP ?? 20_000)
const QUEUED_N = Number(process.env.BENCH_FAILURES_QUEUED ?? 100_000)
const TENANTS = Number(process.env.BENCH_FAILURES_TENANTS ?? 100)
const API_CALLS = Number(process.env.BENCH_FAILURES_API_CALLS ?? 1000)
const DEAD_N = Number(process.env.BENCH_FAILURES_DEAD ?? 10_000)
const ONLY = (process.env.BENCH_FAILURES_ONLY ?? '').split(',').filter(Boolean)
const WORKERS = 2

const num = (n: number) => Math.round(n).toLocaleString('en-US')
const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`

interface Ctx {
  db: DbHandle
  redis: Redis
}

async function resetDb(db: DbHandle) {
  await db.sql`truncate executions, schedules, triggers, workflows, workflow_versions, audit_log cascade`
}

function newPrefix(tag: string): { prefix: string; keys: QueueKeys } {
  const prefix = `bench-failures-${process.pid}-${tag}`
  return { prefix, keys: createKeys(prefix) }
}

/**
 * What the scenarios read, made the way a user makes it, through our API (production bundle): one workflow
 * per tenant with `steps`, ten event triggers per workflow (priorities 0-9, event types `bench.p<k>`), then
 * `n` events (POST /api/events, 50 in flight, round-robin over the tenants and priorities), each starting one
 * execution — before any worker runs, so they wait queued. Returns the workflows and the executions' ids.
 */
async function backlogThroughApi(
  api: ApiProcess,
  opts: { n: number; tenants: string[]; steps: unknown[] },
): Promise<{ workflowIds: string[]; ids: string[]; tenantOf: (i: number) => string }> {
  const { n, tenants } = opts
  const workflowIds = await createWorkflows(api, tenants, (k) => `bench-${k}`, IN_FLIGHT, opts.steps)
  await callMany(tenants.length * 10, async (j) => {
    const k = Math.floor(j / 10)
    const res = await request(`${api.url}/api/triggers`, {
      method: 'POST',
      headers: headersFor(tenants[k]!),
      body: JSON.stringify({
        workflowId: workflowIds[k],
        name: `p${j % 10}`,
        type: 'event',
        eventType: `bench.p${j % 10}`,
        priority: j % 10,
      }),
    })
    if (res.status !== 201) throw new Error(`trigger: ${res.status} ${res.body}`)
  })
  const tenantOf = (i: number) => tenants[i % tenants.length]!
  const ids: string[] = new Array(n)
  await callMany(n, async (i) => {
    const res = await request(`${api.url}/api/events`, {
      method: 'POST',
      headers: headersFor(tenantOf(i)),
      body: JSON.stringify({ type: `bench.p${Math.floor(i / tenants.length) % 10}`, data: { i } }),
    })
    if (res.status !== 202) throw new Error(`event: ${res.status} ${res.body}`)
    ids[i] = (JSON.parse(res.body) as { executions: string[] }).executions[0]!
  })
  return { workflowIds, ids, tenantOf }
}

function startWorkers(tag: string, prefix: string, env: Record<string, string> = {}): OurWorker[] {
  return Array.from({ length: WORKERS }, (_, i) =>
    startOurWorker(`bench-${tag}-${i + 1}`, {
      DATABASE_URL,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      WORKER_CONCURRENCY: String(CONCURRENCY),
      ...env,
    }),
  )
}

async function untilNoneUnfinished(ctx: Ctx) {
  for (;;) {
    const [r] = await ctx.db.sql<{ left: number }[]>`
      select count(*)::int as left from executions where status in ('queued', 'running', 'retrying')`
    if (r!.left === 0) return
    await sleep(500)
  }
}

const tenantNames = (n: number) => Array.from({ length: n }, (_, k) => `bench-t${k}`)

/** `n` executions of a `steps`-step workflow (0 ms delays) drained by two workers: executions/s and steps/s. */
async function dispatch(ctx: Ctx, n: number, steps: number) {
  const tag = `d${steps}`
  const { prefix, keys } = newPrefix(tag)
  await resetDb(ctx.db)
  const tenants = tenantNames(TENANTS)
  const definition = Array.from({ length: steps }, (_, i) => ({ name: `wait-${i}`, type: 'delay', ms: 0 }))
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: prefix })
  try {
    await backlogThroughApi(api, { n, tenants, steps: definition })
  } finally {
    await api.stop()
  }
  await ctx.db.sql`analyze executions`
  const workers = startWorkers(tag, prefix)
  try {
    await waitForHeartbeats(ctx.redis, keys.workers, workers)
    await untilNoneUnfinished(ctx)
    const [s] = await ctx.db.sql<{ done: number; first: number; last: number; recorded: number }[]>`
      select count(*) filter (where status = 'succeeded')::int as done,
             (extract(epoch from min(started_at)) * 1000)::float8 as first,
             (extract(epoch from max(finished_at)) * 1000)::float8 as last,
             coalesce(sum(jsonb_array_length(steps)), 0)::int as recorded
        from executions`
    const spanS = (s!.last - s!.first) / 1000
    return {
      n,
      done: s!.done,
      execPerS: s!.done / spanS,
      stepsPerS: s!.recorded / spanS,
      spanS,
      warnings: workers.flatMap((w) => [...w.warnings.keys()]),
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await deleteMatching(ctx.redis, keys.scanPattern)
  }
}

/** Latency of `calls` sequential requests (ms, sorted). */
async function timedCalls(calls: number, one: (i: number) => Promise<Response>): Promise<number[]> {
  const ms: number[] = []
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now()
    const res = await one(i)
    await res.arrayBuffer()
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    ms.push(performance.now() - t0)
  }
  return ms.sort((a, b) => a - b)
}

/** QUEUED_N queued over TENANTS tenants: PATCH priority and GET /api/queue (first page, and a later one). */
async function queueRoutes(ctx: Ctx) {
  const { prefix, keys } = newPrefix('q')
  await resetDb(ctx.db)
  const tenants = tenantNames(TENANTS)
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: prefix })
  try {
    const { ids, tenantOf } = await backlogThroughApi(api, {
      n: QUEUED_N,
      tenants,
      steps: [{ name: 'noop', type: 'delay', ms: 0 }],
    })
    await ctx.db.sql`analyze executions`
    const patch = await timedCalls(API_CALLS, (i) =>
      fetch(`${api.url}/api/executions/${ids[i % ids.length]}`, {
        method: 'PATCH',
        headers: headersFor(tenantOf(i % ids.length)),
        body: JSON.stringify({ priority: (i * 7) % 10 }),
      }),
    )
    const first = await timedCalls(API_CALLS, (i) =>
      fetch(`${api.url}/api/queue?limit=50`, { headers: headersFor(tenantOf(i)) }),
    )
    // A page deep into a tenant's line: the cursor of its 10th page.
    const cursors = new Map<string, string>()
    for (const t of tenants.slice(0, Math.min(10, tenants.length))) {
      let cursor: string | null = null
      for (let p = 0; p < 10; p++) {
        const res = await fetch(`${api.url}/api/queue?limit=50${cursor ? `&cursor=${cursor}` : ''}`, {
          headers: headersFor(t),
        })
        cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor
        if (!cursor) break
      }
      if (cursor) cursors.set(t, cursor)
    }
    const deepTenants = [...cursors.keys()]
    const deep =
      deepTenants.length === 0
        ? []
        : await timedCalls(API_CALLS, (i) => {
            const t = deepTenants[i % deepTenants.length]!
            return fetch(`${api.url}/api/queue?limit=50&cursor=${cursors.get(t)}`, { headers: headersFor(t) })
          })
    return { patch, first, deep }
  } finally {
    await api.stop()
    await deleteMatching(ctx.redis, keys.scanPattern)
  }
}

/** DEAD_N dead executions of one tenant redriven by one call (and a dry run first). */
async function redrive(ctx: Ctx) {
  const { prefix, keys } = newPrefix('r')
  await resetDb(ctx.db)
  const [tenant] = tenantNames(1)
  // Dead the way executions die: an http step answered 404 (a permanent failure: dead at once), run by the
  // workers, which are stopped before the redrive (its executions stay queued).
  const target = createServer((_req, res) => res.writeHead(404).end('no such thing'))
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/gone`
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: prefix })
  try {
    const { workflowIds } = await backlogThroughApi(api, {
      n: DEAD_N,
      tenants: [tenant!],
      steps: [{ name: 'call', type: 'http', method: 'POST', url }],
    })
    const workers = startWorkers('r', prefix, { OUTBOUND_ALLOW_PRIVATE: 'true' })
    try {
      await waitForHeartbeats(ctx.redis, keys.workers, workers)
      await untilNoneUnfinished(ctx)
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
    }
    await ctx.db.sql`analyze executions`
    const call = async (dryRun: boolean) => {
      const t0 = performance.now()
      const res = await fetch(`${api.url}/api/executions/redrive`, {
        method: 'POST',
        headers: headersFor(tenant!),
        body: JSON.stringify({ filter: { workflowId: workflowIds[0] }, dryRun }),
      })
      const body = (await res.json()) as { matched: number; executionIds: string[] }
      if (res.status !== (dryRun ? 200 : 202)) throw new Error(`redrive: HTTP ${res.status}`)
      return { ms: performance.now() - t0, matched: body.matched, redriven: body.executionIds.length }
    }
    const dry = await call(true)
    const real = await call(false)
    const [q] = await ctx.db.sql<
      { n: number }[]
    >`select count(*)::int as n from executions where kind = 'redrive'`
    const inRedis = (await createExecutionQueue(ctx.redis, keys).tenantDepths(tenant!)).ready
    return { dry, real, rows: q!.n, inRedis }
  } finally {
    target.close()
    await api.stop()
    await deleteMatching(ctx.redis, keys.scanPattern)
  }
}

const want = (name: string) => ONLY.length === 0 || ONLY.includes(name)

export async function run(): Promise<BenchSection> {
  await buildWorkers()
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL, { max: 4, applicationName: 'punctual-bench-failures' })
  const redis = createRedis(REDIS_URL, { name: 'bench:failures' })
  await waitForReady(redis, 5000)
  const ctx: Ctx = { db, redis }
  const rows: (string | number)[][] = []
  const verdict: string[] = []
  const notes: string[] = []
  try {
    if (want('dispatch')) {
      const one = await dispatch(ctx, ONE_STEP_N, 1)
      const three = await dispatch(ctx, THREE_STEP_N, 3)
      for (const [label, r] of [
        [`${num(ONE_STEP_N)} one-step`, one],
        [`${num(THREE_STEP_N)} three-step (outcomes written per step)`, three],
      ] as const) {
        rows.push([
          `dispatch, ${label}, ${WORKERS} workers`,
          `${num(r.execPerS)} executions/s`,
          `${num(r.stepsPerS)} steps/s`,
          `${num(r.done)} of ${num(r.n)} in ${r.spanS.toFixed(1)} s`,
        ])
        for (const w of new Set(r.warnings)) notes.push(`worker log (${label}): ${w}`)
      }
      verdict.push(
        `one-step dispatch ≥ 5,000/s: ${one.execPerS >= 5000 ? 'met' : 'NOT met'} (${num(one.execPerS)}/s)`,
      )
    }
    if (want('queue')) {
      const q = await queueRoutes(ctx)
      const p = (a: number[], x: number) => (a.length === 0 ? Number.NaN : percentile(a, x))
      for (const [label, a] of [
        ['PATCH /api/executions/:id priority', q.patch],
        ['GET /api/queue, first page', q.first],
        ['GET /api/queue, 11th page (cursor)', q.deep],
      ] as const) {
        rows.push([
          `${label}, ${num(QUEUED_N)} queued over ${TENANTS} tenants`,
          `p50 ${p(a, 50).toFixed(1)} ms`,
          `p99 ${p(a, 99).toFixed(1)} ms`,
          `${num(a.length)} sequential calls`,
        ])
        verdict.push(
          `${label} p99 ≤ 10 ms: ${p(a, 99) <= 10 ? 'met' : 'NOT met'} (${p(a, 99).toFixed(1)} ms)`,
        )
      }
    }
    if (want('redrive')) {
      const r = await redrive(ctx)
      rows.push([
        `bulk redrive, ${num(DEAD_N)} dead`,
        `${fmtS(r.real.ms)} per call`,
        `dry run ${fmtS(r.dry.ms)}`,
        `matched ${num(r.real.matched)}, redriven ${num(r.real.redriven)}, ${num(r.rows)} rows, ${num(r.inRedis)} ready in Redis`,
      ])
      verdict.push(
        `bulk redrive of ${num(DEAD_N)} under 5 s: ${r.real.ms < 5000 ? 'met' : 'NOT met'} (${fmtS(r.real.ms)})`,
      )
    }
  } finally {
    await redis.quit()
    await db.close()
  }
  return {
    id: 'failures',
    title: 'Failure handling (issue 16): per-step outcomes, queue view, priority, bulk redrive',
    method: [
      `Everything through our API (production bundle) as a user makes it: per tenant a workflow (POST /api/workflows) and ten event triggers (priorities 0-9), then the backlog as POST /api/events (50 in flight, each starting one execution) before any worker runs. Our worker bundles (production build), ${WORKERS} workers at concurrency ${CONCURRENCY}; rates over first start → last end. Steps are 0 ms delays; a three-step execution writes two step outcomes (group-committed) before its end. The dead executions of the redrive died running: an http step answered 404 by a local target (a permanent failure), run by the workers, which are stopped before the redrive.`,
      `API routes against our API process (production bundle), sequential calls, latency measured at the client.`,
      ...notes,
    ],
    headers: ['scenario', 'figure', 'second figure', 'detail'],
    rows,
    verdict,
  }
}
