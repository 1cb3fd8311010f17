/**
 * postgres.js opens each connection with a query of its own (the array types, `fetch_types`) whose promise
 * nobody awaits (connection.js returns it from the ReadyForQuery handler): when the connection is cut during
 * that query — a Postgres restart, a proxy or balancer dropping sockets — the rejection is unhandled and Node
 * ends the process. Seen as a worker dying mid-test when a TCP proxy cut Postgres under load. The connection is
 * gone either way, and the next one fetches the types again, so such a rejection is harmless: this guard logs it
 * and lets the process live. Any other unhandled rejection still ends the process, as Node's default does.
 */

/** Codes of a lost or refused Postgres connection (postgres.js's own and the socket's). */
const CONNECTION_LOSS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
])

export function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && CONNECTION_LOSS.has(code)
}

interface GuardLogger {
  warn(obj: object, msg: string): void
  fatal(obj: object, msg: string): void
}

/** Installs the process-wide guard (once per process: the API's and the worker's main). */
export function guardUnhandledConnectionLoss(log: GuardLogger, exit: (code: number) => void = process.exit) {
  process.on('unhandledRejection', (reason) => {
    if (isConnectionLoss(reason)) {
      log.warn(
        { code: (reason as { code: string }).code },
        'a database connection was lost during its set-up',
      )
      return
    }
    log.fatal({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection')
    exit(1)
  })
}
