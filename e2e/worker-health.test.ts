import { startApiProcess } from '@punctual/api/testing'
import { waitFor } from '@punctual/core/testing'
import { createRedis, waitForReady } from '@punctual/queue'
import { findFreePort, startPrivateRedis, startTcpProxy } from '@punctual/queue/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import { createFleet, type Fleet } from './fleet.ts'
import { asTenant, delayWorkflow, manualSchedule, runsOf, trigger } from './tenant-runs.ts'

// The worker's own HTTP endpoints (WORKER_HTTP_PORT) through real worker processes, as a container probe or a
// Prometheus scraper uses them, and the eviction-policy check at the start of each process.
let fleet: Fleet
const workers: WorkerProcess[] = []

beforeAll(async () => {
  fleet = await createFleet()
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  await fleet?.close()
})

async function start(env: Record<string, string> = {}) {
  const port = await findFreePort()
  const w = startWorkerProcess({ ...fleet.env, WORKER_HTTP_PORT: String(port), ...env })
  workers.push(w)
  await w.waitForLog('ready')
  return { w, port, base: `http://127.0.0.1:${port}` }
}

const readyz = async (base: string) => {
  const res = await fetch(`${base}/readyz`)
  return { status: res.status, body: (await res.json()) as Record<string, string> }
}
const metricsOf = async (base: string) => (await fetch(`${base}/metrics`)).text()
const paused = (metrics: string) => /^punctual_worker_admission_paused 1$/m.test(metrics)

describe('worker HTTP endpoints', () => {
  it('serves /healthz, /readyz and /metrics, and stays ready while it drains', async () => {
    const { w, base } = await start({ WORKER_SHUTDOWN_TIMEOUT_MS: '20000' })
    const health = await fetch(`${base}/healthz`)
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }])
    expect(await readyz(base)).toEqual({
      status: 200,
      body: { status: 'ready', state: 'running', postgres: 'up', redis: 'up', loops: 'alive' },
    })
    const metrics = await metricsOf(base)
    expect(metrics).toMatch(/^punctual_worker_admission_paused 0$/m)
    // The shared test Redis runs with the required policy.
    const policy = ((await fleet.redis.redis.config('GET', 'maxmemory-policy')) as string[])[1]
    expect(metrics).toContain(
      `punctual_worker_redis_eviction_unsafe{policy="${policy}"} ${policy === 'noeviction' ? 0 : 1}`,
    )
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404)
    expect((await fetch(`${base}/readyz`, { method: 'POST' })).status).toBe(405)

    // A run of 3 s is in progress when SIGTERM comes: while the worker drains it, it is still ready.
    const t = asTenant(fleet, 'health-drain')
    const wf = await delayWorkflow(fleet, t, 'long', 3000)
    await trigger(fleet, t, await manualSchedule(fleet, t, wf, 'long'))
    await waitFor('the run to start', async () => (await runsOf(fleet, [wf]))[0]?.status === 'running')
    const stopped = w.stop('SIGTERM')
    await waitFor('readyz to say draining', async () => (await readyz(base)).body.state === 'draining')
    expect(await readyz(base)).toEqual({
      status: 200,
      body: { status: 'ready', state: 'draining', postgres: 'up', redis: 'up', loops: 'draining' },
    })
    expect(await stopped).toBe(0)
    expect((await runsOf(fleet, [wf]))[0]!.status).toBe('succeeded')
  }, 60_000)

  it('is ready while admission control pauses claiming', async () => {
    // A limit of 1 % CPU: the burst below pauses claiming, and an idle worker hardly resumes.
    const { base } = await start({ WORKER_MAX_CPU_PERCENT: '1', WORKER_HEARTBEAT_MS: '200' })
    const t = asTenant(fleet, 'health-admission')
    const wf = await delayWorkflow(fleet, t, 'noop', 0)
    await trigger(fleet, t, await manualSchedule(fleet, t, wf, 'noop'), 40)
    let seen: Awaited<ReturnType<typeof readyz>> | undefined
    await waitFor(
      'a readyz answered while paused (paused before and after it)',
      async () => {
        if (!paused(await metricsOf(base))) return false
        const r = await readyz(base)
        if (!paused(await metricsOf(base))) return false
        seen = r
        return true
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    )
    expect(seen).toEqual({
      status: 200,
      body: { status: 'ready', state: 'running', postgres: 'up', redis: 'up', loops: 'alive' },
    })
  }, 60_000)

  it('is not ready while Postgres is cut, and ready again once it is back', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
    try {
      const url = new URL(fleet.env.DATABASE_URL!)
      url.host = `127.0.0.1:${proxy.port}`
      const { w, base } = await start({ DATABASE_URL: url.toString() })
      // A failure shows what the process logged last (a crash on the cut would be there).
      onTestFailed(() =>
        console.error('worker output:', JSON.stringify(w.logs.slice(-30)), 'exit', w.child.exitCode),
      )
      expect((await readyz(base)).status).toBe(200)
      proxy.cut()
      await waitFor('readyz to answer 503', async () => (await readyz(base)).status === 503, {
        timeoutMs: 15_000,
      })
      expect((await readyz(base)).body).toMatchObject({ status: 'not_ready', postgres: 'down', redis: 'up' })
      // /healthz is about the process only.
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      proxy.restore()
      await waitFor('readyz to answer 200 again', async () => (await readyz(base)).status === 200, {
        timeoutMs: 15_000,
      })
    } finally {
      await proxy.close()
    }
  }, 60_000)

  it('reads WORKER_METRICS_PORT as the older name, and refuses the two names set to different ports', async () => {
    const port = await findFreePort()
    const older = startWorkerProcess({ ...fleet.env, WORKER_METRICS_PORT: String(port) })
    workers.push(older)
    await older.waitForLog('ready')
    expect((await readyz(`http://127.0.0.1:${port}`)).status).toBe(200)
    const both = startWorkerProcess({ ...fleet.env, WORKER_HTTP_PORT: '1', WORKER_METRICS_PORT: '2' })
    workers.push(both)
    expect(await both.exited).toBe(1)
    const said = both.logs.map((l) => String(l.text ?? l.msg)).join('\n')
    expect(said).toMatch(/WORKER_HTTP_PORT/)
  }, 60_000)
})

describe('eviction policy check at start', () => {
  it('a Redis that may evict keys: the worker and the API log an error, the worker sets the metric', async () => {
    const redis = await startPrivateRedis()
    const admin = createRedis(redis.url)
    try {
      await waitForReady(admin, 5000)
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru')
      const env = { ...fleet.env, REDIS_URL: redis.url }
      const { w, base } = await start(env)
      const line = await w.waitForLog(
        'Redis maxmemory-policy is not noeviction: under memory pressure Redis may drop queue keys (set maxmemory-policy noeviction)',
      )
      expect(line).toMatchObject({ level: 50, maxmemoryPolicy: 'allkeys-lru' })
      expect(await metricsOf(base)).toContain('punctual_worker_redis_eviction_unsafe{policy="allkeys-lru"} 1')
      // It runs anyway (an operator decision), and stays ready.
      expect((await readyz(base)).status).toBe(200)

      const api = await startApiProcess(env)
      try {
        await api.ready()
        await waitFor('the API to log the policy', () =>
          api.logs.some((l) => l.level === 50 && l.maxmemoryPolicy === 'allkeys-lru'),
        )
        const apiMetrics = await (await fetch(`${api.url}/metrics`)).text()
        expect(apiMetrics).toContain('punctual_api_redis_eviction_unsafe{policy="allkeys-lru"} 1')
      } finally {
        await api.stop()
      }
    } finally {
      admin.disconnect()
      await redis.stop()
    }
  }, 60_000)
})
