import { createDb, type DbHandle, ensureDatabase, migrate, refreshSchedulePatterns } from '@punctual/db'
import { createKeys, createRedis, type Redis, waitForReady } from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import { type ApiProcess, createSchedules, createWorkflow, headersFor, startApi } from './api-user.ts'
import { request } from './fairness/load.ts'
import { type BenchSection, percentile } from './report.ts'

/**
 * Issue 17 (the fleet optimizer): GET /api/schedules/optimizer against a fleet created through our API with
 * 7 days of execution history, and the event loop while a 100,000-schedule, 168-hour answer is computed.
 * Knobs (env) for smoke runs: BENCH_OPTIMIZER_SIZES (comma list, default 1000,10000),
 * BENCH_OPTIMIZER_EXECUTIONS (history rows per size, 1,000,000), BENCH_OPTIMIZER_CALLS (200),
 * BENCH_OPTIMIZER_BIG (schedules of the event-loop scenario, 100,000; 0 skips it), BENCH_OPTIMIZER_BIG_CALLS (5).
 */

const DATABASE_URL =
  process.env.BENCH_OPTIMIZER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_optimizer'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const SIZES = (process.env.BENCH_OPTIMIZER_SIZES ?? '1000,10000').split(',').filter(Boolean).map(Number)
const EXECUTIONS = Number(process.env.BENCH_OPTIMIZER_EXECUTIONS ?? 1_000_000)
const CALLS = Number(process.env.BENCH_OPTIMIZER_CALLS ?? 200)
const BIG = Number(process.env.BENCH_OPTIMIZER_BIG ?? 100_000)
const BIG_CALLS = Number(process.env.BENCH_OPTIMIZER_BIG_CALLS ?? 5)
const TENANT = 'bench-fleet'
const DAY = 86_400_000

const num = (n: number) => Math.round(n).toLocaleString('en-US')
const ms1 = (n: number) => `${n.toFixed(1)} ms`

/**
 * The mix: 70 % daily or hourly (half each; a third of the daily ones at 09:00 New York), 25 % every 1-15
 * minutes, 5 % every second.
 */
function cronOf(i: number): { cronExpression: string; timezone?: string } {
  const k = i % 100
  if (k < 35)
    return k % 3 === 0
      ? { cronExpression: '0 9 * * *', timezone: 'America/New_York' }
      : { cronExpression: `${i % 60} ${i % 24} * * *` }
  if (k < 70) return { cronExpression: `${i % 60} * * * *` }
  if (k < 95) return { cronExpression: `*/${1 + (i % 15)} * * * *` }
  return { cronExpression: '* * * * * *' }
}

async function resetDb(db: DbHandle) {
  await db.sql`truncate executions, schedules, workflows, workflow_versions, audit_log, schedule_patterns,
                        schedule_pattern_refresh cascade`
}

/** The fleet, through our API: one workflow, `n` schedules (POST /api/schedules, 50 in flight). */
async function createFleet(api: ApiProcess, db: DbHandle, n: number): Promise<number> {
  const workflowId = await createWorkflow(api, TENANT, 'fleet')
  const t0 = performance.now()
  const run = await createSchedules(api, n, (i) => ({
    tenant: TENANT,
    workflowId,
    name: `s-${i}`,
    ...cronOf(i),
  }))
  if (run.ok !== n) throw new Error(`created ${run.ok} of ${n}: ${run.firstError}`)
  const ms = performance.now() - t0
  // The statistics autovacuum keeps after a bulk of creates.
  await db.sql`analyze schedules`
  return ms
}

/**
 * 7 days of history in the shape the worker writes a finished fire (UUIDv7 id minted at creation, every
 * timestamp set, attempt 1, its worker and workflow version), `total` rows spread evenly over the schedules,
 * 97 % succeeded and 3 % dead, 0-2 s late, 0-5 s long; one INSERT per 1,000 schedules, then ANALYZE.
 */
async function seedHistory(db: DbHandle, total: number, nowMs: number): Promise<number> {
  const t0 = performance.now()
  const ids = (
    await db.sql<{ id: string }[]>`select id from schedules where tenant = ${TENANT} order by id`
  ).map((r) => r.id)
  const perSchedule = Math.ceil(total / ids.length)
  const stepMs = Math.floor((7 * DAY - 60_000) / perSchedule)
  for (let i = 0; i < ids.length; i += 1000) {
    await db.sql`
      insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, enqueued_at, started_at,
                              finished_at, status, attempt, worker_id, workflow_version, created_at)
      select (lpad(to_hex((extract(epoch from x.t) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
              || '8' || substr(md5(random()::text), 1, 15))::uuid,
             s.tenant, 'fire', s.id, s.workflow_id, x.t, x.t, x.t + x.late, x.t + x.late + x.dur,
             case when random() < 0.03 then 'dead' else 'succeeded' end, 1, 'bench-history', 1, x.t
        from schedules s
       cross join lateral (
         select to_timestamp(${nowMs / 1000}::float8) - make_interval(secs => j * ${stepMs / 1000}::float8) as t,
                make_interval(secs => random() * 2) as late, make_interval(secs => random() * 5) as dur
           from generate_series(1, ${perSchedule}) j) x
       where s.id = any(${ids.slice(i, i + 1000)}::uuid[])`
  }
  await db.sql`analyze executions`
  return performance.now() - t0
}

const optimizerUrl = (api: ApiProcess, hours: number) => `${api.url}/api/schedules/optimizer?hours=${hours}`

/** A PATCH of a schedule's metadata: a new version, so no answer counted before it may be reused. */
async function patchOne(api: ApiProcess, id: string, c: number): Promise<void> {
  const patch = await request(`${api.url}/api/schedules/${id}`, {
    method: 'PATCH',
    headers: headersFor(TENANT),
    body: JSON.stringify({ metadata: { benchCall: c } }),
  })
  if (patch.status !== 200) throw new Error(`PATCH: ${patch.status} ${patch.body}`)
}

/** `calls` sequential GETs, each after a PATCH of another schedule: latencies (ms, at the client). */
async function timeCalls(api: ApiProcess, db: DbHandle, calls: number, hours: number): Promise<number[]> {
  const ids = (
    await db.sql<{ id: string }[]>`select id from schedules where tenant = ${TENANT} order by id`
  ).map((r) => r.id)
  const out: number[] = []
  for (let c = 0; c < calls; c++) {
    await patchOne(api, ids[(c * 7919) % ids.length]!, c)
    const res = await request(optimizerUrl(api, hours), { method: 'GET', headers: headersFor(TENANT) })
    if (res.status !== 200) throw new Error(`optimizer: ${res.status} ${res.body.slice(0, 300)}`)
    out.push(res.ms)
  }
  return out.sort((a, b) => a - b)
}

/**
 * The event loop while the answer is computed: /healthz every 5 ms during the call; the slowest probe answer
 * bounds how long the loop was held (plus the probe's own few tenths of a millisecond).
 */
async function probeCall(
  api: ApiProcess,
  hours: number,
): Promise<{ ms: number; worstProbeMs: number; probes: number }> {
  let done = false
  let worst = 0
  let probes = 0
  const probing = (async () => {
    while (!done) {
      const r = await request(`${api.url}/healthz`, { method: 'GET', headers: {} })
      worst = Math.max(worst, r.ms)
      probes++
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  const res = await request(optimizerUrl(api, hours), { method: 'GET', headers: headersFor(TENANT) })
  done = true
  await probing
  if (res.status !== 200) throw new Error(`optimizer: ${res.status} ${res.body.slice(0, 300)}`)
  return { ms: res.ms, worstProbeMs: worst, probes }
}

interface SizeResult {
  n: number
  createMs: number
  seedMs: number
  refreshMs: number
  incrementalMs: number
  lat: number[]
}

async function measureSize(db: DbHandle, redis: Redis, n: number, executions: number): Promise<SizeResult> {
  const prefix = `bench-optimizer-${process.pid}-${n}`
  await resetDb(db)
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: prefix })
  try {
    const createMs = await createFleet(api, db, n)
    const seedMs = await seedHistory(db, executions, Date.now())
    // The worker's refresh (maintenance/patterns.ts), first over the whole 7 days, then one minute later.
    let t = performance.now()
    await refreshSchedulePatterns(db.sql, new Date())
    const refreshMs = performance.now() - t
    t = performance.now()
    await refreshSchedulePatterns(db.sql, new Date())
    const incrementalMs = performance.now() - t
    await timeCalls(api, db, Math.min(10, CALLS), 24) // warm-up
    const lat = await timeCalls(api, db, CALLS, 24)
    return { n, createMs, seedMs, refreshMs, incrementalMs, lat }
  } finally {
    await api.stop()
    await deleteMatching(redis, createKeys(prefix).scanPattern)
  }
}

async function measureBig(db: DbHandle, redis: Redis) {
  const prefix = `bench-optimizer-${process.pid}-big`
  await resetDb(db)
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: prefix })
  try {
    await createFleet(api, db, BIG)
    // The first call counts the whole fleet (every profile computed); each later one follows a PATCH.
    const first = await probeCall(api, 168)
    const ids = (
      await db.sql<{ id: string }[]>`select id from schedules where tenant = ${TENANT} order by id`
    ).map((r) => r.id)
    const runs = []
    for (let c = 0; c < BIG_CALLS; c++) {
      await patchOne(api, ids[(c * 7919) % ids.length]!, c)
      runs.push(await probeCall(api, 168))
    }
    return { first, runs }
  } finally {
    await api.stop()
    await deleteMatching(redis, createKeys(prefix).scanPattern)
  }
}

export async function run(): Promise<BenchSection> {
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL, { max: 4, applicationName: 'punctual-bench-optimizer' })
  const redis = createRedis(REDIS_URL, { name: 'bench:optimizer' })
  await waitForReady(redis, 5000)
  const rows: (string | number)[][] = []
  const verdict: string[] = []
  try {
    for (const n of SIZES) {
      const r = await measureSize(db, redis, n, EXECUTIONS)
      const p50 = percentile(r.lat, 50)
      const p99 = percentile(r.lat, 99)
      rows.push([
        `${num(n)} schedules, ${num(EXECUTIONS)} executions, hours=24`,
        `p50 ${ms1(p50)}`,
        `p99 ${ms1(p99)}`,
        `${num(r.lat.length)} calls; fleet created in ${(r.createMs / 1000).toFixed(1)} s, history inserted in ${(r.seedMs / 1000).toFixed(1)} s; pattern refresh: first ${ms1(r.refreshMs)}, next ${ms1(r.incrementalMs)}`,
      ])
      const target = n <= 1000 ? 20 : n <= 10_000 ? 200 : Number.NaN
      if (!Number.isNaN(target))
        verdict.push(
          `${num(n)} schedules p99 ≤ ${target} ms: ${p99 <= target ? 'met' : 'NOT met'} (${ms1(p99)})`,
        )
    }
    if (BIG > 0) {
      const { first, runs } = await measureBig(db, redis)
      const worst = Math.max(first.worstProbeMs, ...runs.map((r) => r.worstProbeMs))
      const times = runs.map((r) => r.ms).sort((a, b) => a - b)
      rows.push([
        `${num(BIG)} schedules, hours=168 (no history): first call`,
        `${ms1(first.ms)}`,
        `slowest /healthz during it ${ms1(first.worstProbeMs)}`,
        `${num(first.probes)} probes every 5 ms; the whole fleet counted (every fire profile computed)`,
      ])
      rows.push([
        `${num(BIG)} schedules, hours=168: each call after a PATCH`,
        `${ms1(percentile(times, 50))} per call (median of ${runs.length})`,
        `slowest /healthz during them ${ms1(Math.max(...runs.map((r) => r.worstProbeMs)))}`,
        `${num(runs.reduce((a, r) => a + r.probes, 0))} probes every 5 ms`,
      ])
      verdict.push(
        `${num(BIG)} schedules, hours=168: no probe held over 50 ms: ${worst <= 50 ? 'met' : 'NOT met'} (${ms1(worst)})`,
      )
    }
  } finally {
    await redis.quit()
    await db.close()
  }
  return {
    id: 'optimizer',
    title: 'Fleet optimizer (issue 17): GET /api/schedules/optimizer',
    method: [
      "The fleet through our API (production bundle): one workflow, then the schedules (POST /api/schedules, 50 in flight) in the mix 70 % daily or hourly (a third of the daily ones at 09:00 New York), 25 % every 1-15 minutes, 5 % every second. History: succeeded / dead fires over the last 7 days inserted by SQL in the worker's row shape, spread evenly over the schedules; then the worker's pattern refresh (statements/schedule-patterns.ts) as its maintenance loop runs it, once over the 7 days and once more.",
      'Each timed GET follows a PATCH of another schedule (its metadata), so no earlier answer could be reused; sequential calls over loopback, latency measured at the client (request sent → last byte), which bounds the server time from above.',
      "Event loop: during each 168-hour call a client asks /healthz every 5 ms; the slowest answer bounds the longest stretch the API held its event loop. The first call after the API starts counts the whole fleet; the API keeps each tenant's plan and updates it by the schedules whose version changed, so later calls (each after a PATCH) read the versions and the changed rows only.",
    ],
    headers: ['scenario', 'figure', 'second figure', 'detail'],
    rows,
    verdict,
  }
}
