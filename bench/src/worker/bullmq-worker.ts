/**
 * The BullMQ peer of the worker benchmark, run as its own process (spawned by ../worker.ts with an IPC channel)
 * so it shares no event loop with the harness, as our worker processes do not either.
 *
 * Env: BULL_QUEUE, BULL_PREFIX, REDIS_URL, BULL_CONCURRENCY. A Worker with a no-op processor. For every job it
 * keeps the intended time (a scheduler job's due time, `opts.prevMillis`, which is also the last segment of its
 * id `repeat:<scheduler id>:<due ms>`; for a plain job its `timestamp`) and `processedOn` (set by BullMQ when
 * the job moved to active); the completion time is taken on the `completed` event (after moveToCompleted).
 * Messages: → `{ type: 'ready' }` once the worker runs; ← `{ type: 'report' }` → `{ type: 'report', ... }`.
 */
import { Worker } from 'bullmq'

const name = process.env.BULL_QUEUE!
const prefix = process.env.BULL_PREFIX!
const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0')
const concurrency = Number(process.env.BULL_CONCURRENCY ?? 50)
const connection = {
  host: url.hostname,
  port: Number(url.port || 6379),
  db: Number(url.pathname.slice(1) || 0),
  maxRetriesPerRequest: null,
}

// Growable columns: due time and processedOn of each job; completion is tracked as count + last time.
let due: number[] = []
let processed: number[] = []
let completed = 0
let firstProcessedOn = Number.POSITIVE_INFINITY
let lastCompletedAt = 0

function intendedTime(job: { id?: string; timestamp: number; opts: { prevMillis?: number } }): number {
  if (typeof job.opts.prevMillis === 'number') return job.opts.prevMillis
  const tail = job.id?.startsWith('repeat:') ? Number(job.id.slice(job.id.lastIndexOf(':') + 1)) : Number.NaN
  return Number.isFinite(tail) ? tail : job.timestamp
}

const worker = new Worker(
  name,
  async (job) => {
    const processedOn = job.processedOn ?? Date.now()
    due.push(intendedTime(job))
    processed.push(processedOn)
    if (processedOn < firstProcessedOn) firstProcessedOn = processedOn
  },
  { connection, prefix, concurrency, autorun: false },
)
worker.on('completed', () => {
  completed++
  lastCompletedAt = Date.now()
})
worker.on('error', (err) => console.error(`bullmq worker ${process.pid}: ${err.message}`))

process.on('message', (msg: { type: string; full?: boolean }) => {
  if (msg.type !== 'report') return
  const report = {
    type: 'report',
    completed,
    firstProcessedOn: Number.isFinite(firstProcessedOn) ? firstProcessedOn : null,
    lastCompletedAt: lastCompletedAt || null,
    ...(msg.full ? { due, processed } : {}),
  }
  if (msg.full) {
    due = []
    processed = []
  }
  process.send?.(report)
})

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}

await worker.waitUntilReady()
void worker.run()
process.send?.({ type: 'ready' })
