import { createServer, type Server } from 'node:http'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** The worker's Prometheus metrics, served on WORKER_METRICS_PORT when set. */
export function createWorkerMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'punctual_worker_' })
  const registers = [registry]
  let depthSource: (() => Promise<Record<string, number> | null>) | undefined
  return {
    /** Where queue depths are read from at scrape time. */
    setQueueDepthSource(source: () => Promise<Record<string, number> | null>) {
      depthSource = source
    },
    registry,
    fires: new Counter({
      name: 'punctual_worker_fires_total',
      help: 'Fires recorded, by outcome (queued, skipped, missed)',
      labelNames: ['outcome'],
      registers,
    }),
    firingLag: new Histogram({
      name: 'punctual_worker_firing_lag_seconds',
      help: 'startedAt - scheduledFor of fire executions',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    executions: new Counter({
      name: 'punctual_worker_executions_total',
      help: 'Execution transitions made by this worker, by status',
      labelNames: ['status'],
      registers,
    }),
    retries: new Counter({
      name: 'punctual_worker_retries_total',
      help: 'Attempts scheduled for retry',
      registers,
    }),
    deadLetters: new Counter({
      name: 'punctual_worker_dead_letters_total',
      help: 'Executions that exhausted their attempts',
      registers,
    }),
    queueDepth: new Gauge({
      name: 'punctual_worker_queue_depth',
      help: 'Redis queue depths (deployment-wide), by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const depths = await depthSource?.().catch(() => null)
        if (!depths) return
        for (const [state, value] of Object.entries(depths)) this.set({ state }, value)
      },
    }),
    claimDuration: new Histogram({
      name: 'punctual_worker_claim_duration_seconds',
      help: 'One fire-claiming round',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'punctual_worker_reconcile_duration_seconds',
      help: 'One reconcile pass (Redis repaired from Postgres)',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers,
    }),
    systemEvents: new Counter({
      name: 'punctual_worker_system_events_total',
      help: 'System events handled by this worker, by type and outcome (started, duplicate, unmatched, subject-gone, too-costly: matching spent the work budget)',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    eventStarts: new Counter({
      name: 'punctual_worker_event_starts_total',
      help: 'Executions started by system events through event triggers',
      registers,
    }),
    chainsStopped: new Counter({
      name: 'punctual_worker_event_chains_stopped_total',
      help: 'Starts refused because their chain of system events looped back onto itself more than 10 times in a row',
      registers,
    }),
    outboxRepublished: new Counter({
      name: 'punctual_worker_outbox_republished_total',
      help: 'System events published again from the outbox (their first publish was lost or never handled)',
      registers,
    }),
    admission: new Gauge({
      name: 'punctual_worker_admission_paused',
      help: '1 while admission control keeps this worker from claiming executions',
      registers,
    }),
  }
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>

export function serveMetrics(metrics: WorkerMetrics, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    )
  })
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)))
}
