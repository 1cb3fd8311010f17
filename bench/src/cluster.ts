import os from 'node:os'
import { createDb, ensureDatabase, migrate } from '@punctual/db'
import { createRedis, waitForReady } from '@punctual/queue'
import { startTestCluster } from '@punctual/queue/testing-topologies'
import { type BenchSection, percentile } from './report.ts'
import { buildWorkers } from './worker/procs.ts'
import { type Ctx, type LagResult, lag10Spec, oursLag } from './worker.ts'

// Issue 19: the worker section's 10,000 × every-10-s firing-lag scenario (schedules created through the API,
// one worker) on a single Redis and on a local 3-master Redis Cluster, in the same run. Knobs: those of the
// worker section (BENCH_WORKER_LAG10_N, BENCH_WORKER_LAG10_WINDOW_S, BENCH_WORKER_CONCURRENCY,
// BENCH_REDIS_URL), BENCH_CLUSTER_MASTERS (default 3) and BENCH_CLUSTER_DATABASE_URL (its own database).
const DATABASE_URL =
  process.env.BENCH_CLUSTER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_cluster'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const MASTERS = Number(process.env.BENCH_CLUSTER_MASTERS ?? 3)

const fmtMs = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–')
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

function row(system: string, r: LagResult, windowMs: number): (string | number)[] {
  return [
    system,
    r.created,
    r.expected,
    r.missed,
    fmtMs(percentile(r.lags, 50)),
    fmtMs(percentile(r.lags, 99)),
    fmtMs(r.lags.at(-1) ?? Number.NaN),
    (r.ok / (windowMs / 1000)).toFixed(0),
    r.rssMax.toFixed(0),
    mb(r.redisBytes),
  ]
}

export async function run(): Promise<BenchSection> {
  const started = performance.now()
  await buildWorkers()
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL, { max: 4, applicationName: 'punctual-bench-cluster' })
  const single = createRedis(REDIS_URL, { name: 'bench:cluster:single' })
  const cluster = await startTestCluster({ masters: MASTERS, replicas: 0 })
  const clustered = createRedis(cluster.connection, { name: 'bench:cluster' })
  const spec = lag10Spec()
  const notes: string[] = []
  const verdict: string[] = []
  const rows: (string | number)[][] = []
  try {
    await Promise.all([waitForReady(single, 5000), waitForReady(clustered, 5000)])
    const runs: [string, Ctx][] = [
      [`single Redis (${new URL(REDIS_URL).host})`, { db, redis: single, env: { DATABASE_URL } }],
      [
        `Redis Cluster, ${MASTERS} local masters`,
        { db, redis: clustered, env: { DATABASE_URL, ...cluster.env } },
      ],
    ]
    const results: LagResult[] = []
    for (const [system, ctx] of runs) {
      const r = await oursLag(ctx, spec, 'api')
      results.push(r)
      rows.push(row(system, r, spec.windowMs))
      notes.push(...r.notes.map((x) => `${system}: ${x}`), `${system}: Redis ${r.redisBreakdown}`)
    }
    const [a, b] = results as [LagResult, LagResult]
    const p99 = (r: LagResult) => percentile(r.lags, 99)
    verdict.push(
      `${spec.label} on a ${MASTERS}-master cluster: ${b.missed} missed of ${b.expected}, p99 ${fmtMs(p99(b))} ms vs ${fmtMs(p99(a))} ms on a single Redis (${(p99(b) / p99(a)).toFixed(2)}×). One deployment's keys share one hash slot, so one master serves them all: a cluster adds failover, not throughput, to one deployment.`,
    )
  } finally {
    clustered.disconnect()
    single.disconnect()
    await cluster.stop()
    await db.close().catch(() => {})
  }
  return {
    id: 'cluster',
    title: 'Redis Cluster: firing lag on a 3-master cluster beside a single Redis',
    method: [
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; everything shares these cores.`,
      `The worker section's scenario "${spec.label}" (bench/src/worker.ts oursLag, path "created through the API"), run twice in a row: on the shared single Redis, then on a Redis Cluster of ${MASTERS} masters without replicas started by the bench on free local ports (redis-server children in a temp dir, redis-cli --cluster create, removed afterwards; @punctual/queue/testing-topologies). The API and the worker processes get REDIS_CLUSTER_NODES on the cluster run, REDIS_URL on the other; the harness measures Redis CPU (INFO cpu) and memory (MEMORY USAGE) on the master of the deployment's hash slot.`,
      ...notes,
      `Run time: ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    ],
    headers: [
      'Redis',
      'schedules created',
      'fires expected',
      'missed',
      'lag p50 ms',
      'lag p99 ms',
      'lag max ms',
      'fires/s',
      'worker RSS MB',
      'Redis MB',
    ],
    rows,
    verdict,
  }
}
