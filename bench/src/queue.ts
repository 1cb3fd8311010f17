import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import {
  createExecutionQueue,
  createKeys,
  createRedis,
  type EnqueueItem,
  type Redis,
  waitForReady,
} from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import { Queue, Worker } from 'bullmq'
import { type BenchSection, percentile } from './report.ts'

/**
 * Queue operation latency (issue 3, "Queue operation latency"; issue 13: the items spread over 1 and over
 * 1,000 tenants): enqueue, claim and ack with 8 concurrent clients on a queue already holding 100,000 items,
 * ours and BullMQ on the same Redis in the same run. Each client loops enqueue one → claim one → ack it,
 * timing each call; the queue stays at 100,000.
 */

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const PRELOAD = Number(process.env.BENCH_QUEUE_PRELOAD ?? 100_000)
const CLIENTS = 8
const CYCLES = Number(process.env.BENCH_QUEUE_CYCLES ?? 2_000)
const WARMUP_CYCLES = 200
const LEASE_MS = 30_000
const TARGET_P99_MS = 3
const T0 = Date.UTC(2026, 0, 1)
/** Our queue is measured once per tenant count (items spread round-robin over that many tenants). */
const TENANT_COUNTS = (process.env.BENCH_QUEUE_TENANTS ?? '1,1000').split(',').map(Number)

type Op = 'enqueue' | 'claim' | 'ack'
type Samples = Record<Op, number[]>

const newSamples = (): Samples => ({ enqueue: [], claim: [], ack: [] })

async function timed<T>(into: number[] | null, fn: () => Promise<T>): Promise<T> {
  const start = performance.now()
  const result = await fn()
  into?.push(performance.now() - start)
  return result
}

/**
 * Item i belongs to tenant i mod `tenants` (each tenant has one workflow) and has priority ⌊i / tenants⌋ mod 10,
 * so every tenant's items spread evenly over the 10 priorities (with one tenant: i mod 10, as before).
 */
function payload(i: number, tenants = 1): EnqueueItem {
  const t = i % tenants
  return {
    id: randomUUID(),
    priority: Math.floor(i / tenants) % 10,
    scheduledForMs: T0 + i,
    attempt: 1,
    tenant: tenants === 1 ? 'bench' : `bench-${t}`,
    workflowId: `00000000-0000-7000-8000-${String(t + 1).padStart(12, '0')}`,
    kind: 'manual',
  }
}

interface Run {
  samples: Samples
  preloadMs: number
  sizeAfter: number
}

async function runOurs(tenants: number): Promise<Run> {
  const keys = createKeys(`bench-queue-${process.pid}-${tenants}`)
  const admin = createRedis(REDIS_URL, { name: 'bench:queue:admin' })
  const clients: Redis[] = []
  try {
    await waitForReady(admin, 5000)
    await deleteMatching(admin, keys.scanPattern)
    const queue = createExecutionQueue(admin, keys)
    const preloadStart = performance.now()
    for (let i = 0; i < PRELOAD; i += 500) {
      const batch = Array.from({ length: Math.min(500, PRELOAD - i) }, (_, j) => payload(i + j, tenants))
      await queue.enqueue(batch, T0)
    }
    const preloadMs = performance.now() - preloadStart

    for (let c = 0; c < CLIENTS; c++) {
      const redis = createRedis(REDIS_URL, { name: `bench:queue:${c}` })
      await waitForReady(redis, 5000)
      clients.push(redis)
    }
    const samples = newSamples()
    let counter = PRELOAD
    const loop = async (redis: Redis, c: number, cycles: number, record: boolean) => {
      const q = createExecutionQueue(redis, keys)
      const workerId = `bench-worker-${c}`
      for (let k = 0; k < cycles; k++) {
        const now = T0 + 1000 + k
        await timed(record ? samples.enqueue : null, () => q.enqueue([payload(counter++, tenants)], now))
        const { items } = await timed(record ? samples.claim : null, () =>
          q.dequeue({ workerId, count: 1, leaseMs: LEASE_MS, now }),
        )
        const e = items[0]
        if (!e) throw new Error('our queue ran dry')
        const res = await timed(record ? samples.ack : null, () =>
          q.ack({ workerId, id: e.id, claim: e.claim }),
        )
        if (!res.ok) throw new Error(`ack refused: ${JSON.stringify(res)}`)
      }
    }
    await Promise.all(clients.map((r, c) => loop(r, c, WARMUP_CYCLES, false)))
    await Promise.all(clients.map((r, c) => loop(r, c, CYCLES, true)))
    const sizeAfter = await queue.size()
    return { samples, preloadMs, sizeAfter }
  } finally {
    for (const c of clients) c.disconnect()
    await deleteMatching(admin, keys.scanPattern).catch(() => {})
    admin.disconnect()
  }
}

async function runBullmq(): Promise<Run> {
  const url = new URL(REDIS_URL)
  const connection = {
    host: url.hostname,
    port: Number(url.port || 6379),
    db: Number(url.pathname.slice(1) || 0),
    maxRetriesPerRequest: null,
  }
  const prefix = `bench-bull-${process.pid}`
  const name = `queue-latency-${randomUUID().slice(0, 8)}`
  const jobOpts = { removeOnComplete: true, removeOnFail: true }
  const admin = new Queue(name, { connection, prefix })
  const queues: Queue[] = []
  const workers: Worker[] = []
  try {
    await admin.waitUntilReady()
    const preloadStart = performance.now()
    for (let i = 0; i < PRELOAD; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, PRELOAD - i) }, (_, j) => {
        const p = payload(i + j)
        // BullMQ: 1 is the highest priority; ours: 9 is.
        return { name: 'run', data: p, opts: { ...jobOpts, priority: 10 - p.priority } }
      })
      await admin.addBulk(batch)
    }
    const preloadMs = performance.now() - preloadStart

    for (let c = 0; c < CLIENTS; c++) {
      const queue = new Queue(name, { connection, prefix })
      const worker = new Worker(name, null, { connection, prefix, autorun: false, lockDuration: LEASE_MS })
      await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()])
      queues.push(queue)
      workers.push(worker)
    }
    const samples = newSamples()
    let counter = PRELOAD
    const loop = async (c: number, cycles: number, record: boolean) => {
      const queue = queues[c]!
      const worker = workers[c]!
      const token = `bench-worker-${c}`
      for (let k = 0; k < cycles; k++) {
        const p = payload(counter++)
        await timed(record ? samples.enqueue : null, () =>
          queue.add('run', p, { ...jobOpts, priority: 10 - p.priority }),
        )
        const job = await timed(record ? samples.claim : null, () =>
          worker.getNextJob(token, { block: false }),
        )
        if (!job) throw new Error('BullMQ queue ran dry')
        await timed(record ? samples.ack : null, () => job.moveToCompleted('ok', token, false))
      }
    }
    await Promise.all(workers.map((_, c) => loop(c, WARMUP_CYCLES, false)))
    await Promise.all(workers.map((_, c) => loop(c, CYCLES, true)))
    const counts = await admin.getJobCounts('wait', 'prioritized', 'active', 'delayed')
    const sizeAfter = Object.values(counts).reduce((a, b) => a + b, 0)
    return { samples, preloadMs, sizeAfter }
  } finally {
    await Promise.all(workers.map((w) => w.close(true).catch(() => {})))
    await Promise.all(queues.map((q) => q.close().catch(() => {})))
    await admin.obliterate({ force: true }).catch(() => {})
    await admin.close().catch(() => {})
    const cleaner = createRedis(REDIS_URL, { name: 'bench:queue:cleanup' })
    await waitForReady(cleaner, 5000)
    await deleteMatching(cleaner, `${prefix}:*`)
    cleaner.disconnect()
  }
}

const fmt = (ms: number) => ms.toFixed(2)
const num = (x: number) => x.toLocaleString('en-US')
const tenantsLabel = (t: number) => `${num(t)} tenant${t === 1 ? '' : 's'}`

export async function run(): Promise<BenchSection> {
  const ours: { tenants: number; run: Run }[] = []
  for (const tenants of TENANT_COUNTS) ours.push({ tenants, run: await runOurs(tenants) })
  const bull = await runBullmq()

  const rows: (string | number)[][] = []
  const verdict: string[] = []
  const ops: [Op, string][] = [
    ['enqueue', 'enqueue (1 item) / queue.add'],
    ['claim', 'claim (dequeue 1, 30 s lease) / worker.getNextJob'],
    ['ack', 'ack / job.moveToCompleted'],
  ]
  const stats = (samples: number[]) => {
    const a = [...samples].sort((x, y) => x - y)
    return { n: a.length, p50: percentile(a, 50), p99: percentile(a, 99), max: a[a.length - 1]! }
  }
  for (const [op, label] of ops) {
    const b = stats(bull.samples[op])
    const first = stats(ours[0]!.run.samples[op])
    const mine = ours.map(({ tenants, run }) => ({ tenants, ...stats(run.samples[op]) }))
    for (const a of mine) {
      rows.push([
        label,
        `punctual, ${tenantsLabel(a.tenants)}`,
        a.n,
        fmt(a.p50),
        fmt(a.p99),
        fmt(a.max),
        (a.p99 / b.p99).toFixed(2),
        (a.p99 / first.p99).toFixed(2),
      ])
    }
    rows.push([label, `BullMQ ${bullmqVersion()}`, b.n, fmt(b.p50), fmt(b.p99), fmt(b.max), '1.00', '—'])
    const met = mine.every((a) => a.p99 <= TARGET_P99_MS)
    const each = mine
      .map((a) => `${tenantsLabel(a.tenants)} ${fmt(a.p99)} ms (${(a.p99 / b.p99).toFixed(2)}× BullMQ)`)
      .join(', ')
    const spread =
      mine.length > 1
        ? `; ${tenantsLabel(mine.at(-1)!.tenants)} / ${tenantsLabel(mine[0]!.tenants)}: ${(mine.at(-1)!.p99 / first.p99).toFixed(2)}×`
        : ''
    verdict.push(
      `${op}: p99 ${each} (target ≤ ${TARGET_P99_MS} ms each: ${met ? 'met' : 'NOT met'})${spread}; BullMQ p99 ${fmt(b.p99)} ms; p50 ${mine.map((a) => fmt(a.p50)).join(' / ')} vs ${fmt(b.p50)} ms`,
    )
  }
  const preloads = ours
    .map(({ tenants, run }) => `ours over ${tenantsLabel(tenants)} ${(run.preloadMs / 1000).toFixed(1)} s`)
    .join(', ')
  const sizes = ours
    .map(({ tenants, run }) => `ours over ${tenantsLabel(tenants)} ${run.sizeAfter}`)
    .join(', ')
  verdict.push(
    `Preloading ${num(PRELOAD)} items: ${preloads} (enqueue, 500 per call), BullMQ ${(bull.preloadMs / 1000).toFixed(1)} s (addBulk, 1,000 per call). Queue size after the run: ${sizes}, BullMQ ${bull.sizeAfter}.`,
  )

  return {
    id: 'queue',
    title: `Queue operation latency (8 clients, ${num(PRELOAD)} items queued, over ${TENANT_COUNTS.map(num).join(' and over ')} tenants)`,
    method: [
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, Redis at ${new URL(REDIS_URL).host} shared with the load generator.`,
      `${CLIENTS} clients in one process (async concurrency, not 8 processes), each with its own connections: ours one ioredis connection per client (the production createRedis options); BullMQ one Queue and one Worker per client (its own ioredis connections).`,
      `The queue is preloaded with ${num(PRELOAD)} items (distinct scheduled times); each client then runs ${WARMUP_CYCLES} warm-up cycles and ${num(CYCLES)} timed cycles of enqueue one → claim one → ack it, so the queue stays at ${num(PRELOAD)}.`,
      `Ours is measured once per tenant count (${TENANT_COUNTS.map(num).join(', ')}), each on a fresh key prefix: item i (preloaded or enqueued in the cycles) belongs to tenant i mod T, one workflow per tenant, priority ⌊i / T⌋ mod 10 (every tenant's items spread evenly over the 10 priorities). Ready executions sit in one queue per workflow and the tenants with ready work in a rotation (packages/queue/src/scripts/includes/execution.lua): each claim takes the best item (priority, then time) of the tenant at the front of the rotation and sends that tenant to the back; an ack frees the tenant's and workflow's slots. No caps set (no maxConcurrency, no TENANT_MAX_RUNNING), so the cap checks run but never hold anything back. BullMQ has no tenants: one priority queue (priorities 0-9 as ours with one tenant), measured once; both our rows are compared with it.`,
      'Ours: enqueue([item]) / dequeue({ count: 1, leaseMs: 30000 }) (also promotes due delayed and reclaims expired leases, bounded) / ack({ id, claim }) — one Lua script call each. BullMQ: queue.add with a priority / Worker without processor, getNextJob(token, { block: false }) / job.moveToCompleted(result, token, false), lockDuration 30 s, removeOnComplete (no history kept, like our ack; Postgres keeps ours).',
      `Order: ${TENANT_COUNTS.map((t) => `ours over ${tenantsLabel(t)}`).join(', ')}, then BullMQ, one after the other in one run (an earlier same-hour comparison saw the side that runs later get the higher enqueue p99).`,
      'Latency is measured around each awaited call in the client process, so it includes the client library and event-loop queueing among the 8 clients.',
    ],
    headers: [
      'operation',
      'system',
      'samples',
      'p50 ms',
      'p99 ms',
      'max ms',
      'p99 vs BullMQ',
      `p99 vs ${tenantsLabel(TENANT_COUNTS[0]!)}`,
    ],
    rows,
    verdict,
  }
}

function bullmqVersion(): string {
  try {
    // Read from the installed package, not hard-coded.
    const file = new URL('../node_modules/bullmq/package.json', import.meta.url)
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return ''
  }
}
