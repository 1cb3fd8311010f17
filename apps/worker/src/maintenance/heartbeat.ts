import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { QueueKeys, Redis } from '@punctual/queue'

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
