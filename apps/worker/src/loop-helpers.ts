/**
 * Small pieces the worker's loops share (runner, event bus): capped backoff, a deadline on a Postgres call,
 * and a sleep that can be cut short.
 */

const MAX_BACKOFF_MS = 2000

/** Capped exponential backoff with jitter (half fixed, half random) after `failures` consecutive failures. */
export function backoffMs(failures: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures - 1, 10))
  return Math.round(base / 2 + Math.random() * (base / 2))
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err)
}

export class DbDeadlineError extends Error {
  readonly code = 'DB_DEADLINE'
  constructor(ms: number) {
    super(`Postgres did not answer within ${ms} ms`)
    this.name = 'DbDeadlineError'
  }
}

/**
 * `p`, or a DbDeadlineError after `ms`. The abandoned call may still settle later; nobody waits for it.
 * postgres.js waits forever when every new connection is closed right after accept, and a half-open socket
 * never answers: a loop that must go on bounds each call with this.
 */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  p.catch(() => {})
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DbDeadlineError(ms)), ms)
    p.then(
      (v) => {
        clearTimeout(timer)
        resolve(v)
      },
      (err) => {
        clearTimeout(timer)
        reject(err)
      },
    )
  })
}

/** Wakes sleepers early (a slot freed, resume, stop); otherwise a timed sleep. */
export function createWakeup() {
  const sleepers = new Set<() => void>()
  return {
    wake() {
      const all = [...sleepers]
      sleepers.clear()
      for (const done of all) done()
    },
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          sleepers.delete(done)
          resolve()
        }
        const timer = setTimeout(done, ms)
        sleepers.add(done)
      })
    },
  }
}
