/**
 * The scheduler's two small loop helpers: a deadline on a Postgres call, and an error's message for the log.
 */

/** Rejects when `promise` takes longer than `ms` (which keeps running; its outcome is ignored). */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Postgres within ${ms} ms`)), ms)
  })
  promise.catch(() => {})
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
