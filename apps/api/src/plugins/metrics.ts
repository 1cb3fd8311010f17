import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { MetricsSnapshot } from '../services/stats.ts'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry
    /** Signature checks of /hooks deliveries by scheme and result (`ok` or the failure reason). */
    webhookVerifications: Counter<'scheme' | 'result'>
    /** Verified /hooks bodies refused by the JSON hygiene check (depth, nul, surrogate) or as too costly to match. */
    webhookBodyRejections: Counter<'reason'>
    /** 1 when Redis's maxmemory-policy (the label) is not noeviction, read at start (server.ts). */
    redisEvictionUnsafe: Gauge<'policy'>
  }
}

/** Prometheus metrics of this API process at GET /metrics (no JWT, as the contract says). */
async function metricsPlugin(app: FastifyInstance) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'punctual_api_' })
  const duration = new Histogram({
    name: 'punctual_api_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  app.decorate(
    'webhookVerifications',
    new Counter({
      name: 'punctual_api_webhook_verifications_total',
      help: 'Webhook signature checks by scheme and result (ok, missing-header, invalid-timestamp, timestamp-too-old, timestamp-too-new, invalid-signature)',
      labelNames: ['scheme', 'result'],
      registers: [registry],
    }),
  )
  app.decorate(
    'webhookBodyRejections',
    new Counter({
      name: 'punctual_api_webhook_body_rejections_total',
      help: 'Verified webhook deliveries refused for their JSON: nested deeper than 32 levels (depth), a NUL character (nul) or an unpaired UTF-16 surrogate or non-UTF-8 bytes (surrogate), all 400; too costly to match against the filter (too-costly, 422), or whose inputTemplate makes an input over 1 MiB (input-too-large, 422)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  )
  app.decorate(
    'redisEvictionUnsafe',
    new Gauge({
      name: 'punctual_api_redis_eviction_unsafe',
      help: "1 when Redis's maxmemory-policy (the label) is not noeviction, read at start; absent when it could not be read",
      labelNames: ['policy'],
      registers: [registry],
    }),
  )
  registerRuntimeGauges(registry, () => app.services.executions.metricsSnapshot())
  app.decorate('metrics', registry)
  // Callback style: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
    done()
  })
  app.get('/metrics', { schema: { tags: ['operations'], security: [] } }, async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
}

/**
 * Deployment-wide gauges read on scrape (collect()): queue depths and live workers from Redis, executions of
 * the last hour by status (all tenants) from one Postgres query. One snapshot serves every gauge of a scrape
 * (and scrapes within a second of it). A source that cannot be read leaves its gauges without samples for
 * that scrape rather than reporting zeros.
 */
function registerRuntimeGauges(registry: Registry, read: () => Promise<MetricsSnapshot>) {
  let cached: { at: number; snapshot: Promise<MetricsSnapshot> } | undefined
  const snapshot = () => {
    const now = Date.now()
    if (!cached || now - cached.at > 1000) cached = { at: now, snapshot: read() }
    return cached.snapshot
  }
  new Gauge({
    name: 'punctual_api_queue_depth',
    help: 'Executions in each Redis queue (ready, delayed, running) and schedules in the due-index (due), deployment-wide',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const { queue } = await snapshot()
      this.reset()
      if (!queue) return
      this.set({ queue: 'ready' }, queue.ready)
      this.set({ queue: 'delayed' }, queue.delayed)
      this.set({ queue: 'running' }, queue.running)
      this.set({ queue: 'due' }, queue.dueSchedules + queue.claimedSchedules)
    },
  })
  new Gauge({
    name: 'punctual_api_executions_last_hour',
    help: 'Executions created in the last hour by status, all tenants',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { executionsLastHour } = await snapshot()
      this.reset()
      if (!executionsLastHour) return
      for (const [status, n] of Object.entries(executionsLastHour)) this.set({ status }, n)
    },
  })
  new Gauge({
    name: 'punctual_api_workers_alive',
    help: 'Worker processes with a heartbeat under 15 s old, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { workers } = await snapshot()
      this.reset()
      if (!workers) return
      this.set({ state: 'running' }, workers.filter((w) => w.state !== 'draining').length)
      this.set({ state: 'draining' }, workers.filter((w) => w.state === 'draining').length)
    },
  })
}

export default fp(metricsPlugin, { name: 'metrics' })
