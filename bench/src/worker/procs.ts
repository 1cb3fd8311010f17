/**
 * Processes of the worker benchmark: our worker (apps/worker/src/main.ts built as `pnpm start:worker` builds
 * it: one esbuild bundle run as plain JavaScript) and the BullMQ peer (./bullmq-worker.ts, bundled the same
 * way, so neither process carries a TypeScript loader), an RSS sampler reading /proc, and the Redis memory of
 * a key pattern. `buildWorkers()` must run once before either is started.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Cluster, type QueueKeys, type Redis } from '@punctual/queue'
import { bundle, workerNodeFlags } from '../../../scripts/bundle.mjs'

export const root = fileURLToPath(new URL('../../../', import.meta.url))
const bundleDir = fileURLToPath(new URL('../../dist/', import.meta.url))
const ourBundle = `${bundleDir}worker/main.js`
const bullBundle = `${bundleDir}bullmq/bullmq-worker.js`

/** Builds both workers' bundles (scripts/bundle.mjs, the production build of our worker). */
export async function buildWorkers(): Promise<void> {
  await bundle('apps/worker/src/main.ts', ourBundle)
  await bundle('bench/src/worker/bullmq-worker.ts', bullBundle)
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface OurWorker {
  id: string
  child: ChildProcess
  /** Log lines at warn or above, by message. */
  warnings: Map<string, number>
  stop(): Promise<void>
}

export function startOurWorker(id: string, env: Record<string, string>): OurWorker {
  // BENCH_WORKER_NODE_FLAGS: extra node flags for our worker (e.g. `--cpu-prof --cpu-prof-dir=prof` to profile).
  const extra = process.env.BENCH_WORKER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []
  const child = spawn(process.execPath, [...workerNodeFlags, ...extra, ourBundle], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', WORKER_ID: id, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const warnings = new Map<string, number>()
  const note = (msg: string) => warnings.set(msg, (warnings.get(msg) ?? 0) + 1)
  let buffer = ''
  child.stdout!.on('data', (d) => {
    buffer += d
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      if (!line) continue
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown }
        if ((entry.level ?? 0) >= 40)
          note(
            `${entry.msg}${entry.err ? ` (${(typeof entry.err === 'string' ? entry.err : JSON.stringify(entry.err)).slice(0, 120)})` : ''}`,
          )
      } catch {
        note(line.slice(0, 200))
      }
    }
  })
  child.stderr!.on('data', (d) => {
    const text = String(d).trim()
    if (text) note(`stderr: ${text.slice(0, 200)}`)
  })
  return { id, child, warnings, stop: () => stopChild(child) }
}

export async function stopChild(child: ChildProcess, timeoutMs = 40_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  await exited
  clearTimeout(timer)
}

/** Resolves once every worker has published its heartbeat (it does so right after its loops started). */
export async function waitForHeartbeats(
  redis: Redis,
  workersKey: string,
  workers: OurWorker[],
  timeoutMs = 120_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const present = await Promise.all(workers.map((w) => redis.hexists(workersKey, w.id)))
    if (present.every((p) => p === 1)) return Date.now()
    for (const w of workers) {
      if (w.child.exitCode !== null) {
        throw new Error(`worker ${w.id} exited (${w.child.exitCode}): ${[...w.warnings.keys()].join('; ')}`)
      }
    }
    if (Date.now() > deadline) throw new Error('workers did not come up in time')
    await sleep(100)
  }
}

export interface BullReport {
  completed: number
  firstProcessedOn: number | null
  lastCompletedAt: number | null
  due?: number[]
  processed?: number[]
}

export interface BullWorker {
  child: ChildProcess
  ready: Promise<number>
  report(full?: boolean): Promise<BullReport>
  stop(): Promise<void>
}

export function startBullWorker(env: {
  queue: string
  prefix: string
  redisUrl: string
  concurrency: number
}): BullWorker {
  const child = spawn(process.execPath, [bullBundle], {
    cwd: root,
    env: {
      ...process.env,
      BULL_QUEUE: env.queue,
      BULL_PREFIX: env.prefix,
      REDIS_URL: env.redisUrl,
      BULL_CONCURRENCY: String(env.concurrency),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting: ((r: BullReport) => void)[] = []
  const ready = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`BullMQ worker exited (${code}) before it was ready`)))
    child.on('message', (msg: { type: string } & BullReport) => {
      if (msg.type === 'ready') resolve(Date.now())
      else if (msg.type === 'report') waiting.shift()?.(msg)
    })
  })
  ready.catch(() => {})
  return {
    child,
    ready,
    report(full = false) {
      return new Promise((resolve) => {
        waiting.push(resolve)
        child.send({ type: 'report', full })
      })
    },
    stop: () => stopChild(child),
  }
}

/** VmRSS of a process in MB (0 once it is gone). */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return kb / 1024
  } catch {
    return 0
  }
}

/** Samples the RSS of some processes every 250 ms: max and last per pid. */
export function sampleRss(pids: number[]) {
  const max = new Map<number, number>()
  const last = new Map<number, number>()
  const tick = () => {
    for (const pid of pids) {
      const mb = rssMb(pid)
      if (mb === 0) continue
      last.set(pid, mb)
      max.set(pid, Math.max(max.get(pid) ?? 0, mb))
    }
  }
  tick()
  const timer = setInterval(tick, 250)
  return {
    stop() {
      clearInterval(timer)
      tick()
      return { max, last }
    },
  }
}

/** MEMORY USAGE (sampled, SAMPLES 20) summed over the keys matching a pattern, grouped by `group(key)`. */
/**
 * The server holding a prefix's keys: the client itself, or on a cluster the master of the prefix's slot
 * (SCAN, INFO and MEMORY USAGE answer for one server only).
 */
export async function serverOf(redis: Redis, keys: QueueKeys): Promise<Redis> {
  if (!(redis instanceof Cluster)) return redis
  const slot = Number(await redis.cluster('KEYSLOT', keys.tag))
  const master = redis.slots[slot]?.[0]
  const node = redis.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === master)
  if (!node) throw new Error(`no master found for slot ${slot} (${master})`)
  return node
}

export async function redisMemory(
  redis: Redis,
  pattern: string,
  group: (key: string) => string = () => 'all',
): Promise<{ total: number; byGroup: Map<string, number>; keys: number }> {
  const byGroup = new Map<string, number>()
  let total = 0
  let keys = 0
  let cursor = '0'
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000)
    cursor = next
    if (found.length === 0) continue
    const pipeline = redis.pipeline()
    for (const key of found) pipeline.memory('USAGE', key, 'SAMPLES', 20)
    const replies = (await pipeline.exec()) ?? []
    replies.forEach(([err, bytes], i) => {
      if (err || typeof bytes !== 'number') return
      const g = group(found[i]!)
      byGroup.set(g, (byGroup.get(g) ?? 0) + bytes)
      total += bytes
      keys++
    })
  } while (cursor !== '0')
  return { total, byGroup, keys }
}

const TICKS_PER_S = 100

/** CPU seconds (user + system) a process used so far; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S
  } catch {
    return 0
  }
}

/** Busy and total jiffies of the whole machine (all cores) from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!
  const v = line.trim().split(/\s+/).slice(1).map(Number)
  const total = v.reduce((a, b) => a + b, 0)
  const idle = (v[3] ?? 0) + (v[4] ?? 0)
  return { busy: total - idle, total }
}

/**
 * Where the CPU went over an interval: each process's CPU time as % of one core, and how busy the whole
 * machine was (% of all cores), to tell a saturated machine from an idle wait.
 */
export function cpuMeter(pids: number[]) {
  const t0 = performance.now()
  const start = new Map(pids.map((p) => [p, cpuSeconds(p)]))
  const m0 = machineTicks()
  return {
    stop(): { perProcess: number[]; machineBusy: number } {
      const seconds = (performance.now() - t0) / 1000
      const m1 = machineTicks()
      return {
        perProcess: pids.map((p) => ((cpuSeconds(p) - start.get(p)!) / seconds) * 100),
        machineBusy: ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100,
      }
    },
  }
}
