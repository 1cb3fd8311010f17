import os from 'node:os'
import { createDb, type DbHandle, ensureDatabase, migrate } from '@punctual/db'
import { createExecutionQueue, createKeys, createRedis, type Redis, waitForReady } from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import { type ApiProcess, createWorkflow, headersFor, startApi } from './api-user.ts'
import { type Answer, type FloodResult, flood, paced, request, wallMs } from './fairness/load.ts'
import { type BenchSection, percentile } from './report.ts'
import {
  buildWorkers,
  cpuMeter,
  type OurWorker,
  sleep,
  startOurWorker,
  waitForHeartbeats,
} from './worker/procs.ts'

/**
 * Noisy neighbour (issue 13, "Performance"): tenant A floods POST /api/events (c=8, an event trigger of A
 * starting a workflow, A's rate limit raised) while tenant B sends 50 req/s of GET /api/schedules/:id and
 * one execution a second (POST /api/schedules/:id/trigger). B's GET p99 and B's start lag p99 with A
 * flooding are compared with B alone, measured in the same run just before. The API and the workers run as
 * their production bundles in their own processes; everything they read is created through the API.
 */

const DATABASE_URL =
  process.env.BENCH_FAIR_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_fairness'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const PREFIX = `bench-fair-${process.pid}`
/** Length of each measured phase (B alone, then B with A flooding). */
const PHASE_S = Number(process.env.BENCH_FAIR_PHASE_S ?? 60)
const WARMUP_S = 5
/** A's flood runs this long before B's measured phase starts (its backlog and the workers get going). */
const RAMP_S = 3
const GET_RATE = 50
const TRIGGER_RATE = 1
const FLOOD_CONNECTIONS = Number(process.env.BENCH_FAIR_FLOOD_CONNECTIONS ?? 8)
const WORKERS = Number(process.env.BENCH_FAIR_WORKERS ?? 2)
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 50)
/** TENANT_MAX_RUNNING of the workers (unset by default: fair turns alone). */
const TENANT_MAX_RUNNING = process.env.BENCH_FAIR_TENANT_MAX_RUNNING ?? ''
/** How long to wait, after a phase, for B's triggered executions to start. */
const START_GRACE_MS = 30_000
const TARGET_RATIO = 2
const A = 'tenant-a'
const B = 'tenant-b'
/** A's trigger priority: above B's schedule (the API default, 5), so without turns A's backlog goes first. */
const A_PRIORITY = 9
/**
 * A's two floods: executions that end at once (the flood loads the API, Postgres and the workers; the workers
 * keep up, so A has no backlog) and executions holding their slot for A_SLOW_MS (a \`delay\` step: every slot
 * busy, A's backlog grows, so B's executions wait on the queue's turns and slots).
 */
const A_SLOW_MS = Number(process.env.BENCH_FAIR_A_SLOW_MS ?? 500)
interface FloodKind {
  key: 'noop' | 'slow' | 'slow-capped'
  label: string
  eventType: string
  stepMs: number
  /** TENANT_MAX_RUNNING of the workers in this phase (they are restarted with it). */
  tenantMaxRunning?: string
}
/**
 * The contract bounds a tenant whose long runs hold many slots with TENANT_MAX_RUNNING: the last phase runs
 * A's long runs again with it at this share of the fleet's slots.
 */
const CAP_SHARE = 0.8
const FLOODS: FloodKind[] = [
  { key: 'noop', label: 'A floods, runs of 0 ms', eventType: 'bench.flood.noop', stepMs: 0 },
  {
    key: 'slow',
    label: `A floods, runs of ${A_SLOW_MS} ms`,
    eventType: 'bench.flood.slow',
    stepMs: A_SLOW_MS,
  },
  {
    key: 'slow-capped',
    label: `A floods, runs of ${A_SLOW_MS} ms, TENANT_MAX_RUNNING=${Math.round(CAP_SHARE * WORKERS * CONCURRENCY)}`,
    eventType: 'bench.flood.slow',
    stepMs: A_SLOW_MS,
    tenantMaxRunning: String(Math.round(CAP_SHARE * WORKERS * CONCURRENCY)),
  },
]

async function post(api: ApiProcess, tenant: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await request(`${api.url}${path}`, {
    method: 'POST',
    headers: headersFor(tenant),
    body: JSON.stringify(body),
  })
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body.slice(0, 300)}`)
  return JSON.parse(res.body) as { id: string }
}

interface Setup {
  scheduleB: string
}

/**
 * A: per flood kind, a workflow (one `delay` step) and an event trigger starting it; B: a workflow (a `delay`
 * of 0 ms) and a schedule of it that does not fire during the run (B triggers it).
 */
async function createThroughApi(api: ApiProcess): Promise<Setup> {
  for (const f of FLOODS.filter((k) => k.key !== 'slow-capped')) {
    const workflow = await post(api, A, '/api/workflows', {
      name: `flood-${f.key}`,
      steps: [{ name: 'work', type: 'delay', ms: f.stepMs }],
    })
    await post(api, A, '/api/triggers', {
      workflowId: workflow.id,
      name: `flood-${f.key}`,
      type: 'event',
      eventType: f.eventType,
      priority: A_PRIORITY,
    })
  }
  const workflowB = await createWorkflow(api, B, 'steady')
  const schedule = await post(api, B, '/api/schedules', {
    workflowId: workflowB,
    name: 'steady',
    cronExpression: '0 0 1 1 *',
  })
  return { scheduleB: schedule.id }
}

interface PhaseResult {
  gets: Answer[]
  triggers: Answer[]
  /** Per triggered execution of B: request sent → started_at, and enqueued_at → started_at (ms). */
  startLags: number[]
  queueLags: number[]
  /** Per triggered execution of B: enqueued_at → claimed (seen leased in Redis), claimed → started_at (ms). */
  claimLags: number[]
  claimToStart: number[]
  notStarted: number
  /** A's queue depths sampled every 250 ms (ready; running = slots held). */
  aReady: number[]
  aRunning: number[]
  aStarted: number
  cpu: { api: number; workers: number[]; machine: number }
  seconds: number
}

/** Samples A's depths in Redis every 250 ms until stopped. */
function sampleDepths(redis: Redis, prefix: string) {
  const queue = createExecutionQueue(redis, createKeys(prefix))
  const ready: number[] = []
  const running: number[] = []
  let on = true
  const loop = (async () => {
    while (on) {
      const d = await queue.tenantDepths(A).catch(() => null)
      if (d) {
        ready.push(d.ready)
        running.push(d.running)
      }
      await sleep(250)
    }
  })()
  return {
    async stop() {
      on = false
      await loop
      return { ready, running }
    },
  }
}

/** B's load for PHASE_S seconds: GETs at GET_RATE/s and triggers at TRIGGER_RATE/s, open-loop. */
async function phase(
  ctx: {
    db: DbHandle
    redis: Redis
    api: ApiProcess
    setup: Setup
    pids: { api: number; workers: number[] }
  },
  seconds: number,
): Promise<PhaseResult> {
  const { api, setup } = ctx
  const getUrl = `${api.url}/api/schedules/${setup.scheduleB}`
  const triggerUrl = `${api.url}/api/schedules/${setup.scheduleB}/trigger`
  const depths = sampleDepths(ctx.redis, PREFIX)
  const meter = cpuMeter([ctx.pids.api, ...ctx.pids.workers])
  const from = new Date().toISOString()
  const keys = createKeys(PREFIX)
  const claimedAt = new Map<string, number>()
  /** Polls the execution's hash every 2 ms (for at most 10 s) until a worker owns it. */
  const watchClaim = async (executionId: string) => {
    const until = Date.now() + 10_000
    while (Date.now() < until) {
      const owner = await ctx.redis.hget(keys.execution(executionId), 'owner').catch(() => null)
      if (owner) {
        claimedAt.set(executionId, wallMs())
        return
      }
      await sleep(2)
    }
  }
  const watches: Promise<void>[] = []
  const [gets, triggers] = await Promise.all([
    paced(GET_RATE, seconds, () => request(getUrl, { method: 'GET', headers: headersFor(B) })),
    paced(TRIGGER_RATE, seconds, async () => {
      const answer = await request(triggerUrl, { method: 'POST', headers: headersFor(B), body: '{}' })
      if (answer.status === 202)
        watches.push(watchClaim((JSON.parse(answer.body) as { executionId: string }).executionId))
      return answer
    }),
  ])
  await Promise.all(watches)
  const to = new Date().toISOString()
  const cpu = meter.stop()
  const { ready, running } = await depths.stop()
  const sent = new Map<string, number>()
  for (const t of triggers) {
    if (t.status === 202) sent.set((JSON.parse(t.body) as { executionId: string }).executionId, t.sentAt)
  }
  const ids = [...sent.keys()]
  const read = () => ctx.db.sql<{ id: string; started: number | null; enqueued: number }[]>`
    select id, (extract(epoch from started_at) * 1000)::float8 as started,
           (extract(epoch from enqueued_at) * 1000)::float8 as enqueued
      from executions where id = any(${ids}::uuid[])`
  let rows = await read()
  const deadline = Date.now() + START_GRACE_MS
  while (rows.some((r) => r.started === null) && Date.now() < deadline) {
    await sleep(500)
    rows = await read()
  }
  const started = rows.filter((r) => r.started !== null)
  const [a] = await ctx.db.sql<{ n: number }[]>`
    select count(*)::int as n from executions
     where tenant = ${A} and started_at >= ${from}::timestamptz and started_at < ${to}::timestamptz`
  const sorted = (x: number[]) => x.sort((p, q) => p - q)
  return {
    gets,
    triggers,
    startLags: sorted(started.map((r) => r.started! - sent.get(r.id)!)),
    queueLags: sorted(started.map((r) => r.started! - r.enqueued)),
    claimLags: sorted(
      started.filter((r) => claimedAt.has(r.id)).map((r) => claimedAt.get(r.id)! - r.enqueued),
    ),
    claimToStart: sorted(
      started.filter((r) => claimedAt.has(r.id)).map((r) => r.started! - claimedAt.get(r.id)!),
    ),
    notStarted: triggers.length - started.length,
    aReady: ready,
    aRunning: running,
    aStarted: a!.n,
    cpu: { api: cpu.perProcess[0]!, workers: cpu.perProcess.slice(1), machine: cpu.machineBusy },
    seconds,
  }
}

// ---------------------------------------------------------------------------------------------------------

const f1 = (ms: number) => (Number.isNaN(ms) ? '—' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))
const num = (x: number) => x.toLocaleString('en-US')
const p = (xs: number[], q: number) => percentile(xs, q)
const okLatencies = (xs: Answer[], status: number) =>
  xs
    .filter((x) => x.status === status)
    .map((x) => x.ms)
    .sort((a, b) => a - b)
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0)

/** Which sample the nearest-rank p99 of n samples is. */
function rankNote(n: number): string {
  const fromTop = n - Math.max(1, Math.ceil(0.99 * n))
  return fromTop === 0 ? 'p99 is the largest sample' : `p99 is the largest but ${fromTop}`
}

interface Noisy {
  kind: FloodKind
  phase: PhaseResult
  flood: FloodResult
}

/** One row per measure; columns: B alone, then each flood (targeted rows carry the ratio to B alone). */
function table(alone: PhaseResult, noisy: Noisy[]) {
  const phases = [alone, ...noisy.map((n) => n.phase)]
  const gets = phases.map((r) => okLatencies(r.gets, 200))
  const acks = phases.map((r) => okLatencies(r.triggers, 202))
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met')
  /** p(q) per phase; with `ratio`, the floods' cells also give their ratio to B alone. */
  const cells = (xs: number[][], q: number, ratio = false) =>
    xs.map((x, i) => {
      const v = p(x, q)
      return i > 0 && ratio ? `${f1(v)} (${(v / p(xs[0]!, q)).toFixed(2)}×)` : f1(v)
    })
  const pair = (xs: number[][]) => xs.map((x) => `${f1(p(x, 50))} / ${f1(p(x, 99))}`)
  const lags = phases.map((r) => r.startLags)
  const queueLags = phases.map((r) => r.queueLags)
  const verdictFor = (what: string, xs: number[][]) => {
    const each = noisy.map((n, i) => {
      const [x, y] = [p(xs[0]!, 99), p(xs[i + 1]!, 99)]
      return `${n.kind.label}: ${f1(y)} ms vs ${f1(x)} ms alone, ${(y / x).toFixed(2)}× (target ≤ ${TARGET_RATIO}×: ${met(y <= TARGET_RATIO * x)})`
    })
    return `${what} — ${each.join('; ')}`
  }
  const rows: (string | number)[][] = [
    ['B: GET /api/schedules/:id p99 ms (× alone)', ...cells(gets, 99, true), `≤ ${TARGET_RATIO}× alone`],
    ['B: GET p50 ms', ...cells(gets, 50), ''],
    ['B: GETs answered 200 / sent', ...phases.map((r, i) => `${gets[i]!.length} / ${r.gets.length}`), ''],
    [
      'B: start lag p99 ms, trigger sent → started_at (× alone)',
      ...cells(lags, 99, true),
      `≤ ${TARGET_RATIO}× alone`,
    ],
    ['B: start lag p50 ms', ...cells(lags, 50), ''],
    ['  of which: trigger sent → 202 p50 / p99 ms', ...pair(acks), 'the API: commit, enqueue'],
    [
      '  of which: enqueued_at → started_at p50 / p99 ms',
      ...pair(queueLags),
      'queue turn, slot, claim, start',
    ],
    [
      '    enqueued_at → seen claimed; seen claimed → started_at p50 / p99 ms',
      ...phases.map((r) => `${pair([r.claimLags])[0]}; ${pair([r.claimToStart])[0]}`),
      'Redis polled every 2 ms from the 202 on (a claim before the 202 is seen at it)',
    ],
    [
      'B: executions started / triggered (202)',
      ...phases.map((r, i) => `${r.startLags.length} / ${acks[i]!.length}`),
      `starts awaited ${START_GRACE_MS / 1000} s`,
    ],
    [
      'A: events accepted (202) per s; p50 / p99 ms',
      '—',
      ...noisy.map((n) => {
        const ok = n.flood.statuses['202'] ?? 0
        const other = n.flood.requests - ok + n.flood.errors
        return `${num(Math.round(ok / n.flood.seconds))}; ${n.flood.p50} / ${n.flood.p99}${other > 0 ? `; ${other} other answers/errors` : ''}`
      }),
      `autocannon, c=${FLOOD_CONNECTIONS}, whole flood`,
    ],
    [
      'A: executions started per s',
      ...phases.map((r) => num(Math.round(r.aStarted / r.seconds))),
      'in the phase',
    ],
    [
      'A: ready backlog mean / max; slots held mean',
      ...phases.map(
        (r) => `${num(Math.round(mean(r.aReady)))} / ${num(max(r.aReady))}; ${mean(r.aRunning).toFixed(0)}`,
      ),
      'tenantDepths(A) every 250 ms',
    ],
    [
      'CPU, % of one core: API; workers; whole machine',
      ...phases.map(
        (r) =>
          `${r.cpu.api.toFixed(0)}; ${r.cpu.workers.map((w) => w.toFixed(0)).join(' + ')}; ${r.cpu.machine.toFixed(0)}% of ${os.cpus().length} cores`,
      ),
      '/proc',
    ],
  ]
  const n = noisy[0]?.phase.startLags.length ?? 0
  const verdict = [
    `${verdictFor("B's GET /api/schedules/:id p99", gets)}.`,
    `${verdictFor("B's start lag p99 (trigger sent → started_at)", lags)}. Nearest rank over ${n} executions a phase: ${rankNote(n)}.`,
  ]
  return { rows, verdict }
}

export async function run(): Promise<BenchSection> {
  const loadBefore = os.loadavg()
  await buildWorkers()
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL, { max: 4, applicationName: 'punctual-bench-fairness' })
  await db.sql`truncate executions, schedules, triggers, workflows, audit_log, event_receipts, webhook_deliveries cascade`
  const redis = createRedis(REDIS_URL, { name: 'bench:fairness' })
  await waitForReady(redis, 5000)
  const keys = createKeys(PREFIX)
  let api: ApiProcess | undefined
  const workers: OurWorker[] = []
  let running: ReturnType<typeof flood> | undefined
  try {
    api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: PREFIX })
    const setup = await createThroughApi(api)
    const warnings = new Map<string, number>()
    /** (Re)starts the workers, with `cap` as their TENANT_MAX_RUNNING. */
    const startWorkers = async (cap: string) => {
      for (const w of workers.splice(0)) {
        for (const [m, c] of w.warnings) warnings.set(m, (warnings.get(m) ?? 0) + c)
        await w.stop()
      }
      for (let i = 0; i < WORKERS; i++) {
        workers.push(
          startOurWorker(`bench-fair-${i + 1}`, {
            DATABASE_URL,
            REDIS_URL,
            REDIS_PREFIX: PREFIX,
            WORKER_CONCURRENCY: String(CONCURRENCY),
            ...(cap ? { TENANT_MAX_RUNNING: cap } : {}),
          }),
        )
      }
      await waitForHeartbeats(redis, keys.workers, workers)
      ctx.pids.workers = workers.map((w) => w.child.pid!)
    }
    const ctx = { db, redis, api, setup, pids: { api: api.pid, workers: [] as number[] } }
    await startWorkers(TENANT_MAX_RUNNING)
    const floodOf = (kind: FloodKind, seconds: number) =>
      flood({
        url: `${api!.url}/api/events`,
        headers: headersFor(A),
        body: JSON.stringify({
          type: kind.eventType,
          data: { order: { id: 42, total: 99.5 }, note: 'noisy' },
        }),
        connections: FLOOD_CONNECTIONS,
        seconds,
      })
    // Warm-up, not counted: A's path for 2 s (then its executions end), B's for WARMUP_S.
    await floodOf(FLOODS[0]!, 2).done
    const queue = createExecutionQueue(redis, keys)
    for (let i = 0; i < 120; i++) {
      const d = await queue.tenantDepths(A)
      if (d.ready + d.running === 0) break
      await sleep(500)
    }
    await phase(ctx, WARMUP_S)
    const marks = [Date.now()]
    const alone = await phase(ctx, PHASE_S)
    marks.push(Date.now())
    const noisy: Noisy[] = []
    // The slow flood last: it leaves a backlog of A behind.
    const only = process.env.BENCH_FAIR_ONLY?.split(',')
    for (const kind of FLOODS.filter((f) => !only || only.includes(f.key))) {
      if (kind.tenantMaxRunning) await startWorkers(kind.tenantMaxRunning)
      running = floodOf(kind, RAMP_S + PHASE_S + 2)
      await sleep(RAMP_S * 1000)
      const result = await phase(ctx, PHASE_S)
      noisy.push({ kind, phase: result, flood: await running.done })
      marks.push(Date.now())
    }
    const { rows, verdict } = table(alone, noisy)
    const loadAfter = os.loadavg()
    for (const w of workers) for (const [m, c] of w.warnings) warnings.set(m, (warnings.get(m) ?? 0) + c)
    const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19)
    return {
      id: 'fairness',
      title: 'Noisy neighbour: one tenant floods, another reads and runs (fair turns, issue 13)',
      method: [
        `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; load average (1 min) ${loadBefore[0]!.toFixed(2)} at the start, ${loadAfter[0]!.toFixed(2)} at the end. The API, ${WORKERS} workers, Postgres, Redis, the load generators and whatever else runs on the machine share these cores: a flood takes CPU from B's requests as well as queue room.`,
        `Processes, all production bundles (scripts/bundle.mjs): our API (bench/src/api-user.ts: LOG_LEVEL=warn, DATABASE_POOL_SIZE 20, API_RATE_LIMIT_PER_MINUTE raised to 1e8 for A's flood — the limit is per tenant but one setting for all; B's ~3,060 requests a minute are under the default 6,000 anyway) and ${WORKERS} workers (WORKER_CONCURRENCY=${CONCURRENCY}, ${TENANT_MAX_RUNNING ? `TENANT_MAX_RUNNING=${TENANT_MAX_RUNNING}` : 'no TENANT_MAX_RUNNING before the last phase'}, no maxConcurrency, other settings at their defaults), on database ${new URL(DATABASE_URL).pathname.slice(1)} (truncated first) and Redis ${new URL(REDIS_URL).host} under the key prefix ${PREFIX} (deleted afterwards). Loopback only.`,
        `Created through the API with each tenant's own token: for A, two workflows, one \`delay\` step each (0 ms and ${A_SLOW_MS} ms), and an event trigger starting each (eventTypes ${FLOODS.map((f) => f.eventType).join(', ')}; priority ${A_PRIORITY}, above B's 5, so without turns A's backlog would go first); for B, a workflow (a \`delay\` of 0 ms) and a schedule of it firing yearly (\`0 0 1 1 *\`, priority 5), which B triggers.`,
        `A's floods: autocannon's CLI in its own process, ${FLOOD_CONNECTIONS} connections POSTing /api/events (~70-byte data, no id: each event starts one execution), started ${RAMP_S} s before B's phase and run to its end (+2 s). Runs of 0 ms end at once: the flood loads the API, Postgres and the workers, which keep up (A has no backlog). Runs of ${A_SLOW_MS} ms hold their slot: the ${WORKERS} × ${CONCURRENCY} slots start at most ${num(Math.round((WORKERS * CONCURRENCY * 1000) / A_SLOW_MS))} of them a second, below the flood's rate, so every slot is busy (nothing is claimed ahead behind runs this long), A's backlog grows, and B's executions wait on the queue's turns and on a slot: the slots of a batch started together end together, so they free in waves. The last phase restarts the workers with TENANT_MAX_RUNNING at ${CAP_SHARE * 100} % of their slots (the contract's bound on a tenant whose long runs hold many slots) and floods again (A's backlog from the phase before still queued).`,
        `B's load, from the bench process (which sends nothing else): ${GET_RATE} GET /api/schedules/:id per second and ${TRIGGER_RATE} POST /api/schedules/:id/trigger per second, open-loop (each request at its time, whether or not earlier ones were answered), keep-alive; latency = sent → last byte of the answer. B's start lag = executions.started_at − the moment the trigger request was sent (one wall clock), read from Postgres after the phase; split into sent → 202 (the API) and enqueued_at (the API's request time, set before the commit) → started_at.`,
        `Order, one run: warm-up (A's 0 ms flood 2 s, then its executions ended; B ${WARMUP_S} s), then ${PHASE_S} s phases: B alone ${hms(marks[0]!)} → ${hms(marks[1]!)}, ${noisy.map((n, i) => `${n.kind.label} → ${hms(marks[i + 2]!)}`).join(', ')} (UTC, phase ends include waiting for B's starts).`,
        ...[...warnings].map(([m, c]) => `worker log: ${m} ×${c}`),
      ],
      headers: ['measure', 'B alone', ...noisy.map((n) => n.kind.label), 'target / notes'],
      rows,
      verdict,
    }
  } finally {
    running?.stop()
    await Promise.all(workers.map((w) => w.stop()))
    await api?.stop()
    await deleteMatching(redis, keys.scanPattern).catch(() => 0)
    redis.disconnect()
    await db.close()
  }
}
