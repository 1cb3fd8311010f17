import { type DbHandle, ping } from '@punctual/db'
import type { Redis } from '@punctual/queue'
import type { Logger } from 'pino'

export type WorkerState = 'starting' | 'running' | 'draining' | 'stopped'

export interface WorkerDeps {
  database: DbHandle
  redis: Redis
  logger: Logger
  workerId: string
}

/**
 * The worker's lifecycle with explicit states. Until the scheduler and runner land (worker issue), it waits
 * for Postgres and Redis (retrying with capped backoff, never exiting because one is down), logs "ready",
 * and stops cleanly on request.
 */
export function createWorker(deps: WorkerDeps) {
  let state: WorkerState = 'starting'
  let wake: (() => void) | undefined
  const stopped = new Promise<void>((resolve) => {
    wake = resolve
  })

  async function waitForDependencies(): Promise<boolean> {
    let delay = 200
    while (state === 'starting') {
      try {
        await ping(deps.database.sql, { timeoutMs: 2000 })
        await deps.redis.ping()
        return true
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'dependencies not reachable yet')
        await Promise.race([new Promise((r) => setTimeout(r, delay)), stopped])
        delay = Math.min(delay * 2, 5000)
      }
    }
    return false
  }

  return {
    get state() {
      return state
    },
    async start(): Promise<void> {
      if (await waitForDependencies()) {
        state = 'running'
        deps.logger.info({ workerId: deps.workerId }, 'ready')
      }
    },
    async stop(): Promise<void> {
      if (state === 'stopped') return
      state = 'draining'
      wake?.()
      deps.redis.disconnect()
      await deps.database.close()
      state = 'stopped'
      deps.logger.info({ workerId: deps.workerId }, 'stopped')
    },
  }
}
