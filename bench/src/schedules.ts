import { createDb, ensureDatabase, migrate } from '@punctual/db'
import { Queue } from 'bullmq'
import {
  type ApiProcess,
  type CreateRun,
  callMany,
  createSchedules,
  createWorkflow,
  createWorkflows,
  IN_FLIGHT,
  startApi,
} from './api-user.ts'
import {
  resetProbe,
  SLOWLOG_US,
  type SlowEntry,
  scriptCommandStats,
  slowEntries,
  startProbedRedis,
  usedMemory,
} from './redis-probe.ts'
import { type BenchSection, percentile } from './report.ts'
import { redisMemory, sleep } from './worker/procs.ts'

/**
 * Creating schedules as users do (issue 10, "Performance"): many frequent schedules on one workflow, through
 * HTTP at 50 requests in flight, against daily schedules on one workflow and against BullMQ's
 * upsertJobScheduler for the same crons; Redis memory after each and the time each project script spent inside
 * Redis (slow log of a private redis-server), and the Redis memory of 100,000 hourly schedules over 1,000
 * tenants.
 */

const DATABASE_URL =
  process.env.BENCH_SCHEDULES_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_schedules'
const N = Number(process.env.BENCH_SCHEDULES_N ?? 10_000)
const PER_SECOND_N = Number(process.env.BENCH_SCHEDULES_PER_SECOND_N ?? 1_000)
const RUNS = Number(process.env.BENCH_SCHEDULES_RUNS ?? 3)
const WARMUP_N = Number(process.env.BENCH_SCHEDULES_WARMUP_N ?? 2_000)
const MEMORY_N = Number(process.env.BENCH_SCHEDULES_MEMORY_N ?? 100_000)
const MEMORY_TENANTS = Number(process.env.BENCH_SCHEDULES_MEMORY_TENANTS ?? 1_000)
const PREFIX = 'bench-schedules'
const BULL_PREFIX = 'bench-bull'
const TENANT = 'bench'
const SCRIPT_LIMIT_US = 5_000
const jobOpts = { removeOnComplete: true, removeOnFail: true }

interface Scenario {
  id: string
  label: string
  n: number
  /** Tenant and workflow of schedule i are `place(i)`: one workflow unless the scenario spreads them. */
  tenants: number
  crons: string[]
}

const rand = (k: number) => Math.floor(Math.random() * k)

function scenarios(): { tenSecond: Scenario; perSecond: Scenario; daily: Scenario } {
  return {
    tenSecond: {
      id: 'ten-second',
      label: `${num(N)} × every 10 s (\`p/10 * * * * *\`, p = 0…9), one workflow`,
      n: N,
      tenants: 1,
      crons: Array.from({ length: N }, (_, i) => `${i % 10}/10 * * * * *`),
    },
    perSecond: {
      id: 'per-second',
      label: `${num(PER_SECOND_N)} × every second (\`* * * * * *\`), one workflow`,
      n: PER_SECOND_N,
      tenants: 1,
      crons: Array.from({ length: PER_SECOND_N }, () => '* * * * * *'),
    },
    daily: {
      id: 'daily',
      label: `${num(N)} × daily at a random second (\`s m h * * *\`), one workflow`,
      n: N,
      tenants: 1,
      crons: Array.from({ length: N }, () => `${rand(60)} ${rand(60)} ${rand(24)} * * *`),
    },
  }
}

/** Schedule i of n fires hourly at second offset ⌊i·3600/n⌋ of the hour (as the worker bench's memory rows). */
function hourlyScenario(n: number, tenants: number): Scenario {
  return {
    id: 'hourly-tenants',
    label: `${num(n)} × hourly (\`s m * * * *\`, spread over the hour), ${num(tenants)} tenants, one workflow each`,
    n,
    tenants,
    crons: Array.from({ length: n }, (_, i) => {
      const off = Math.floor((i * 3600) / n)
      return `${off % 60} ${Math.floor(off / 60)} * * * *`
    }),
  }
}

interface ScriptTime {
  calls: number
  usec: number
  entries: SlowEntry[]
  full: boolean
}

interface Measured {
  run: CreateRun
  redisBytes: number
  breakdown: string
  keys: number
  scripts: ScriptTime
}

interface BullMeasured {
  rate: number
  ms: number
  p50: number
  p99: number
  redisBytes: number
  scripts: ScriptTime
}

export async function run(): Promise<BenchSection> {
  const sectionStart = performance.now()
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL, { max: 2, applicationName: 'punctual-bench-schedules' })
  const redis = await startProbedRedis()
  const probe = redis.client
  let api: ApiProcess | undefined

  /** Nothing left from the previous scenario: no rows, no keys; statistics and slow log from zero. */
  async function reset() {
    await db.sql`truncate schedules, triggers, executions, audit_log, workflows cascade`
    await resetProbe(probe)
    await sleep(200)
  }

  async function scriptTime(): Promise<ScriptTime> {
    const { calls, usec } = await scriptCommandStats(probe)
    const { entries, full } = await slowEntries(probe)
    return { calls, usec, entries, full }
  }

  async function ours(s: Scenario): Promise<Measured> {
    await reset()
    const tenants = Array.from({ length: s.tenants }, (_, t) => (s.tenants === 1 ? TENANT : `${TENANT}-${t}`))
    const workflows = await createWorkflows(api!, tenants, () => `bench-${s.id}`)
    await sleep(200)
    const base = await usedMemory(probe)
    await probe.slowlog('RESET')
    await probe.config('RESETSTAT')
    const run = await createSchedules(api!, s.n, (i) => ({
      tenant: tenants[i % s.tenants]!,
      workflowId: workflows[i % s.tenants]!,
      name: `${s.id}-${i}`,
      cronExpression: s.crons[i]!,
    }))
    const scripts = await scriptTime()
    await sleep(500)
    const redisBytes = (await usedMemory(probe)) - base
    const tag = `{${PREFIX}}:`
    const mem = await redisMemory(probe, `${tag}*`, (key) => key.slice(tag.length).split(':')[0]!)
    const breakdown = [...mem.byGroup]
      .sort((a, b) => b[1] - a[1])
      .map(([g, b]) => `${g} ${mb(b)}`)
      .join(', ')
    return { run, redisBytes, breakdown, keys: mem.keys, scripts }
  }

  async function bull(s: Scenario): Promise<BullMeasured> {
    await reset()
    const queue = new Queue(`${s.id}`, {
      connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
      prefix: BULL_PREFIX,
    })
    try {
      await queue.waitUntilReady()
      // One call first: BullMQ loads its scripts on first use; the measured calls find them loaded, as ours do.
      await queue.upsertJobScheduler('warm-up', { pattern: '0 0 0 * * *' }, { name: 'noop', opts: jobOpts })
      await queue.removeJobScheduler('warm-up')
      await sleep(200)
      const base = await usedMemory(probe)
      await probe.slowlog('RESET')
      await probe.config('RESETSTAT')
      const r = await callMany(s.n, (i) =>
        queue.upsertJobScheduler(
          `s${i}`,
          { pattern: s.crons[i]! },
          { name: 'noop', data: {}, opts: jobOpts },
        ),
      )
      const scripts = await scriptTime()
      await sleep(500)
      return { ...r, redisBytes: (await usedMemory(probe)) - base, scripts }
    } finally {
      await queue.close().catch(() => {})
    }
  }

  const rows: (string | number)[][] = []
  const scriptRows: (string | number)[][] = []
  const offenders: string[] = []
  const verdict: string[] = []
  const notes: string[] = []
  const timings: string[] = []
  try {
    api = await startApi({ DATABASE_URL, REDIS_URL: redis.url, REDIS_PREFIX: PREFIX })
    // Warm-up (JIT, pools, prepared statements, scripts loaded), not counted.
    {
      const t0 = performance.now()
      await reset()
      const wf = await createWorkflow(api, TENANT, 'warm-up')
      if (WARMUP_N > 0) {
        await createSchedules(api, WARMUP_N, (i) => ({
          tenant: TENANT,
          workflowId: wf,
          name: `warm-up-${i}`,
          cronExpression: `${rand(60)} ${rand(60)} ${rand(24)} * * *`,
        }))
      }
      timings.push(`warm-up ${fmtS(performance.now() - t0)}`)
    }

    const { tenSecond, perSecond, daily } = scenarios()
    const order = [tenSecond, perSecond, daily]
    const oursBy = new Map<string, Measured[]>(order.map((s) => [s.id, []]))
    const bullBy = new Map<string, BullMeasured[]>(order.map((s) => [s.id, []]))
    for (let r = 1; r <= RUNS; r++) {
      for (const s of order) {
        const t0 = performance.now()
        oursBy.get(s.id)!.push(await ours(s))
        const t1 = performance.now()
        bullBy.get(s.id)!.push(await bull(s))
        timings.push(`run ${r} ${s.id}: ours ${fmtS(t1 - t0)}, BullMQ ${fmtS(performance.now() - t1)}`)
      }
    }

    // Per run, each scenario against the daily one of the same run; the table shows the median run.
    const dailyRuns = oursBy.get('daily')!
    const ratioToDaily = (s: Scenario) => oursBy.get(s.id)!.map((m, r) => m.run.rate / dailyRuns[r]!.run.rate)
    for (const s of order) {
      const runs = oursBy.get(s.id)!
      const bulls = bullBy.get(s.id)!
      const m = medianBy(runs, (x) => x.run.rate)
      const b = medianBy(bulls, (x) => x.rate)
      const vsBull = median(runs.map((x, r) => x.run.rate / bulls[r]!.rate))
      const vsDaily = median(ratioToDaily(s))
      rows.push([
        s.label,
        'punctual, POST /api/schedules',
        num(m.run.ok),
        num(Math.round(m.run.rate)),
        runs.map((x) => num(Math.round(x.run.rate))).join(' / '),
        m.run.p50,
        m.run.p99,
        num(s.n - m.run.ok),
        mb(m.redisBytes),
        s === daily ? '100%' : pct(vsDaily),
        `${vsBull.toFixed(2)}×`,
      ])
      rows.push([
        s.label,
        'BullMQ upsertJobScheduler',
        num(s.n),
        num(Math.round(b.rate)),
        bulls.map((x) => num(Math.round(x.rate))).join(' / '),
        fmtMs(b.p50),
        fmtMs(b.p99),
        0,
        mb(b.redisBytes),
        '—',
        '1.00×',
      ])
      notes.push(`${s.id}: Redis keys of ours after the median run (MEMORY USAGE, MB): ${m.breakdown}`)
      const refusal = runs.find((x) => x.run.firstError)?.run.firstError
      if (refusal) notes.push(`${s.id}: first refused create: ${refusal}`)
      addScripts(
        s.label,
        runs.map((x) => x.scripts),
        bulls.map((x) => x.scripts),
      )
    }
    for (const s of [tenSecond, perSecond]) {
      const ratios = ratioToDaily(s)
      const med = median(ratios)
      verdict.push(
        `${s.label}: ${pct(med)} of the daily schedules' creates/s (median of ${RUNS} runs: ${ratios.map(pct).join(', ')}; target ≥ 50%: ${med >= 0.5 ? 'met' : 'NOT met'}); BullMQ ratio ours/BullMQ ${median(oursBy.get(s.id)!.map((x, r) => x.run.rate / bullBy.get(s.id)!.at(r)!.rate)).toFixed(2)}× (no target)`,
      )
    }
    {
      const bytes = medianBy(oursBy.get('per-second')!, (x) => x.redisBytes).redisBytes
      verdict.push(
        `Redis memory after ${num(PER_SECOND_N)} per-second schedules: ${mb(bytes)} MB${PER_SECOND_N === 1000 ? ` (target ≤ 20 MB: ${bytes <= 20 * 2 ** 20 ? 'met' : 'NOT met'})` : ' (target is for 1,000)'}; BullMQ ${mb(medianBy(bullBy.get('per-second')!, (x) => x.redisBytes).redisBytes)} MB`,
      )
    }

    if (MEMORY_N > 0) {
      const s = hourlyScenario(MEMORY_N, MEMORY_TENANTS)
      const t0 = performance.now()
      const m = await ours(s)
      const t1 = performance.now()
      const b = await bull({ ...s, id: 'hourly' })
      timings.push(`hourly over tenants: ours ${fmtS(t1 - t0)}, BullMQ ${fmtS(performance.now() - t1)}`)
      rows.push([
        s.label,
        'punctual, POST /api/schedules',
        num(m.run.ok),
        num(Math.round(m.run.rate)),
        '(1 run)',
        m.run.p50,
        m.run.p99,
        num(s.n - m.run.ok),
        mb(m.redisBytes),
        '—',
        `${(m.run.rate / b.rate).toFixed(2)}×`,
      ])
      rows.push([
        s.label,
        'BullMQ upsertJobScheduler (one queue)',
        num(s.n),
        num(Math.round(b.rate)),
        '(1 run)',
        fmtMs(b.p50),
        fmtMs(b.p99),
        0,
        mb(b.redisBytes),
        '—',
        '1.00×',
      ])
      notes.push(`hourly over tenants: Redis keys of ours (MEMORY USAGE, MB): ${m.breakdown}`)
      if (m.run.firstError) notes.push(`hourly over tenants: first refused create: ${m.run.firstError}`)
      addScripts(s.label, [m.scripts], [b.scripts])
      const target = MEMORY_N === 100_000 && MEMORY_TENANTS === 1_000
      verdict.push(
        `Redis memory after ${num(MEMORY_N)} hourly schedules over ${num(MEMORY_TENANTS)} tenants: ${mb(m.redisBytes)} MB${target ? ` (target ≤ 50 MB: ${m.redisBytes <= 50 * 2 ** 20 ? 'met' : 'NOT met'})` : ' (target is for 100,000 over 1,000 tenants)'}; BullMQ ${mb(b.redisBytes)} MB`,
      )
    }

    verdict.push(
      offenders.length === 0
        ? `No project script over ${SCRIPT_LIMIT_US / 1000} ms on the private Redis in ${RUNS} run${RUNS === 1 ? '' : 's'} of the creation scenarios (target: met)`
        : `Project scripts over ${SCRIPT_LIMIT_US / 1000} ms (target: none in ${RUNS} runs: NOT met): ${offenders.join('; ')}`,
    )
  } finally {
    await api?.stop().catch(() => {})
    await redis.stop().catch(() => {})
    await db.close().catch(() => {})
  }
  timings.push(`whole section ${fmtS(performance.now() - sectionStart)}`)

  function addScripts(label: string, runs: ScriptTime[], bullRuns: ScriptTime[]) {
    const all = runs.flatMap((x) => x.entries)
    const labels = [...new Set(all.map((e) => e.label))].sort()
    for (const name of labels) {
      const mine = all.filter((e) => e.label === name)
      const us = mine.map((e) => e.us).sort((a, b) => a - b)
      const runsOver = runs.filter((x) => x.entries.some((e) => e.label === name && e.us > SCRIPT_LIMIT_US))
      const project = mine[0]!.project
      if (project && runsOver.length > 0) {
        offenders.push(
          `${name} in "${label}": max ${num(us.at(-1)!)} µs, over 5 ms in ${runsOver.length} of ${runs.length} runs`,
        )
      }
      scriptRows.push([
        label,
        project ? name : `${name} (not a project script)`,
        mine.length,
        num(us.at(-1)!),
        num(percentile(us, 99.9)),
        `${runsOver.length} of ${runs.length}`,
        innerSummary(mine.flatMap((e) => e.inner)),
      ])
    }
    if (labels.length === 0) {
      scriptRows.push([label, '(no call over 1 ms)', 0, '—', '—', `0 of ${runs.length}`, '—'])
    }
    // Every script call over 1 ms is in the log, so the p99.9 of all calls is read from it when above 1 ms.
    const calls = runs.reduce((a, x) => a + x.calls, 0)
    const usec = runs.reduce((a, x) => a + x.usec, 0)
    const logged = all
      .filter((e) => e.project)
      .map((e) => e.us)
      .sort((a, b) => b - a)
    const fromTop = calls - Math.ceil(0.999 * calls)
    const p999All =
      calls === 0 ? '—' : fromTop < logged.length ? `${num(logged[fromTop]!)} µs` : `under ${SLOWLOG_US} µs`
    const bullAll = bullRuns
      .flatMap((x) => x.entries)
      .map((e) => e.us)
      .sort((a, b) => a - b)
    const bullCalls = bullRuns.reduce((a, x) => a + x.calls, 0)
    const bullUsec = bullRuns.reduce((a, x) => a + x.usec, 0)
    notes.push(
      `${label}: script calls (INFO commandstats, EVALSHA + EVAL, all scripts, ${runs.length} run${runs.length === 1 ? '' : 's'}): ours ${num(calls)} calls, mean ${calls ? (usec / calls).toFixed(0) : '—'} µs, p99.9 of all calls ${p999All}${runs.some((x) => x.full) ? ' (the slow log was full: counts are lower bounds)' : ''}; BullMQ ${num(bullCalls)} calls, mean ${bullCalls ? (bullUsec / bullCalls).toFixed(0) : '—'} µs, ${num(bullAll.length)} over 1 ms${bullAll.length ? `, max ${num(bullAll.at(-1)!)} µs` : ''}`,
    )
  }

  return {
    id: 'schedules',
    title: 'Creating schedules as users do (HTTP, c=50) vs BullMQ upsertJobScheduler',
    method: [
      `Our API runs as its production bundle (scripts/bundle.mjs, as \`pnpm start:api\` runs it) in its own process, LOG_LEVEL=warn, API_RATE_LIMIT_PER_MINUTE raised (the limiter still counts every request in Redis), TENANT_MAX_SCHEDULES raised; Postgres database ${new URL(DATABASE_URL).pathname.slice(1)} (truncated before each scenario), Redis a private redis-server started by the bench on its own port (\`--save "" --appendonly no --slowlog-log-slower-than ${SLOWLOG_US} --slowlog-max-len 100000\`), emptied (FLUSHALL) before each scenario; the API's scripts stay loaded.${process.env.BENCH_REDIS_OWN_CORE === undefined ? '' : ` This run: BENCH_REDIS_OWN_CORE=${process.env.BENCH_REDIS_OWN_CORE}, the redis-server pinned to that CPU at real-time priority (\`chrt -f 10 taskset -c ${process.env.BENCH_REDIS_OWN_CORE}\`), as if it had a core of its own: no other process preempts it inside a command.`}`,
      `Everything is created the way a user creates it: workflows with POST /api/workflows, schedules with POST /api/schedules (the API's create service: validation, next fire, conflict index, due-index entry, INSERT), ${IN_FLIGHT} requests in flight (autocannon, ${IN_FLIGHT} keep-alive connections, each schedule sent exactly once), admin JWTs minted per tenant as \`pnpm token\` mints them. One workflow per scenario (one per tenant in the tenants scenario); every schedule has a unique name. Before the first scenario, ${num(WARMUP_N)} daily creates warm the API up (not counted).`,
      `creates/s = 2xx answers / (first request sent → last answer); "not created" = requests not answered 201 (refused, timed out; the first refusal's body is in the notes); p50/p99 are autocannon's per-request latencies (whole ms). ${RUNS} runs, each runs every scenario once in the order shown (ours, then BullMQ); the table shows the run with the median creates/s (all runs in the "runs" column) and "vs daily" is the median over runs of the ratio to the daily scenario of the same run.`,
      `BullMQ: \`queue.upsertJobScheduler(id, { pattern }, { name, data: {}, opts: { removeOnComplete, removeOnFail } })\` with the same crons, called directly from the bench process, ${IN_FLIGHT} calls in flight, one queue, on the same private Redis (emptied before); its scripts loaded by one call first; latencies per call.`,
      'Redis MB = INFO memory `used_memory` after the scenario minus before it (after the workflows were created), with nothing else on the server: everything the creates left (due index, conflict index, rate-limit counters). The breakdown per key family in the notes is MEMORY USAGE (SAMPLES 20) summed by key name.',
      `Script time: the slow log (every command over ${SLOWLOG_US / 1000} ms) read after each scenario; each EVALSHA is named after the project script with that sha1 (packages/queue's script loader: the expanded text of \`scripts/<name>-<NKEYS>.lua\`), an EVAL by the start of its text. Per script: calls over 1 ms summed over the runs, the max, and the p99.9 of those logged calls (not of all calls: calls under 1 ms are not logged); "runs over 5 ms" counts runs where the script had a call over 5 ms. Averages over all script calls (INFO commandstats, EVALSHA and EVAL together, all scripts) and the p99.9 of all calls (read from the log when above 1 ms) are in the notes.`,
      ...notes,
      `Run time: ${timings.join(', ')}.`,
    ],
    headers: [
      'scenario',
      'system',
      'created',
      'creates/s',
      'runs (creates/s)',
      'p50 ms',
      'p99 ms',
      'not created',
      'Redis MB',
      'vs daily',
      'ours/BullMQ',
    ],
    rows,
    tables: [
      {
        title: `Time inside Redis per script (slow log over ${SLOWLOG_US / 1000} ms, private redis-server)`,
        headers: [
          'scenario',
          'script',
          'calls over 1 ms',
          'max µs',
          'p99.9 of logged µs',
          'runs over 5 ms',
          'its commands over 1 ms (count, max µs)',
        ],
        rows: scriptRows,
      },
    ],
    verdict,
  }
}

/** The commands scripts ran that were over 1 ms themselves, slowest first: `ZRANGEBYSCORE ×86 max 87,560`. */
function innerSummary(inner: { command: string; us: number }[]): string {
  const by = new Map<string, { count: number; max: number }>()
  for (const { command, us } of inner) {
    const x = by.get(command) ?? { count: 0, max: 0 }
    by.set(command, { count: x.count + 1, max: Math.max(x.max, us) })
  }
  if (by.size === 0) return '—'
  return [...by]
    .sort((a, b) => b[1].max - a[1].max)
    .slice(0, 3)
    .map(([c, x]) => `${c} ×${num(x.count)} max ${num(x.max)}`)
    .join(', ')
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)]!
}

/** The element with the median key (the lower one of an even count). */
function medianBy<T>(xs: T[], key: (x: T) => number): T {
  const s = [...xs].sort((a, b) => key(a) - key(b))
  return s[Math.floor((s.length - 1) / 2)]!
}

const num = (x: number) => x.toLocaleString('en-US')
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)
const pct = (x: number) => `${(x * 100).toFixed(0)}%`
const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))
