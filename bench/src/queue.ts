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
 * Queue operation latency (issue 3, "Queue operation latency"): enqueue, claim and ack with 8 concurrent
 * clients on a queue already holding 100,000 items, ours and BullMQ on the same Redis in the same run.
 * Each client loops enqueue one → claim one → ack it, timing each call; the queue stays at 100,000.
 */

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const PRELOAD = Number(process.env.BENCH_QUEUE_PRELOAD ?? 100_000)
const CLIENTS = 8
const CYCLES = Number(process.env.BENCH_QUEUE_CYCLES ?? 2_000)
const WARMUP_CYCLES = 200
const LEASE_MS = 30_000
const TARGET_P99_MS = 3
const T0 = Date.UTC(2026, 0, 1)

type Op = 'enqueue' | 'claim' | 'ack'
type Samples = Record<Op, number[]>

const newSamples = (): Samples => ({ enqueue: [], claim: [], ack: [] })

async function timed<T>(into: number[] | null, fn: () => Promise<T>): Promise<T> {
  const start = performance.now()
  const result = await fn()
  into?.push(performance.now() - start)
  return result
}

function payload(i: number): EnqueueItem {
  return {
    id: randomUUID(),
    priority: i % 10,
    scheduledForMs: T0 + i,
    attempt: 1,
    tenant: 'bench',
    workflowId: '00000000-0000-7000-8000-000000000001',
    kind: 'manual',
  }
}

async function runOurs(): Promise<{ samples: Samples; preloadMs: number; sizeAfter: number }> {
  const keys = createKeys(`bench-queue-${process.pid}`)
  const admin = createRedis(REDIS_URL, { name: 'bench:queue:admin' })
  const clients: Redis[] = []
  try {
    await waitForReady(admin, 5000)
    await deleteMatching(admin, keys.scanPattern)
    const queue = createExecutionQueue(admin, keys)
    const preloadStart = performance.now()
    for (let i = 0; i < PRELOAD; i += 500) {
      const batch = Array.from({ length: Math.min(500, PRELOAD - i) }, (_, j) => payload(i + j))
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
        await timed(record ? samples.enqueue : null, () => q.enqueue([payload(counter++)], now))
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

async function runBullmq(): Promise<{ samples: Samples; preloadMs: number; sizeAfter: number }> {
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

export async function run(): Promise<BenchSection> {
  const ours = await runOurs()
  const bull = await runBullmq()

  const rows: (string | number)[][] = []
  const verdict: string[] = []
  const ops: [Op, string][] = [
    ['enqueue', 'enqueue (1 item) / queue.add'],
    ['claim', 'claim (dequeue 1, 30 s lease) / worker.getNextJob'],
    ['ack', 'ack / job.moveToCompleted'],
  ]
  for (const [op, label] of ops) {
    const a = [...ours.samples[op]].sort((x, y) => x - y)
    const b = [...bull.samples[op]].sort((x, y) => x - y)
    const [a50, a99, b50, b99] = [percentile(a, 50), percentile(a, 99), percentile(b, 50), percentile(b, 99)]
    rows.push([
      label,
      'punctual',
      a.length,
      fmt(a50),
      fmt(a99),
      fmt(a[a.length - 1]!),
      (a99 / b99).toFixed(2),
    ])
    rows.push([
      label,
      `BullMQ ${bullmqVersion()}`,
      b.length,
      fmt(b50),
      fmt(b99),
      fmt(b[b.length - 1]!),
      '1.00',
    ])
    verdict.push(
      `${op}: p99 ${fmt(a99)} ms (target ≤ ${TARGET_P99_MS} ms: ${a99 <= TARGET_P99_MS ? 'met' : 'NOT met'}); BullMQ p99 ${fmt(b99)} ms, p50 ${fmt(a50)} vs ${fmt(b50)} ms`,
    )
  }
  verdict.push(
    `Preloading ${PRELOAD.toLocaleString('en-US')} items: ours ${(ours.preloadMs / 1000).toFixed(1)} s (enqueue, 500 per call), BullMQ ${(bull.preloadMs / 1000).toFixed(1)} s (addBulk, 1,000 per call). Queue size after the run: ours ${ours.sizeAfter}, BullMQ ${bull.sizeAfter}.`,
  )

  return {
    id: 'queue',
    title: 'Queue operation latency (8 clients, 100,000 items queued)',
    method: [
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, Redis at ${new URL(REDIS_URL).host} shared with the load generator.`,
      `${CLIENTS} clients in one process (async concurrency, not 8 processes), each with its own connections: ours one ioredis connection per client (the production createRedis options); BullMQ one Queue and one Worker per client (its own ioredis connections).`,
      `The queue is preloaded with ${PRELOAD.toLocaleString('en-US')} items (priorities 0-9 spread evenly, distinct scheduled times); each client then runs ${WARMUP_CYCLES} warm-up cycles and ${CYCLES.toLocaleString('en-US')} timed cycles of enqueue one → claim one → ack it, so the queue stays at ${PRELOAD.toLocaleString('en-US')} and every claim is a priority-ordered pick among them.`,
      'Ours: enqueue([item]) / dequeue({ count: 1, leaseMs: 30000 }) (also promotes due delayed and reclaims expired leases, bounded) / ack({ id, claim }) — one Lua script call each. BullMQ: queue.add with a priority / Worker without processor, getNextJob(token, { block: false }) / job.moveToCompleted(result, token, false), lockDuration 30 s, removeOnComplete (no history kept, like our ack; Postgres keeps ours).',
      'Latency is measured around each awaited call in the client process, so it includes the client library and event-loop queueing among the 8 clients.',
    ],
    headers: ['operation', 'system', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs BullMQ'],
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
