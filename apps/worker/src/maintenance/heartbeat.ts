import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { QueueKeys, Redis } from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'
import type { Runner } from '../runner/index.ts'
import { applyAdmission, type LoadLimits } from './admission.ts'
import type { WorkerMetrics } from './metrics.ts'

export interface WorkerInfo {
  id: string
  host: string
  pid: number
  startedAt: string
  lastSeenAt: string
  concurrency: number
  running: number
  cpuPercent: number
  rssBytes: number
  eventLoopLagMs: number
  state: 'running' | 'draining'
}

/**
 * Samples this process (CPU share since the last sample, RSS, event-loop lag p99) and publishes it as the
 * worker's heartbeat in Redis (`GET /api/workers`). The same sample drives admission control.
 */
export function createProcessMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  let lastCpu = process.cpuUsage()
  let lastAt = performance.now()
  return {
    /** CPU and event-loop lag (p99) since the last sample or reset, over `windowMs`. */
    sample() {
      const cpu = process.cpuUsage(lastCpu)
      const now = performance.now()
      const windowMs = now - lastAt
      const cpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, windowMs)) * 100
      lastCpu = process.cpuUsage()
      lastAt = now
      const eventLoopLagMs = histogram.percentile(99) / 1e6
      histogram.reset()
      return { cpuPercent, eventLoopLagMs, windowMs, rssBytes: process.memoryUsage.rss() }
    },
    /** Starts a new window: what the process did before (its start-up) is not counted in the next sample. */
    reset() {
      lastCpu = process.cpuUsage()
      lastAt = performance.now()
      histogram.reset()
    },
    stop() {
      histogram.disable()
    },
  }
}

export async function publishHeartbeat(redis: Redis, keys: QueueKeys, info: WorkerInfo): Promise<void> {
  await redis.hset(keys.workers, info.id, JSON.stringify(info))
}

export async function removeHeartbeat(redis: Redis, keys: QueueKeys, workerId: string): Promise<void> {
  await redis.hdel(keys.workers, workerId)
}

/** Drops heartbeats not refreshed for `staleMs` (workers that died without saying goodbye). */
export async function pruneHeartbeats(redis: Redis, keys: QueueKeys, now: number, staleMs = 60_000) {
  const all = await redis.hgetall(keys.workers)
  const dead = Object.entries(all)
    .filter(([, json]) => {
      try {
        return now - Date.parse((JSON.parse(json) as WorkerInfo).lastSeenAt) > staleMs
      } catch {
        return true
      }
    })
    .map(([id]) => id)
  if (dead.length > 0) await redis.hdel(keys.workers, ...dead)
  return dead.length
}

export const hostname = os.hostname()

export interface HeartbeatDeps {
  redis: Redis
  keys: QueueKeys
  workerId: string
  logger: Logger
  monitor: ReturnType<typeof createProcessMonitor>
  runner: Pick<Runner, 'paused' | 'pause' | 'resume' | 'running'>
  metrics: Pick<WorkerMetrics, 'admission'>
  limits: LoadLimits
  concurrency: number
  /** Whether the worker runs (else it is draining). */
  isRunning: () => boolean
}

/**
 * One worker's heartbeat: each beat samples the process, applies admission control (admission.ts), and
 * publishes the worker's info; one beat in ten also drops the heartbeats of workers gone silent. A beat
 * that cannot publish is logged at debug and skipped.
 */
export function createHeartbeat(deps: HeartbeatDeps): () => Promise<void> {
  const { monitor, runner, metrics } = deps
  const startedAt = new Date().toISOString()

  function info(): WorkerInfo {
    const sample = monitor.sample()
    const running = deps.isRunning()
    applyAdmission(sample, deps.limits, runner, running, deps.logger)
    metrics.admission.set(runner.paused ? 1 : 0)
    const now = new Date().toISOString()
    return {
      id: deps.workerId,
      host: hostname,
      pid: process.pid,
      startedAt,
      lastSeenAt: now,
      concurrency: deps.concurrency,
      running: runner.running(),
      cpuPercent: Math.round(sample.cpuPercent * 10) / 10,
      rssBytes: sample.rssBytes,
      eventLoopLagMs: Math.round(sample.eventLoopLagMs * 10) / 10,
      state: running ? 'running' : 'draining',
    }
  }

  return async function beat() {
    try {
      await publishHeartbeat(deps.redis, deps.keys, info())
      if (Math.random() < 0.1) await pruneHeartbeats(deps.redis, deps.keys, Date.now())
    } catch (err) {
      deps.logger.debug({ err: errorMessage(err) }, 'heartbeat not published')
    }
  }
}
