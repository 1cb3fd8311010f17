import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { conflictProfile, fireMinutesOfDay, nextFireAfter, uuidv7, uuidv7Floor } from '@punctual/core'
import { createDb, type DbHandle, ensureDatabase, migrate } from '@punctual/db'
import {
  createKeys,
  createRedis,
  type QueueKeys,
  type Redis,
  type SyncDueEntry,
  syncDueEntries,
  waitForReady,
} from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import { Queue } from 'bullmq'
import {
  type CreateRun,
  callMany,
  createSchedules,
  createWorkflow,
  createWorkflows,
  headersFor,
  IN_FLIGHT,
  startApi,
} from './api-user.ts'
import { request } from './fairness/load.ts'
import { type BenchSection, percentile } from './report.ts'
import {
  type BullReport,
  type BullWorker,
  buildWorkers,
  cpuMeter,
  type OurWorker,
  redisMemory,
  rssMb,
  sampleRss,
  serverOf,
  sleep,
  startBullWorker,
  startOurWorker,
  waitForHeartbeats,
} from './worker/procs.ts'

/**
 * Worker benchmarks (issue 3, "Performance"): firing lag and missed fires, sustained dispatch, worker RSS and
 * Redis memory, each side by side with BullMQ on the same Redis in the same run. Every system under test runs
 * in its own processes (ours: apps/worker/src/main.ts; BullMQ: worker/bullmq-worker.ts); this process only
 * sets up, waits and reads the results. Our schedules are created as users create them, through the API
 * (issue 10: the conflict index included, on one workflow in the lag scenarios), beside the SQL-seeded
 * baseline the lag scenarios used before.
 */

const DATABASE_URL =
  process.env.BENCH_WORKER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_worker'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 50)
const DISPATCH_N = Number(process.env.BENCH_WORKER_DISPATCH ?? 100_000)
/** Tenants of the spread dispatch pass (issue 13: fair turns between tenants). */
const DISPATCH_TENANTS = Number(process.env.BENCH_WORKER_DISPATCH_TENANTS ?? 100)
/** A drain pass that has not finished after this long is reported as such (rate of what did finish). */
const DRAIN_CAP_MS = Number(process.env.BENCH_WORKER_DRAIN_CAP_MS ?? 100_000)
const MEMORY_SETTLE_MS = 20_000
/** Sizes and windows of the firing-lag scenarios (smaller ones only to check the code while developing). */
const LAG10_N = Number(process.env.BENCH_WORKER_LAG10_N ?? 10_000)
const LAG10_WINDOW_S = Number(process.env.BENCH_WORKER_LAG10_WINDOW_S ?? 60)
/** Issue 18: finished executions the retention scenario deletes while the 10 s scenario runs. */
const RETENTION_ROWS = Number(process.env.BENCH_WORKER_RETENTION_ROWS ?? 1_000_000)
/** How long to wait, after the window, for retention to have deleted them all. */
const RETENTION_CAP_MS = Number(process.env.BENCH_WORKER_RETENTION_CAP_S ?? 900) * 1000
const LAG1_N = Number(process.env.BENCH_WORKER_LAG1_N ?? 5_000)
const LAG1_WINDOW_S = Number(process.env.BENCH_WORKER_LAG1_WINDOW_S ?? 30)
/** Sizes of the memory scenario (hourly schedules over MEMORY_WORKFLOWS workflows). */
const MEMORY_SIZES = (process.env.BENCH_WORKER_MEMORY_N ?? '10000,100000').split(',').map(Number)
const MEMORY_WORKFLOWS = 100
const GRACE_MS = 20_000
const WARMUP_MS = 5_000
const FIRST_FIRE_AFTER_MS = 2_000
const TENANT = 'bench'
const BULL_PREFIX = `bench-bullw-${process.pid}`
/** The schedules' overlapPolicy (default: the API's default, skip). */
const OVERLAP = process.env.BENCH_WORKER_OVERLAP ?? 'skip'
const ONLY = (process.env.BENCH_WORKER_ONLY ?? '').split(',').filter(Boolean)
const wanted = (name: string) => ONLY.length === 0 || ONLY.includes(name)
const jobOpts = { removeOnComplete: true, removeOnFail: true }

const url = new URL(REDIS_URL)
const bullConnection = {
  host: url.hostname,
  port: Number(url.port || 6379),
  db: Number(url.pathname.slice(1) || 0),
  maxRetriesPerRequest: null,
}

type Cell = string | number
interface Row {
  scenario: string
  system: string
  expected: number | null
  missed: number | null
  p50: number | null
  p99: number | null
  throughput: number | null
  rss: number | null
  redisMb: number | null
  ratio: string
}

// ---------------------------------------------------------------------------------------------------------
// Postgres / Redis set-up shared by our scenarios

export interface Ctx {
  db: DbHandle
  /** The harness's client (a Cluster client on a cluster: bench/src/cluster.ts). */
  redis: Redis
  /**
   * Variables for the API and worker processes over the section's own (bench/src/cluster.ts: REDIS_CLUSTER_NODES
   * and its own DATABASE_URL, which `db` must be a pool of).
   */
  env?: Record<string, string>
}

async function resetDb(db: DbHandle) {
  await db.sql`truncate executions, schedules, triggers, workflows, audit_log, event_receipts, webhook_deliveries cascade`
}

async function insertWorkflows(db: DbHandle, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID())
  const doc = JSON.stringify(ids.map((id, i) => ({ id, name: `bench-wf-${i}` })))
  await db.sql`insert into workflows (id, tenant, name, steps)
               select v.id, ${TENANT}, v.name, ${JSON.stringify([{ name: 'noop', type: 'delay', ms: 0 }])}::jsonb
                 from json_to_recordset(${doc}::json) as v(id uuid, name text)`
  return ids
}

interface ScheduleSpec {
  cron: (i: number) => string
  workflowIds: string[]
  /** Fill conflict_profile (the API's conflict index) as the API does, else '' (allowed for the bench). */
  fireMinutes: boolean
  /** The first fire of each schedule is its first fire time at least this long after the call (ms). */
  firstAfterMs: number
  /**
   * Give the executions table the shape of a system that has been running: one earlier succeeded fire per
   * schedule (an hour back), then ANALYZE, as autovacuum would have done (see the stale-statistics note).
   */
  seedHistory: boolean
}

/**
 * The SQL-seeded baseline: inserts n active schedules in bulk, as the API would write them (state active,
 * version 1, next_run_at = the first fire by our cron engine), then their due-index entries with
 * syncDueEntries (pipelined upserts). Users' schedules come through the API (`createSchedules` of
 * ./api-user.ts); this path stays as the baseline it is compared with.
 */
async function seedSchedulesBySql(
  ctx: Ctx,
  keys: QueueKeys,
  n: number,
  spec: ScheduleSpec,
): Promise<{ insertMs: number; indexMs: number; firstFireMs: number }> {
  const t0 = performance.now()
  const from = new Date(Date.now() + spec.firstAfterMs)
  let firstFireMs = Number.POSITIVE_INFINITY
  const nextCache = new Map<string, number>()
  const minutesCache = new Map<string, string>()
  const entries: SyncDueEntry[] = []
  const CHUNK = 5000
  for (let start = 0; start < n; start += CHUNK) {
    const rows = []
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      const cron = spec.cron(i)
      let next = nextCache.get(cron)
      if (next === undefined) {
        next = nextFireAfter(
          { cronExpression: cron, timezone: 'UTC', startDate: null, endDate: null },
          from,
        )!.getTime()
        nextCache.set(cron, next)
        firstFireMs = Math.min(firstFireMs, next)
      }
      let profile = spec.fireMinutes ? minutesCache.get(cron) : ''
      if (profile === undefined) {
        profile = conflictProfile(fireMinutesOfDay(cron, { timezone: 'UTC', from }))
        minutesCache.set(cron, profile)
      }
      const id = randomUUID()
      const workflowId = spec.workflowIds[i % spec.workflowIds.length]!
      rows.push({
        id,
        workflow_id: workflowId,
        name: `bench-${i}`,
        cron,
        next_run_at: new Date(next).toISOString(),
        conflict_profile: profile,
      })
      entries.push({ scheduleId: id, workflowId, version: 1, nextRunAtMs: next, conflictProfile: profile })
    }
    await ctx.db.sql`
      insert into schedules (id, tenant, workflow_id, name, cron_expression, state, version, next_run_at,
                             conflict_profile, overlap_policy)
      select v.id, ${TENANT}, v.workflow_id, v.name, v.cron, 'active', 1, v.next_run_at, v.conflict_profile,
             ${OVERLAP}
        from json_to_recordset(${JSON.stringify(rows)}::json)
             as v(id uuid, workflow_id uuid, name text, cron text, next_run_at timestamptz, conflict_profile text)`
  }
  await ctx.db.sql`analyze schedules`
  if (spec.seedHistory) await seedHistory(ctx.db)
  const t1 = performance.now()
  await syncDueEntries(ctx.redis, keys, entries, { chunkSize: 500 })
  return { insertMs: t1 - t0, indexMs: performance.now() - t1, firstFireMs }
}

/**
 * One earlier succeeded fire per schedule (an hour back), then ANALYZE: the executions table of a system that
 * has been running, as autovacuum leaves its statistics (see the planner-statistics note in the method).
 */
async function seedHistory(db: DbHandle) {
  await db.sql`
    insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, enqueued_at, started_at,
                            finished_at, status, attempt)
    select gen_random_uuid(), s.tenant, 'fire', s.id, s.workflow_id, t, t, t, t, 'succeeded', 1
      from schedules s, (select now() - interval '1 hour' as t) as past`
  await db.sql`analyze executions`
}

/**
 * Old history for the retention scenario: `n` succeeded fires of the schedules, in the shape the worker writes
 * them (UUIDv7 ids minted at their creation, every timestamp set, 3 ms runs), 20,000 rows per INSERT, then
 * ANALYZE. They finished within the 100 ms before `eligibleAtMs` − 30 days, so a 30-day horizon reaches them
 * all at `eligibleAtMs` (the window's start) and none before.
 */
async function seedOldFires(db: DbHandle, n: number, eligibleAtMs: number): Promise<OldFires> {
  const t0 = performance.now()
  const schedules = await db.sql<{ id: string; tenant: string; workflow_id: string }[]>`
    select id, tenant, workflow_id from schedules order by id`
  const base = eligibleAtMs - 30 * 86_400_000 - 3
  const CHUNK = 20_000
  let lowestId = ''
  for (let i = 0; i < n; i += CHUNK) {
    const doc = JSON.stringify(
      Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => {
        const k = i + j
        const s = schedules[k % schedules.length]!
        // Unique per schedule (its fires' key): one a millisecond, going back from base.
        const at = base - Math.floor(k / schedules.length)
        const id = uuidv7(at)
        if (lowestId === '' || id < lowestId) lowestId = id
        return { id, schedule_id: s.id, tenant: s.tenant, workflow_id: s.workflow_id, at }
      }),
    )
    await db.sql`
      insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, enqueued_at, started_at,
                              finished_at, status, attempt, worker_id, created_at)
      select v.id, v.tenant, 'fire', v.schedule_id, v.workflow_id, t, t, t, t + interval '3 ms', 'succeeded', 1,
             'bench-old', t
        from json_to_recordset(${doc}::json) as v(id uuid, tenant text, schedule_id uuid, workflow_id uuid, at float8),
             lateral (select to_timestamp(v.at / 1000.0) as t) as ts`
  }
  await db.sql`analyze executions`
  // Their ids lie in one primary-key range (minted base − ⌊(n − 1) / schedules⌋ … base), far below the ids of
  // the rows the scenario creates now: counted and watched through that range, not by scanning the table.
  const oldestMs = base - Math.floor((n - 1) / schedules.length)
  return { ms: performance.now() - t0, fromId: uuidv7Floor(oldestMs), toId: uuidv7Floor(base + 1), lowestId }
}

/** Old rows seeded by seedOldFires: how long it took, and the primary-key range [fromId, toId) they lie in. */
interface OldFires {
  ms: number
  fromId: string
  toId: string
  /** The lowest id of them. */
  lowestId: string
}

/**
 * How many of the old rows are left: a range of the primary key (a sequential scan of the whole table, twice
 * a second while the watcher runs, read ~36,000 blocks a second and loaded the run it measures).
 */
const countOldFires = async (db: DbHandle, old: OldFires) =>
  (
    await db.sql<{ n: number }[]>`
      select count(*)::int as n from executions where id >= ${old.fromId}::uuid and id < ${old.toId}::uuid`
  )[0]!.n

/** Whether any old row is left: the first live entry of the same range. */
const anyOldFire = async (db: DbHandle, old: OldFires) =>
  (
    await db.sql<{ any: boolean }[]>`
      select exists (select 1 from executions where id >= ${old.fromId}::uuid and id < ${old.toId}::uuid) as any`
  )[0]!.any

/** Whether the oldest of them (the lowest id) is left: retention walks ids upwards, its first batch takes it. */
const oldestOldFire = async (db: DbHandle, old: OldFires) =>
  (
    await db.sql<
      { any: boolean }[]
    >`select exists (select 1 from executions where id = ${old.lowestId}::uuid) as any`
  )[0]!.any

/**
 * Looks at the old rows every 500 ms from now on, through the primary key: when the first went (the lowest id)
 * and when the last did, in ms since `t0`. done(capMs) waits up to capMs more for the last to go, then stops.
 */
function watchOldFires(db: DbHandle, old: OldFires, t0: number) {
  let firstGoneMs: number | null = null
  let goneAfterMs: number | null = null
  let stop = false
  const loop = (async () => {
    while (!stop && goneAfterMs === null) {
      if (firstGoneMs === null && !(await oldestOldFire(db, old))) firstGoneMs = Date.now() - t0
      if (!(await anyOldFire(db, old))) goneAfterMs = Date.now() - t0
      else await sleep(500)
    }
  })()
  return {
    async done(capMs: number) {
      const capAt = Date.now() + capMs
      while (goneAfterMs === null && Date.now() < capAt) await sleep(250)
      stop = true
      await loop
      return { firstGoneMs, goneAfterMs }
    },
  }
}

/** Our API, as a user runs it, on the worker's database and Redis keyspace (it creates the schedules). */
function startOurApi(prefix: string, env: Record<string, string> = {}) {
  return startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: prefix, ...env })
}

/** Redis memory of our keys (MEMORY USAGE), by key family (`due`, `exec`, … the name after the hash tag). */
async function ourRedisMemory(ctx: Ctx, keys: QueueKeys) {
  const head = `${keys.tag}:`
  const mem = await redisMemory(ctx.redis, keys.scanPattern, (key) => key.slice(head.length).split(':')[0]!)
  const breakdown = [...mem.byGroup]
    .sort((a, b) => b[1] - a[1])
    .map(([g, b]) => `${g} ${mb(b)} MB`)
    .join(', ')
  return { bytes: mem.total, breakdown }
}

function createdNote(run: CreateRun, n: number): string {
  const refused = n - run.ok
  return `${num(run.ok)} of ${num(n)} POST /api/schedules answered 201 in ${fmtS(run.ms)} (${num(Math.round(run.rate))}/s at 50 in flight, p50 ${run.p50} ms, p99 ${run.p99} ms)${refused > 0 ? `; ${num(refused)} refused or failed, first: ${run.firstError ?? `${run.errors} transport errors`}` : ''}`
}

function ourEnv(prefix: string): Record<string, string> {
  return {
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    WORKER_CONCURRENCY: String(CONCURRENCY),
  }
}

function startOurs(
  tag: string,
  prefix: string,
  count: number,
  env: Record<string, string> = {},
): OurWorker[] {
  return Array.from({ length: count }, (_, i) =>
    startOurWorker(`bench-${tag}-${i + 1}`, { ...ourEnv(prefix), ...env }),
  )
}

function newPrefix(tag: string): { prefix: string; keys: QueueKeys } {
  const prefix = `bench-worker-${process.pid}-${tag}`
  return { prefix, keys: createKeys(prefix) }
}

function warningsOf(workers: OurWorker[]): string[] {
  const merged = new Map<string, number>()
  for (const w of workers) for (const [m, c] of w.warnings) merged.set(m, (merged.get(m) ?? 0) + c)
  return [...merged].map(([m, c]) => `${m} ×${c}`)
}

/** Redis server CPU seconds so far (INFO cpu). */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0)
  return get('used_cpu_sys') + get('used_cpu_user')
}

/** CPU of the given processes, of Redis and of the machine over an interval, as one note. */
async function cpuWindow(ctx: Ctx, pids: number[], withPostgres: boolean) {
  // Our workers' Postgres backends (application_name 'punctual', the harness uses its own name).
  const backends = withPostgres
    ? (
        await ctx.db.sql<{ pid: number }[]>`
          select pid from pg_stat_activity where datname = current_database() and application_name = 'punctual'`
      ).map((r) => r.pid)
    : []
  const meter = cpuMeter([...pids, ...backends])
  const r0 = await redisCpu(ctx.redis)
  const t0 = performance.now()
  return {
    async stop(label: string): Promise<string> {
      const r1 = await redisCpu(ctx.redis)
      const { perProcess, machineBusy } = meter.stop()
      const redisPct = ((r1 - r0) / ((performance.now() - t0) / 1000)) * 100
      const workerPct = perProcess.slice(0, pids.length)
      const pgPct = perProcess.slice(pids.length).reduce((a, b) => a + b, 0)
      const pg = withPostgres ? `, their ${backends.length} Postgres backends ${pgPct.toFixed(0)}%` : ''
      return `CPU ${label} (% of one core): worker process(es) ${workerPct.map((p) => `${p.toFixed(0)}%`).join(' + ')}${pg}, Redis ${redisPct.toFixed(0)}%; whole machine ${machineBusy.toFixed(0)}% busy (of ${os.cpus().length} cores, everything included)`
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// Firing lag

export interface LagSpec {
  tag: string
  label: string
  n: number
  cron: (i: number) => string
  bullPattern: (i: number) => string
  periodMs: number
  windowMs: number
  workers: number
}

/** How our schedules come to exist: through the API (the user's path) or seeded by SQL (the baseline). */
type SeedPath = 'api' | 'sql'

export interface LagResult {
  /** Schedules that exist (the API may refuse some: they are reported, and fires are expected of the rest). */
  created: number
  redisBytes: number
  redisBreakdown: string
  expected: number
  ok: number
  missed: number
  lags: number[]
  rssMax: number
  notes: string[]
  /** How the missed fires break down (ours: skipped rows vs the rest). */
  missedDetail?: string
  /** The retention scenario: old rows left at the window's start and end, and when none was left. */
  retention?: {
    rows: number
    seedMs: number
    leftAtStart: number
    leftAtEnd: number
    /** Since the window's start: when the first of them was gone, and when all were (null: not seen). */
    firstGoneMs: number | null
    goneAfterMs: number | null
  }
  window: [number, number]
}

const alignUp = (t: number, step: number) => Math.ceil(t / step) * step

/**
 * `old`: the retention scenario (issue 18): `old.rows` finished fires are inserted once the
 * schedules exist, and the workers try a retention pass every second with the 30-day horizon (`retention`),
 * or keep everything (a horizon of 100 years).
 */
export async function oursLag(
  ctx: Ctx,
  spec: LagSpec,
  path: SeedPath,
  old?: { rows: number; retention: boolean },
): Promise<LagResult> {
  const oldEnv: Record<string, string> | undefined = old
    ? old.retention
      ? { WORKER_RETENTION_INTERVAL_MS: '1000', EXECUTION_RETENTION_DAYS: '30' }
      : { EXECUTION_RETENTION_DAYS: '36500' }
    : undefined
  const { prefix, keys } = newPrefix(`${spec.tag}-${path}${old ? '-old' : ''}`)
  await resetDb(ctx.db)
  const api = path === 'api' ? await startOurApi(prefix, ctx.env) : undefined
  // INFO cpu and MEMORY USAGE from the server holding the keys (on a cluster: the master of their slot).
  const probe: Ctx = { ...ctx, redis: await serverOf(ctx.redis, keys) }
  const workers: OurWorker[] = []
  try {
    const workflowId = api
      ? await createWorkflow(api, TENANT, 'bench-lag')
      : (await insertWorkflows(ctx.db, 1))[0]!
    // Workers first (idle), then the schedules, as a user adds schedules to a running system.
    workers.push(...startOurs(`${spec.tag}-${path}`, prefix, spec.workers, { ...oldEnv, ...ctx.env }))
    await waitForHeartbeats(ctx.redis, keys.workers, workers)
    const idleRss = workers.map((w) => rssMb(w.child.pid).toFixed(0)).join(' + ')
    const rss = sampleRss(workers.map((w) => w.child.pid!))
    let created = spec.n
    let setupNote: string
    let retention: LagResult['retention']
    let watchOld: ReturnType<typeof watchOldFires> | undefined
    let oldFires: OldFires | undefined
    const notes0: string[] = []
    let w0: number
    if (api) {
      // Through the API on one workflow, 50 in flight; each schedule starts firing as soon as it is created.
      const run = await createSchedules(api, spec.n, (i) => ({
        tenant: TENANT,
        workflowId,
        name: `bench-${i}`,
        cronExpression: spec.cron(i),
        overlapPolicy: OVERLAP,
      }))
      await api.stop()
      const t0 = performance.now()
      await seedHistory(ctx.db)
      created = run.ok
      setupNote = `set-up: ${createdNote(run, spec.n)}; API stopped; history ${fmtS(performance.now() - t0)}`
      // The window starts on a period boundary at least the warm-up after the last create (and, with old
      // rows, after they are written: about 40 µs a row, with a margin).
      w0 = alignUp(Date.now() + WARMUP_MS + (old ? 5000 + old.rows * 0.04 : 0), spec.periodMs)
      if (old) {
        oldFires = await seedOldFires(ctx.db, old.rows, w0)
        retention = {
          rows: old.rows,
          seedMs: oldFires.ms,
          // Counted now, before the window: none reaches the horizon before its start (the watcher's
          // first-gone time would say otherwise), and a count in the window would load what it measures.
          leftAtStart: await countOldFires(ctx.db, oldFires),
          leftAtEnd: 0,
          firstGoneMs: null,
          goneAfterMs: null,
        }
        if (Date.now() > w0) notes0.push('the old rows were written after the window had started')
        watchOld = watchOldFires(ctx.db, oldFires, w0)
      }
    } else {
      const setup = await seedSchedulesBySql(ctx, keys, spec.n, {
        cron: spec.cron,
        workflowIds: [workflowId],
        fireMinutes: false,
        firstAfterMs: FIRST_FIRE_AFTER_MS,
        seedHistory: true,
      })
      setupNote = `set-up ${fmtS(setup.insertMs)} rows + ${fmtS(setup.indexMs)} due entries`
      w0 = alignUp(setup.firstFireMs + WARMUP_MS, spec.periodMs)
    }
    const w1 = w0 + spec.windowMs
    const deadline = w1 + GRACE_MS
    const expected = (created * spec.windowMs) / spec.periodMs
    await sleep(w0 - Date.now())
    const cpu = await cpuWindow(
      probe,
      workers.map((w) => w.child.pid!),
      true,
    )
    await sleep(w1 - Date.now())
    const cpuNote = await cpu.stop('during the window')
    if (retention && oldFires) retention.leftAtEnd = await countOldFires(ctx.db, oldFires)
    const w0Iso = new Date(w0).toISOString()
    const w1Iso = new Date(w1).toISOString()
    const deadlineIso = new Date(deadline).toISOString()
    const countOk = async () => {
      const [r] = await ctx.db.sql<{ ok: number }[]>`
        select count(*)::int as ok from executions
         where kind = 'fire' and scheduled_for >= ${w0Iso}::timestamptz and scheduled_for < ${w1Iso}::timestamptz
           and status = 'succeeded' and finished_at <= ${deadlineIso}::timestamptz`
      return r!.ok
    }
    let ok = await countOk()
    while (ok < expected && Date.now() < deadline) {
      await sleep(Math.min(1000, Math.max(0, deadline - Date.now())))
      ok = await countOk()
    }
    const { max } = rss.stop()
    if (retention && watchOld) {
      // When retention deleted the first and the last of them, counted from the window's start.
      const seen = await watchOld.done(old?.retention ? RETENTION_CAP_MS : 0)
      retention.firstGoneMs = seen.firstGoneMs
      retention.goneAfterMs = seen.goneAfterMs
    }
    const mem = await ourRedisMemory(probe, keys)
    const rows = await ctx.db.sql<{ lag: number; recorded: number | null }[]>`
      select (extract(epoch from (started_at - scheduled_for)) * 1000)::float8 as lag,
             (extract(epoch from (enqueued_at - scheduled_for)) * 1000)::float8 as recorded
        from executions
       where kind = 'fire' and scheduled_for >= ${w0Iso}::timestamptz and scheduled_for < ${w1Iso}::timestamptz
         and started_at is not null`
    const statuses = await ctx.db.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from executions
       where kind = 'fire' and scheduled_for >= ${w0Iso}::timestamptz and scheduled_for < ${w1Iso}::timestamptz
       group by status order by status`
    const lags = rows.map((r) => r.lag).sort((a, b) => a - b)
    const skipped = statuses.find((x) => x.status === 'skipped')?.n ?? 0
    const missedDetail = `${num(skipped)} recorded as skipped (overlapPolicy skip: the previous fire had not finished), ${num(expected - ok - skipped)} not succeeded by the deadline`
    const recorded = rows
      .map((r) => r.recorded)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b)
    const ahead = recorded.filter((x) => x <= 0).length
    const notes = [
      `${setupNote}; window ${iso(w0)} → ${iso(w1)}`,
      ...notes0,
      `fire rows in the window by status: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ') || 'none'}`,
      recorded.length > 0
        ? `recorded (enqueued_at − scheduled_for): ${((ahead / recorded.length) * 100).toFixed(1)}% ahead of time, p50 ${fmtMs(percentile(recorded, 50))} ms, p99 ${fmtMs(percentile(recorded, 99))} ms, max ${fmtMs(recorded.at(-1)!)} ms`
        : 'no fire recorded in the window',
      cpuNote,
      `worker RSS when up, before the schedules were created: ${idleRss} MB`,
      ...warningsOf(workers).map((w) => `worker log: ${w}`),
    ]
    return {
      created,
      redisBytes: mem.bytes,
      redisBreakdown: mem.breakdown,
      expected,
      ok,
      missed: expected - ok,
      missedDetail,
      lags,
      rssMax: Math.max(...max.values()),
      notes,
      window: [w0, w1],
      ...(retention && { retention }),
    }
  } finally {
    await api?.stop()
    await Promise.all(workers.map((w) => w.stop()))
    await deleteMatching(ctx.redis, keys.scanPattern)
  }
}

async function upsertSchedulers(queue: Queue, n: number, pattern: (i: number) => string) {
  const CHUNK = 500
  for (let i = 0; i < n; i += CHUNK) {
    await Promise.all(
      Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) =>
        queue.upsertJobScheduler(
          `s${i + j}`,
          { pattern: pattern(i + j) },
          { name: 'noop', data: {}, opts: jobOpts },
        ),
      ),
    )
  }
}

async function cleanupBull(queue: Queue, redis: Redis) {
  await queue.obliterate({ force: true }).catch(() => {})
  await queue.close().catch(() => {})
  await deleteMatching(redis, `${BULL_PREFIX}:${queue.name}:*`)
}

async function bullLag(ctx: Ctx, spec: LagSpec): Promise<LagResult> {
  const queue = new Queue(`${spec.tag}-${randomUUID().slice(0, 8)}`, {
    connection: bullConnection,
    prefix: BULL_PREFIX,
  })
  const workers: BullWorker[] = []
  try {
    await queue.waitUntilReady()
    for (let i = 0; i < spec.workers; i++) {
      workers.push(
        startBullWorker({
          queue: queue.name,
          prefix: BULL_PREFIX,
          redisUrl: REDIS_URL,
          concurrency: CONCURRENCY,
        }),
      )
    }
    await Promise.all(workers.map((w) => w.ready))
    const idleRss = workers.map((w) => rssMb(w.child.pid).toFixed(0)).join(' + ')
    const rss = sampleRss(workers.map((w) => w.child.pid!))
    const t0 = performance.now()
    await upsertSchedulers(queue, spec.n, spec.bullPattern)
    const setupMs = performance.now() - t0
    // Each scheduler's first job is its first fire after its upsert: warm-up as long as ours at least.
    const w0 = alignUp(Date.now() + FIRST_FIRE_AFTER_MS + WARMUP_MS, spec.periodMs)
    const w1 = w0 + spec.windowMs
    const deadline = w1 + GRACE_MS
    const expected = (spec.n * spec.windowMs) / spec.periodMs
    await sleep(w0 - Date.now())
    const cpu = await cpuWindow(
      ctx,
      workers.map((w) => w.child.pid!),
      false,
    )
    await sleep(w1 - Date.now())
    const cpuNote = await cpu.stop('during the window')
    const lags: number[] = []
    let ok = 0
    const collect = async () => {
      for (const w of workers) {
        const r = await w.report(true)
        r.due!.forEach((due, k) => {
          const processed = r.processed![k]!
          if (due < w0 || due >= w1) return
          lags.push(processed - due)
          if (processed <= deadline) ok++
        })
      }
    }
    await collect()
    while (ok < expected && Date.now() < deadline) {
      await sleep(Math.min(1000, Math.max(0, deadline - Date.now())))
      await collect()
    }
    const { max } = rss.stop()
    const mem = await redisMemory(ctx.redis, `${BULL_PREFIX}:${queue.name}:*`)
    lags.sort((a, b) => a - b)
    return {
      created: spec.n,
      redisBytes: mem.total,
      redisBreakdown: '',
      expected,
      ok,
      missed: Math.max(0, expected - ok),
      lags,
      rssMax: Math.max(...max.values()),
      notes: [
        `set-up ${fmtS(setupMs)} (upsertJobScheduler × ${spec.n}); window ${iso(w0)} → ${iso(w1)}`,
        cpuNote,
        `worker RSS when up, before the schedulers were created: ${idleRss} MB`,
      ],
      window: [w0, w1],
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await cleanupBull(queue, ctx.redis)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sustained dispatch

interface DrainResult {
  n: number
  done: number
  rate: number
  spanMs: number
  rssMax: number
  notes: string[]
}

/** The tenants of the dispatch scenario: `bench` alone, or bench-0 … bench-(n−1). */
const dispatchTenants = (n: number) =>
  n === 1 ? [TENANT] : Array.from({ length: n }, (_, k) => `${TENANT}-${k}`)

/**
 * DISPATCH_N queued no-op executions spread round-robin over `tenantCount` tenants (one workflow each, created
 * through the API), drained by `workerCount` workers.
 */
async function oursDrain(ctx: Ctx, workerCount: number, tenantCount = 1): Promise<DrainResult> {
  const tag = `drain${workerCount}${tenantCount > 1 ? `t${tenantCount}` : ''}`
  const { prefix, keys } = newPrefix(tag)
  await resetDb(ctx.db)
  const tenants = dispatchTenants(tenantCount)
  const n = DISPATCH_N
  const owner = (i: number) => i % tenantCount
  // The backlog is made the way a user makes one: per tenant a workflow and an event trigger starting it,
  // then n events (POST /api/events, each starts one execution), all through the API before any worker runs.
  const api = await startOurApi(prefix)
  let sent: Awaited<ReturnType<typeof callMany>>
  let refused = 0
  let firstRefusal: string | undefined
  try {
    const workflowIds = await createWorkflows(api, tenants, (k) => `bench-dispatch-${k}`)
    for (const [k, tenant] of tenants.entries()) {
      const res = await request(`${api.url}/api/triggers`, {
        method: 'POST',
        headers: headersFor(tenant),
        body: JSON.stringify({
          workflowId: workflowIds[k],
          name: 'dispatch',
          type: 'event',
          eventType: 'bench.dispatch',
        }),
      })
      if (res.status !== 201) throw new Error(`trigger of ${tenant}: ${res.status} ${res.body}`)
    }
    const body = JSON.stringify({ type: 'bench.dispatch', data: { n: 1 } })
    sent = await callMany(n, async (i) => {
      const res = await request(`${api.url}/api/events`, {
        method: 'POST',
        headers: headersFor(tenants[owner(i)]!),
        body,
      })
      if (res.status !== 202) {
        refused++
        firstRefusal ??= `${res.status} ${res.body.slice(0, 200)}`
      }
    })
  } finally {
    await api.stop()
  }
  if (refused > 0) throw new Error(`${refused} of ${n} events not accepted; first: ${firstRefusal}`)
  await ctx.db.sql`analyze executions`
  const workers = startOurs(tag, prefix, workerCount)
  const startedAt = Date.now()
  try {
    const readyAt = await waitForHeartbeats(ctx.redis, keys.workers, workers)
    const rss = sampleRss(workers.map((w) => w.child.pid!))
    const cpu = await cpuWindow(
      ctx,
      workers.map((w) => w.child.pid!),
      true,
    )
    const capAt = readyAt + DRAIN_CAP_MS
    for (;;) {
      const [r] = await ctx.db.sql<{ left: number }[]>`
        select count(*)::int as left from executions where status in ('queued', 'running', 'retrying')`
      if (r!.left === 0 || Date.now() > capAt) break
      await sleep(500)
    }
    const cpuNote = await cpu.stop('while draining')
    const { max } = rss.stop()
    const [s] = await ctx.db.sql<
      { done: number; first: number | null; last: number | null; other: number }[]
    >`
      select count(*) filter (where status = 'succeeded')::int as done,
             (extract(epoch from min(started_at)) * 1000)::float8 as first,
             (extract(epoch from max(finished_at) filter (where status = 'succeeded')) * 1000)::float8 as last,
             count(*) filter (where status <> 'succeeded')::int as other
        from executions`
    const spanMs = s!.first !== null && s!.last !== null ? s!.last - s!.first : Number.NaN
    return {
      n,
      done: s!.done,
      rate: s!.done / (spanMs / 1000),
      spanMs,
      rssMax: Math.max(...max.values()),
      notes: [
        `${workerCount} worker(s), ${tenantCount} tenant(s): ${num(n)} events accepted (202) by POST /api/events in ${fmtS(sent.ms)} (${num(Math.round(sent.rate))}/s at ${IN_FLIGHT} in flight, p50 ${sent.p50.toFixed(1)} ms, p99 ${sent.p99.toFixed(1)} ms); workers up ${fmtS(readyAt - startedAt)} after spawn (start-up reconcile of the ${n.toLocaleString('en-US')} queued rows included)${s!.other > 0 ? `; ${s!.other} not succeeded at the end` : ''}`,
        cpuNote,
        ...warningsOf(workers).map((w) => `worker log: ${w}`),
      ],
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await deleteMatching(ctx.redis, keys.scanPattern)
  }
}

async function bullDrain(ctx: Ctx, workerCount: number): Promise<DrainResult> {
  const queue = new Queue(`drain${workerCount}-${randomUUID().slice(0, 8)}`, {
    connection: bullConnection,
    prefix: BULL_PREFIX,
  })
  const workers: BullWorker[] = []
  const n = DISPATCH_N
  try {
    await queue.waitUntilReady()
    const t0 = performance.now()
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
          name: 'noop',
          data: { i: i + j },
          opts: jobOpts,
        })),
      )
    }
    const addMs = performance.now() - t0
    for (let i = 0; i < workerCount; i++) {
      workers.push(
        startBullWorker({
          queue: queue.name,
          prefix: BULL_PREFIX,
          redisUrl: REDIS_URL,
          concurrency: CONCURRENCY,
        }),
      )
    }
    const readyAt = Math.max(...(await Promise.all(workers.map((w) => w.ready))))
    const rss = sampleRss(workers.map((w) => w.child.pid!))
    const cpu = await cpuWindow(
      ctx,
      workers.map((w) => w.child.pid!),
      false,
    )
    let reports: BullReport[] = []
    for (;;) {
      reports = await Promise.all(workers.map((w) => w.report()))
      const done = reports.reduce((a, r) => a + r.completed, 0)
      if (done >= n || Date.now() > readyAt + DRAIN_CAP_MS) break
      await sleep(250)
    }
    const cpuNote = await cpu.stop('while draining')
    const { max } = rss.stop()
    const done = reports.reduce((a, r) => a + r.completed, 0)
    const first = Math.min(...reports.map((r) => r.firstProcessedOn ?? Number.POSITIVE_INFINITY))
    const last = Math.max(...reports.map((r) => r.lastCompletedAt ?? 0))
    const spanMs = last - first
    return {
      n,
      done,
      rate: done / (spanMs / 1000),
      spanMs,
      rssMax: Math.max(...max.values()),
      notes: [
        `${workerCount} worker(s): addBulk of ${n.toLocaleString('en-US')} jobs (1,000 per call) in ${fmtS(addMs)}`,
        cpuNote,
      ],
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await cleanupBull(queue, ctx.redis)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Memory with hourly schedules

interface MemResult {
  n: number
  rssLast: number
  rssMax: number
  redisBytes: number
  breakdown: string
  notes: string[]
}

/** Schedule i of n fires hourly at second offset ⌊i·3600/n⌋ of the hour (6-field cron, UTC). */
function hourly(n: number) {
  return (i: number) => {
    const off = Math.floor((i * 3600) / n)
    return `${off % 60} ${Math.floor(off / 60)} * * * *`
  }
}

async function oursMemory(ctx: Ctx, n: number): Promise<MemResult> {
  const { prefix, keys } = newPrefix(`mem${n}`)
  await resetDb(ctx.db)
  // Through the API (100 workflows of one tenant, 50 in flight), before the worker starts.
  const api = await startOurApi(prefix)
  let created: CreateRun
  try {
    const workflowIds = await createWorkflows(
      api,
      Array.from({ length: MEMORY_WORKFLOWS }, () => TENANT),
      (i) => `bench-mem-${i}`,
    )
    const cron = hourly(n)
    created = await createSchedules(api, n, (i) => ({
      tenant: TENANT,
      workflowId: workflowIds[i % MEMORY_WORKFLOWS]!,
      name: `bench-${i}`,
      cronExpression: cron(i),
      overlapPolicy: OVERLAP,
    }))
  } finally {
    await api.stop()
  }
  const workers = startOurs(`mem${n}`, prefix, 1)
  try {
    const readyAt = await waitForHeartbeats(ctx.redis, keys.workers, workers)
    const rss = sampleRss([workers[0]!.child.pid!])
    await sleep(readyAt + MEMORY_SETTLE_MS - Date.now())
    const { max, last } = rss.stop()
    const pid = workers[0]!.child.pid!
    const mem = await ourRedisMemory(ctx, keys)
    const [fired] = await ctx.db.sql<{ n: number }[]>`select count(*)::int as n from executions`
    return {
      n,
      rssLast: last.get(pid) ?? 0,
      rssMax: max.get(pid) ?? 0,
      redisBytes: mem.bytes,
      breakdown: mem.breakdown,
      notes: [
        `set-up: ${createdNote(created, n)}; ${fired!.n} fires recorded while it ran`,
        ...warningsOf(workers).map((w) => `worker log: ${w}`),
      ],
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await deleteMatching(ctx.redis, keys.scanPattern)
  }
}

async function bullMemory(ctx: Ctx, n: number): Promise<MemResult> {
  const queue = new Queue(`mem${n}-${randomUUID().slice(0, 8)}`, {
    connection: bullConnection,
    prefix: BULL_PREFIX,
  })
  let worker: BullWorker | undefined
  try {
    await queue.waitUntilReady()
    const t0 = performance.now()
    await upsertSchedulers(queue, n, hourly(n))
    const setupMs = performance.now() - t0
    worker = startBullWorker({
      queue: queue.name,
      prefix: BULL_PREFIX,
      redisUrl: REDIS_URL,
      concurrency: CONCURRENCY,
    })
    const readyAt = await worker.ready
    const rss = sampleRss([worker.child.pid!])
    await sleep(readyAt + MEMORY_SETTLE_MS - Date.now())
    const { max, last } = rss.stop()
    const pid = worker.child.pid!
    const base = `${BULL_PREFIX}:${queue.name}:`
    const mem = await redisMemory(ctx.redis, `${base}*`, (key) => {
      const rest = key.slice(base.length)
      if (rest === 'repeat' || rest.startsWith('repeat:')) return 'schedulers'
      return 'jobs, queues'
    })
    const { completed } = await worker.report()
    return {
      n,
      rssLast: last.get(pid) ?? 0,
      rssMax: max.get(pid) ?? 0,
      redisBytes: mem.total,
      breakdown: [...mem.byGroup].map(([g, b]) => `${g} ${mb(b)} MB`).join(', '),
      notes: [
        `set-up ${fmtS(setupMs)} (upsertJobScheduler × ${n}); ${completed} jobs processed while it ran`,
      ],
    }
  } finally {
    await worker?.stop()
    await cleanupBull(queue, ctx.redis)
  }
}

// ---------------------------------------------------------------------------------------------------------

const fmtMs = (ms: number) => (Number.isNaN(ms) ? '—' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))
const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)
const iso = (ms: number) => new Date(ms).toISOString().slice(11, 19)
const num = (x: number) => x.toLocaleString('en-US')

function drainRow(scenario: string, system: string, r: DrainResult, ratio: string): Row {
  return {
    scenario,
    system,
    expected: r.n,
    missed: r.n - r.done,
    p50: null,
    p99: null,
    throughput: r.rate,
    rss: r.rssMax,
    redisMb: null,
    ratio,
  }
}

function renderRow(r: Row): Cell[] {
  const opt = (x: number | null, f: (v: number) => string) => (x === null ? '—' : f(x))
  return [
    r.scenario,
    r.system,
    opt(r.expected, num),
    opt(r.missed, num),
    opt(r.p50, fmtMs),
    opt(r.p99, fmtMs),
    opt(r.throughput, (v) => num(Math.round(v))),
    opt(r.rss, (v) => v.toFixed(0)),
    opt(r.redisMb, (v) => v.toFixed(1)),
    r.ratio,
  ]
}

/** 1. 10,000 schedules every 10 s (1,000 per phase) on one workflow, one worker, 60 s window. */
export function lag10Spec(): LagSpec {
  return {
    tag: 'lag10',
    label: `${num(LAG10_N)} × every 10 s, one workflow, 1 worker, ${LAG10_WINDOW_S} s`,
    n: LAG10_N,
    cron: (i) => `${i % 10}/10 * * * * *`,
    bullPattern: (i) => `${i % 10}/10 * * * * *`,
    periodMs: 10_000,
    windowMs: LAG10_WINDOW_S * 1000,
    workers: 1,
  }
}

export async function run(): Promise<BenchSection> {
  const sectionStart = performance.now()
  await buildWorkers()
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL, { max: 4, applicationName: 'punctual-bench-worker' })
  const redis = createRedis(REDIS_URL, { name: 'bench:worker' })
  await waitForReady(redis, 5000)
  const ctx: Ctx = { db, redis }
  const rows: Row[] = []
  const verdict: string[] = []
  const notes: string[] = []
  const timings: string[] = []
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now()
    try {
      return await fn()
    } finally {
      timings.push(`${name} ${fmtS(performance.now() - t0)}`)
    }
  }

  try {
    await resetDb(db)

    const lag10 = lag10Spec()
    // 2. 5,000 per-second schedules on one workflow, two workers, 30 s window.
    const lag1: LagSpec = {
      tag: 'lag1',
      label: `${num(LAG1_N)} × every second, one workflow, 2 workers, ${LAG1_WINDOW_S} s`,
      n: LAG1_N,
      cron: () => '* * * * * *',
      bullPattern: () => '* * * * * *',
      periodMs: 1_000,
      windowMs: LAG1_WINDOW_S * 1000,
      workers: 2,
    }
    for (const spec of [lag10, lag1]) {
      if (!wanted(spec.tag)) continue
      const ours = await timed(`${spec.tag} ours (API)`, () => oursLag(ctx, spec, 'api'))
      const seeded = await timed(`${spec.tag} ours (SQL)`, () => oursLag(ctx, spec, 'sql'))
      const bull = await timed(`${spec.tag} BullMQ`, () => bullLag(ctx, spec))
      const oursP99 = percentile(ours.lags, 99)
      const seededP99 = percentile(seeded.lags, 99)
      const bullP99 = percentile(bull.lags, 99)
      const lagRow = (system: string, r: LagResult, ratio: string): Row => ({
        scenario: spec.label,
        system,
        expected: r.expected,
        missed: r.missed,
        p50: percentile(r.lags, 50),
        p99: percentile(r.lags, 99),
        throughput: r.ok / (spec.windowMs / 1000),
        rss: r.rssMax,
        redisMb: r.redisBytes / 2 ** 20,
        ratio,
      })
      rows.push(
        lagRow(
          'punctual, created through the API',
          ours,
          `p99 ${(oursP99 / bullP99).toFixed(2)}× (${(oursP99 / seededP99).toFixed(2)}× SQL-seeded)`,
        ),
      )
      rows.push(lagRow('punctual, SQL-seeded (baseline)', seeded, `p99 ${(seededP99 / bullP99).toFixed(2)}×`))
      rows.push(lagRow(`BullMQ ${bullmqVersion()}`, bull, '1.00×'))
      notes.push(...ours.notes.map((x) => `${spec.tag} punctual (API): ${x}`))
      notes.push(`${spec.tag} punctual (API): Redis ${ours.redisBreakdown}`)
      notes.push(...seeded.notes.map((x) => `${spec.tag} punctual (SQL-seeded): ${x}`))
      notes.push(`${spec.tag} punctual (SQL-seeded): Redis ${seeded.redisBreakdown}`)
      notes.push(...bull.notes.map((x) => `${spec.tag} BullMQ: ${x}`))
      const detail = ours.missed > 0 ? ` Missed: ${ours.missedDetail}.` : ''
      const refused =
        ours.created < spec.n ? ` Only ${num(ours.created)} of ${num(spec.n)} creates succeeded.` : ''
      const baseline = `SQL-seeded baseline: ${num(seeded.missed)} missed, p50 ${fmtMs(percentile(seeded.lags, 50))} ms, p99 ${fmtMs(seededP99)} ms, Redis ${mb(seeded.redisBytes)} MB, RSS ${seeded.rssMax.toFixed(0)} MB`
      const peer = `BullMQ: ${num(bull.missed)} missed, p50 ${fmtMs(percentile(bull.lags, 50))} ms, p99 ${fmtMs(bullP99)} ms, Redis ${mb(bull.redisBytes)} MB, RSS ${bull.rssMax.toFixed(0)} MB`
      const met = (ok: boolean) => (ok ? 'met' : 'NOT met')
      if (spec === lag10) {
        const full = ours.created === spec.n
        verdict.push(
          `Firing lag, ${num(spec.n)} schedules every 10 s created through the API on one workflow: ${num(ours.missed)} missed of ${num(ours.expected)} (target 0: ${met(full && ours.missed === 0)}), p50 ${fmtMs(percentile(ours.lags, 50))} ms, p99 ${fmtMs(oursP99)} ms (target ≤ 100 ms: ${met(oursP99 <= 100)}; within 10% of the SQL-seeded baseline's ${fmtMs(seededP99)} ms: ${met(oursP99 <= seededP99 * 1.1)}), Redis ${mb(ours.redisBytes)} MB (target ≤ 50 MB: ${met(ours.redisBytes <= 50 * 2 ** 20)}), worker RSS max ${ours.rssMax.toFixed(0)} MB (target ≤ 150 MB: ${met(ours.rssMax <= 150)})${spec.n === 10_000 ? '' : ' (the targets are for 10,000)'}. ${baseline}. ${peer}.${refused}${detail}`,
        )
      } else {
        verdict.push(
          `Firing lag, ${num(spec.n)} per-second schedules created through the API on one workflow, 2 workers: ${num(ours.missed)} missed of ${num(ours.expected)}, p99 ${fmtMs(oursP99)} ms vs BullMQ p99 ${fmtMs(bullP99)} ms with ${num(bull.missed)} missed (target 0 missed and p99 below BullMQ's: ${met(ours.created === spec.n && ours.missed === 0 && oursP99 < bullP99)}). ${baseline}.${refused}${detail}`,
        )
      }
    }

    // Issue 18: retention deleting RETENTION_ROWS old fires while the 10 s scenario runs, beside the same
    // scenario with the same rows kept (retention off), in the same run.
    if (wanted('retention')) {
      const old = (retention: boolean) => ({ rows: RETENTION_ROWS, retention })
      const on = await timed('retention on', () => oursLag(ctx, lag10, 'api', old(true)))
      const off = await timed('retention off', () => oursLag(ctx, lag10, 'api', old(false)))
      const onP99 = percentile(on.lags, 99)
      const offP99 = percentile(off.lags, 99)
      const r = on.retention!
      const windowS = lag10.windowMs / 1000
      const inWindow = (r.leftAtStart - r.leftAtEnd) / windowS
      // From the first row gone to the last (the pass starts within about a second of the window's start).
      const overall =
        r.goneAfterMs !== null && r.firstGoneMs !== null
          ? r.rows / Math.max(0.001, (r.goneAfterMs - r.firstGoneMs) / 1000)
          : null
      const label = `${lag10.label}, ${num(RETENTION_ROWS)} finished fires reaching the 30-day horizon at the window's start`
      const row = (system: string, x: LagResult, ratio: string): Row => ({
        scenario: label,
        system,
        expected: x.expected,
        missed: x.missed,
        p50: percentile(x.lags, 50),
        p99: percentile(x.lags, 99),
        throughput: x.ok / windowS,
        rss: x.rssMax,
        redisMb: x.redisBytes / 2 ** 20,
        ratio,
      })
      rows.push(
        row('punctual, retention deleting them (30 days)', on, `p99 ${(onP99 / offP99).toFixed(2)}× off`),
      )
      rows.push(row('punctual, retention off (kept)', off, '1.00×'))
      notes.push(...on.notes.map((x) => `retention on: ${x}`))
      notes.push(...off.notes.map((x) => `retention off: ${x}`))
      notes.push(
        `retention on: ${num(r.rows)} old rows inserted in ${fmtS(r.seedMs)} after the schedules; left before the window's start ${num(r.leftAtStart)}, at its end ${num(r.leftAtEnd)} (${num(Math.round(inWindow))} rows/s in the window); ${r.goneAfterMs === null ? `not all gone ${fmtS(RETENTION_CAP_MS)} after the window` : `first gone ${fmtS(r.firstGoneMs ?? 0)} and all gone ${fmtS(r.goneAfterMs)} after the window's start (${num(Math.round(overall!))} rows/s; the lowest id and the id range looked up every 500 ms through the primary key)`}`,
      )
      const met = (ok: boolean) => (ok ? 'met' : 'NOT met')
      const rate = Math.min(inWindow, overall ?? 0)
      verdict.push(
        `Retention of ${num(RETENTION_ROWS)} finished executions during the 10 s firing-lag scenario: ${num(Math.round(inWindow))} rows/s in the window, ${overall === null ? 'not all gone by the cap' : `${num(Math.round(overall))} rows/s until all were gone`} (target ≥ 2,000: ${met(rate >= 2000 && r.leftAtStart > 0)}); lag p99 ${fmtMs(onP99)} ms vs ${fmtMs(offP99)} ms with retention off, ${(onP99 / offP99).toFixed(2)}× (target within 10 %: ${met(onP99 <= offP99 * 1.1)}); missed ${num(on.missed)} (target 0: ${met(on.missed === 0)}), with retention off ${num(off.missed)}.${r.leftAtEnd === 0 ? ' All were gone before the window ended: part of the window ran without retention.' : ''}`,
      )
    }

    // 3. Sustained dispatch: DISPATCH_N queued manual executions drained by 1, then 2 workers (one tenant),
    // then 2 workers with the executions spread over DISPATCH_TENANTS tenants (ours only: BullMQ has none).
    if (wanted('dispatch')) {
      const rates: Record<number, { ours: DrainResult; bull: DrainResult }> = {}
      for (const k of [1, 2]) {
        const ours = await timed(`dispatch ${k}w ours`, () => oursDrain(ctx, k))
        const bull = await timed(`dispatch ${k}w BullMQ`, () => bullDrain(ctx, k))
        rates[k] = { ours, bull }
        const label = `dispatch ${num(DISPATCH_N)} queued no-op executions, ${k} worker${k > 1 ? 's' : ''}`
        rows.push(
          drainRow(
            label,
            'punctual (history in Postgres)',
            ours,
            `${(ours.rate / bull.rate).toFixed(2)}× throughput`,
          ),
        )
        rows.push(drainRow(label, `BullMQ ${bullmqVersion()} (no durable history)`, bull, '1.00×'))
        notes.push(...ours.notes.map((x) => `dispatch punctual: ${x}`))
        notes.push(...bull.notes.map((x) => `dispatch BullMQ: ${x}`))
      }
      const two = rates[2]!.ours
      const bull2 = rates[2]!.bull
      const spread = await timed(`dispatch 2w ${DISPATCH_TENANTS}t ours`, () =>
        oursDrain(ctx, 2, DISPATCH_TENANTS),
      )
      rows.push(
        drainRow(
          `dispatch ${num(DISPATCH_N)} queued no-op executions over ${num(DISPATCH_TENANTS)} tenants, 2 workers`,
          'punctual (history in Postgres)',
          spread,
          `${(spread.rate / bull2.rate).toFixed(2)}× throughput (BullMQ's 2-worker row); ${(spread.rate / two.rate).toFixed(2)}× one tenant`,
        ),
      )
      notes.push(...spread.notes.map((x) => `dispatch punctual: ${x}`))
      const verdictOf = (r: DrainResult) => {
        const complete = r.done === r.n
        const rate = `${num(Math.round(r.rate))} executions/s over ${fmtS(r.spanMs)}${complete ? '' : ` (only ${num(r.done)} of ${num(r.n)} succeeded within the cap)`}`
        return `${rate} (target ≥ 5,000/s: ${r.rate >= 5000 && complete ? 'met' : 'NOT met'})`
      }
      verdict.push(
        `Sustained dispatch with 2 workers: one tenant ${verdictOf(two)}; ${num(DISPATCH_TENANTS)} tenants ${verdictOf(spread)}, ${(spread.rate / two.rate).toFixed(2)}× one tenant; 1 worker ${num(Math.round(rates[1]!.ours.rate))}/s. BullMQ (no history) ${num(Math.round(rates[1]!.bull.rate))}/s with 1 worker, ${num(Math.round(bull2.rate))}/s with 2.`,
      )
    }

    // 4. Memory with 10,000 and 100,000 hourly schedules (ours and BullMQ side by side, at the same time).
    if (wanted('memory')) {
      for (const n of MEMORY_SIZES) {
        const [ours, bull] = await timed(`memory ${num(n)}`, () =>
          Promise.all([oursMemory(ctx, n), bullMemory(ctx, n)]),
        )
        const label = `${num(n)} hourly schedules (spread over the hour), idle ~20 s`
        rows.push({
          scenario: label,
          system: 'punctual, created through the API',
          expected: null,
          missed: null,
          p50: null,
          p99: null,
          throughput: null,
          rss: ours.rssLast,
          redisMb: ours.redisBytes / 2 ** 20,
          ratio: `RSS ${(ours.rssLast / bull.rssLast).toFixed(2)}×, Redis ${(ours.redisBytes / bull.redisBytes).toFixed(2)}×`,
        })
        rows.push({
          scenario: label,
          system: `BullMQ ${bullmqVersion()}`,
          expected: null,
          missed: null,
          p50: null,
          p99: null,
          throughput: null,
          rss: bull.rssLast,
          redisMb: bull.redisBytes / 2 ** 20,
          ratio: '1.00×',
        })
        notes.push(
          `memory ${num(n)} punctual: RSS at ~20 s ${ours.rssLast.toFixed(0)} MB (max ${ours.rssMax.toFixed(0)}); Redis ${ours.breakdown}; ${ours.notes.join('; ')}`,
        )
        notes.push(
          `memory ${num(n)} BullMQ: RSS at ~20 s ${bull.rssLast.toFixed(0)} MB (max ${bull.rssMax.toFixed(0)}); Redis ${bull.breakdown}; ${bull.notes.join('; ')}`,
        )
        if (n === 100_000) {
          verdict.push(
            `Worker RSS with 100,000 hourly schedules: ${ours.rssLast.toFixed(0)} MB after ~20 s, max ${ours.rssMax.toFixed(0)} MB (target ≤ 150 MB: ${ours.rssMax <= 150 ? 'met' : 'NOT met'}); BullMQ worker ${bull.rssLast.toFixed(0)} MB. Redis: ours ${mb(ours.redisBytes)} MB (${ours.breakdown}), BullMQ ${mb(bull.redisBytes)} MB.`,
          )
        }
      }
    }
  } finally {
    await db.close().catch(() => {})
    await deleteMatching(redis, `${BULL_PREFIX}:*`).catch(() => {})
    redis.disconnect()
  }
  timings.push(`whole section ${fmtS(performance.now() - sectionStart)}`)

  return {
    id: 'worker',
    title: 'Worker: firing lag, dispatch throughput, memory (vs BullMQ)',
    method: [
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; Postgres, Redis, the workers and the harness share these cores with whatever else runs on the machine (other engineers' test runs included), so absolute figures wander between runs.`,
      `Every system under test runs in its own processes as plain JavaScript: ours the production bundle of apps/worker/src/main.ts (scripts/bundle.mjs, what \`pnpm start:worker\` builds and runs; env DATABASE_URL, REDIS_URL, REDIS_PREFIX, WORKER_CONCURRENCY=${CONCURRENCY}, LOG_LEVEL=warn; other settings at their defaults: 2.5 s look-ahead, 10 Postgres connections per worker, 30 s reconcile), BullMQ a Worker with a no-op async processor at concurrency ${CONCURRENCY} (bench/src/worker/bullmq-worker.ts, bundled the same way). Both on Redis ${url.host} DB ${bullConnection.db} under their own key prefixes, deleted afterwards; our history in the dedicated database ${new URL(DATABASE_URL).pathname.slice(1)} (truncated before each scenario).`,
      'Ours, as a user creates them (the DEVELOPERS rule): the API runs as its production bundle in its own process on the same database and Redis keyspace (bench/src/api-user.ts; LOG_LEVEL=warn, rate limit raised), the workflows are created with POST /api/workflows (one `delay` step of 0 ms) and the schedules with POST /api/schedules, 50 requests in flight (autocannon), through the API\'s create service: conflict index, due-index entry and row as for any user (overlapPolicy skip, misfirePolicy fire_once, priority 5: the API defaults); the API is stopped once they exist. Lag scenarios are on ONE workflow. Baseline row "SQL-seeded" (lag scenarios only): the old way, kept for comparison — rows inserted in bulk with SQL as the API writes them (next_run_at by our cron engine) and due-index entries written with syncDueEntries (pipelined upserts), an empty conflict_profile (no conflict index). BullMQ: upsertJobScheduler with the same 6-field crons and a job template with removeOnComplete/removeOnFail.',
      `Firing lag: the workers are started first (idle), then the schedules are created (BullMQ: upsertJobScheduler after its workers are up). Through the API each schedule fires from its creation on; the window starts on the first period boundary at least ${WARMUP_MS / 1000} s after the last create. SQL-seeded: first fires ≥ ${FIRST_FIRE_AFTER_MS / 1000} s after the insert, the window starts on the first period boundary at least ${WARMUP_MS / 1000} s after the first fire; BullMQ: at least ${(FIRST_FIRE_AFTER_MS + WARMUP_MS) / 1000} s after the upserts. Earlier fires are warm-up. Ours: \`started_at − scheduled_for\` of the \`fire\` executions (Postgres); BullMQ: \`processedOn −\` the scheduler job's due time (\`opts.prevMillis\`, also the tail of its id \`repeat:<id>:<ms>\`). A fire counts as missed unless it succeeded (BullMQ: was processed) by the end of the window + ${GRACE_MS / 1000} s; expected = schedules created × fires per schedule in the window, so fires never recorded, \`skipped\` (overlapPolicy skip: the previous one had not finished) and late ones all count. Throughput column: fires succeeded per second of window. Redis MB (lag rows): MEMORY USAGE (SAMPLES 20) summed over the system's keys at the end of the window (breakdown by key family in the notes). Crons: \`p/10 * * * * *\` with p = 0…9 (one tenth of the schedules per phase, each phase a burst of fires at the same instant) and \`* * * * * *\`.`,
      "Planner statistics: in the lag scenarios, once the schedules exist (both ways), the executions table gets one earlier succeeded fire per schedule (an hour back, inserted with SQL: history, not what the user creates) and is ANALYZEd, the state autovacuum leaves a running system in. Observed while building this benchmark (not re-measured on each run): with the statistics left by a table that held only `manual` rows (right after the dispatch scenario, before autovacuum re-analyzed), the runner's fire-start query in startExecutions (packages/db/src/statements/execution-start.ts: `select id, schedule_id from executions where id = any($1) and kind = 'fire' and started_at is null … for update`) was planned as a full scan of the partial index executions_fire_uq (estimate 1 row) instead of a primary-key lookup: 36–50 ms per batch of 50 at 30,000 rows, growing with the table (a primary-key scan of well under 1 ms after ANALYZE). One worker then started only ~1,000 fires/s with a backlog it never worked off: lag p50 11.5 s, p99 16.7 s, and 20,000 of the 60,000 fires skipped (overlapPolicy skip) in the 10,000 × 10 s scenario.",
      `Dispatch: the workflows (one per tenant, one \`delay\` step of 0 ms) and an event trigger per tenant (eventType bench.dispatch) are created through the API, then the backlog: ${num(DISPATCH_N)} POST /api/events (${IN_FLIGHT} in flight, each with its tenant's token; each event starts one execution), all before the workers start; the API is stopped before the workers start. The rate is measured from the first start. One tenant (\`bench\`), or — the row "over ${num(DISPATCH_TENANTS)} tenants" — execution i belongs to tenant i mod ${num(DISPATCH_TENANTS)}, each with its own workflow, so every dequeue serves the tenants in turns (one execution per tenant per round; no caps set). Executions/s = succeeded / (last finished_at − first started_at), "missed" = not succeeded at the end. BullMQ: ${num(DISPATCH_N)} jobs added with addBulk (1,000 per call, removeOnComplete), drained by as many worker processes; jobs/s = completed / (last \`completed\` event − first processedOn). A pass is cut after ${DRAIN_CAP_MS / 1000} s and reported with what finished.`,
      `Memory: n schedules firing hourly at second offsets spread evenly over the hour (\`s m * * * *\`, about n/3,600 fires per second), over ${MEMORY_WORKFLOWS} workflows of one tenant, created through the API before the worker starts; one worker, its RSS (VmRSS of the node process, /proc) ${MEMORY_SETTLE_MS / 1000} s after it came up (max over those 20 s in the notes). Redis MB = MEMORY USAGE (SAMPLES 20) summed over the system's keys at that moment (the API's rate-limit counters included). Ours and BullMQ run this scenario at the same time (separate processes and key prefixes). RSS column of the other rows: max over the window of the largest worker process.`,
      'A worker is "up" once its heartbeat is in Redis (ours; published after its start-up reconcile) or its Worker is running (BullMQ). CPU notes: CPU time from /proc (workers, our workers\' Postgres backends) and INFO cpu (Redis) over the window, in % of one core.',
      ...notes,
      `Run time: ${timings.join(', ')}.`,
    ],
    headers: [
      'scenario',
      'system',
      'fires/jobs expected',
      'missed',
      'lag p50 ms',
      'lag p99 ms',
      'throughput /s',
      'worker RSS MB',
      'Redis MB',
      'vs BullMQ',
    ],
    rows: rows.map(renderRow),
    verdict,
  }
}

function bullmqVersion(): string {
  try {
    const file = new URL('../node_modules/bullmq/package.json', import.meta.url)
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return ''
  }
}
