/**
 * Load of the noisy-neighbour benchmark (../fairness.ts): tenant B's paced requests, sent open-loop from this
 * process (each on time, whether or not the previous ones were answered, so a slow answer cannot hide the
 * next request's wait), and tenant A's flood, autocannon's CLI in a process of its own, so that generating
 * A's load does not delay B's requests or their timing.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import { createRequire } from 'node:module'
import { sleep } from '../worker/procs.ts'

/** Wall-clock time in ms with sub-millisecond resolution (compared with Postgres timestamps). */
export const wallMs = () => performance.timeOrigin + performance.now()

export interface Answer {
  status: number
  body: string
  /** Request sent → last byte of the answer, ms. */
  ms: number
  /** When it was sent (wallMs). */
  sentAt: number
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })

/** One HTTP request with keep-alive; never rejects (a transport error is status 0). */
export function request(
  url: string,
  opts: { method: string; headers: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve) => {
    const sentAt = wallMs()
    const t0 = performance.now()
    const req = http.request(url, { method: opts.method, headers: opts.headers, agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0, sentAt }))
      res.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0, sentAt }))
    })
    req.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - t0, sentAt }))
    req.end(opts.body)
  })
}

/**
 * Calls `send(k)` for k = 0, 1, … at `rate` per second for `seconds` (call k due at start + k / rate), without
 * waiting for earlier calls; resolves with every answer once all are in.
 */
export async function paced<T>(rate: number, seconds: number, send: (k: number) => Promise<T>): Promise<T[]> {
  const total = Math.round(rate * seconds)
  const start = performance.now()
  const pending: Promise<T>[] = []
  for (let k = 0; k < total; k++) {
    const wait = start + (k * 1000) / rate - performance.now()
    if (wait > 0) await sleep(wait)
    pending.push(send(k))
  }
  return Promise.all(pending)
}

export interface FloodResult {
  /** Answers by status code. */
  statuses: Record<string, number>
  requests: number
  errors: number
  p50: number
  p99: number
  seconds: number
}

export interface Flood {
  child: ChildProcess
  done: Promise<FloodResult>
  stop(): void
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon')

/**
 * `connections` keep-alive connections POSTing `body` to `url` for `seconds` (autocannon -c -d, its own
 * process); resolves with its JSON summary.
 */
export function flood(opts: {
  url: string
  headers: Record<string, string>
  body: string
  connections: number
  seconds: number
}): Flood {
  const args = [autocannonCli, '-c', String(opts.connections), '-d', String(opts.seconds), '-m', 'POST']
  for (const [k, v] of Object.entries(opts.headers)) args.push('-H', `${k}:${v}`)
  args.push('-b', opts.body, '-j', opts.url)
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => {
    out += d
  })
  child.stderr!.on('data', (d) => {
    err = (err + d).slice(-2000)
  })
  const done = new Promise<FloodResult>((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        const r = JSON.parse(out.trim().split('\n').at(-1) ?? '') as {
          statusCodeStats?: Record<string, { count: number }>
          requests: { total: number }
          errors: number
          timeouts: number
          latency: { p50: number; p99: number }
          duration: number
        }
        const statuses: Record<string, number> = {}
        for (const [c, s] of Object.entries(r.statusCodeStats ?? {})) statuses[c] = s.count
        resolve({
          statuses,
          requests: r.requests.total,
          errors: r.errors + r.timeouts,
          p50: r.latency.p50,
          p99: r.latency.p99,
          seconds: r.duration,
        })
      } catch {
        reject(new Error(`autocannon exited (${code}) without a summary: ${err.slice(-500)}`))
      }
    })
  })
  done.catch(() => {})
  return {
    child,
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}
