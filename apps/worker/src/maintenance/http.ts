import { createServer, type Server } from 'node:http'
import type { WorkerMetrics } from './metrics.ts'

/** What GET /readyz answers (200 when `status` is ready, else 503). */
export interface Readiness {
  status: 'ready' | 'not_ready'
  /** The worker's lifecycle: ready while running (paused by admission control or not) and while draining. */
  state: 'starting' | 'running' | 'draining' | 'stopped'
  postgres: 'up' | 'down'
  redis: 'up' | 'down'
  /** The scheduler's and the runner's loops went round lately (`draining`: they are being stopped). */
  loops: 'alive' | 'stalled' | 'draining' | 'not_started'
}

export interface WorkerHttpOptions {
  metrics: WorkerMetrics
  readiness: () => Promise<Readiness>
  port: number
  /** WORKER_HTTP_HOST (default 127.0.0.1: only this machine; a container sets 0.0.0.0). */
  host: string
}

/**
 * The worker's own HTTP endpoints, for probes and scrapers (WORKER_HTTP_PORT): GET /healthz (the process
 * answers), GET /readyz (Redis and Postgres reachable and the loops alive; JSON, 200 or 503) and GET /metrics
 * (Prometheus). Nothing else: every other path is 404, every other method 405.
 */
export function serveWorkerHttp(opts: WorkerHttpOptions): Promise<Server> {
  const json = (status: number, body: unknown) => ({
    status,
    type: 'application/json; charset=utf-8',
    text: JSON.stringify(body),
  })
  const answer = async (path: string) => {
    if (path === '/healthz') return json(200, { status: 'ok' })
    if (path === '/readyz') {
      const r = await opts.readiness()
      return json(r.status === 'ready' ? 200 : 503, r)
    }
    if (path === '/metrics') {
      return {
        status: 200,
        type: opts.metrics.registry.contentType,
        text: await opts.metrics.registry.metrics(),
      }
    }
    return json(404, { status: 'not_found' })
  }
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    answer(path).then(
      (a) => res.writeHead(a.status, { 'content-type': a.type, 'cache-control': 'no-store' }).end(a.text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
    )
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}
