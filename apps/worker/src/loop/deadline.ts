export class DbDeadlineError extends Error {
  readonly code = 'DB_DEADLINE'
  constructor(ms: number, what?: string) {
    super(`${what ? `${what}: ` : ''}Postgres did not answer within ${ms} ms`)
    this.name = 'DbDeadlineError'
  }
}

/**
 * `p`, or a DbDeadlineError after `ms` (its message starts with `what` when given). The abandoned call may
 * still settle later; nobody waits for it and its outcome is ignored. postgres.js waits forever when every new
 * connection is closed right after accept, and a half-open socket never answers: a loop that must go on
 * bounds each call with this.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, what?: string): Promise<T> {
  p.catch(() => {})
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DbDeadlineError(ms, what)), ms)
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
