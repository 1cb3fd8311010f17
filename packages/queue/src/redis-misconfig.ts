import { connect as connectTls } from 'node:tls'
import { Cluster, REDIS_TIMEOUTS, type Redis } from './redis.ts'
import type { RedisAddress, RedisConnection } from './redis-connection.ts'

/**
 * Connection errors that no retry fixes because the configuration is wrong: the server refused the credentials
 * (or wants some), or TLS could not verify the server's certificate. Everything else (a server down, a
 * timeout, a failover in progress) is worth retrying and is not one of these. (A user lacking a permission
 * connects fine — ioredis skips its ready check on NOPERM — and fails command by command instead.)
 */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])
// The same failures when ioredis only passes the text on (a sentinel's "Last error: …").
const CERTIFICATE_TEXT =
  /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|does not match certificate's altnames/i
const SENTINEL_WRAPPER = /^All sentinels are unreachable/

/**
 * What an operator must fix when `err` is a misconfiguration (see above), or null. The text names the
 * variables to check and quotes the server's or TLS's own reason, which never contains a password.
 */
export function redisMisconfiguration(err: unknown): string | null {
  if (!(err instanceof Error)) return null
  // A cluster that reached no node reports the last node's error under it.
  const last = (err as { lastNodeError?: unknown }).lastNodeError
  if (last instanceof Error) return redisMisconfiguration(last)
  const message = err.message
  const code = (err as { code?: unknown }).code
  const sentinels = SENTINEL_WRAPPER.test(message)
  const reason = message.replace(/^.*Last error: /, '')
  if (/\bWRONGPASS\b|\binvalid password\b/.test(message)) {
    return sentinels
      ? `the Redis sentinels refused the password (check REDIS_SENTINEL_PASSWORD): ${reason}`
      : `Redis refused the credentials (check REDIS_USERNAME and REDIS_PASSWORD, or the user and password in REDIS_URL): ${reason}`
  }
  if (/\bNOAUTH\b/.test(message)) {
    return sentinels
      ? `the Redis sentinels require a password (set REDIS_SENTINEL_PASSWORD): ${reason}`
      : `Redis requires a password (set REDIS_PASSWORD, and REDIS_USERNAME for an ACL user): ${reason}`
  }
  if ((typeof code === 'string' && CERTIFICATE_CODES.has(code)) || CERTIFICATE_TEXT.test(message)) {
    return `TLS could not verify the Redis server's certificate (REDIS_TLS uses Node's trusted CAs; for a private CA set NODE_EXTRA_CA_CERTS to its PEM file): ${reason}`
  }
  return null
}

/**
 * Until the client is first ready, watches its connection errors for a misconfiguration and calls
 * `onProblem` once with the operator's message (redisMisconfiguration): a process should then stop at boot
 * rather than retry forever. Listens to `error` and, on a cluster, `node error` (a node connection's own
 * failures, which the cluster does not re-emit). Stops at the first `ready`; returns a function that stops
 * it earlier. After boot, the processes' own error listeners classify errors with redisMisconfiguration.
 */
export function watchBootMisconfiguration(
  redis: Redis,
  conn: RedisConnection,
  onProblem: (message: string) => void,
): () => void {
  let active = true
  let probing = false
  const report = (message: string) => {
    if (!active) return
    stop()
    onProblem(message)
  }
  const onError = (err: unknown) => {
    const message = redisMisconfiguration(err)
    if (message !== null) return report(message)
    // ioredis drops a sentinel connection's own error (its TLS failure shows as "Connection is closed."):
    // ask the sentinels' TLS handshake directly.
    if (conn.mode === 'sentinel' && conn.tls && !probing && err instanceof Error) {
      if (!SENTINEL_WRAPPER.test(err.message)) return
      probing = true
      void Promise.all(conn.sentinels.map((s) => certificateProblem(s))).then((found) => {
        probing = false
        const problem = found.find((p) => p !== null)
        if (problem) report(problem)
      })
    }
  }
  const stop = () => {
    active = false
    redis.off('error', onError)
    redis.off('ready', stop)
    if (redis instanceof Cluster) redis.off('node error', onError)
  }
  redis.on('error', onError)
  redis.once('ready', stop)
  if (redis instanceof Cluster) redis.on('node error', onError)
  return stop
}

/** A TLS handshake with `address` as ioredis makes it (Node's trusted CAs): the misconfiguration it shows. */
function certificateProblem(address: RedisAddress): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connectTls({ host: address.host, port: address.port })
    const done = (problem: string | null) => {
      socket.destroy()
      resolve(problem)
    }
    socket.setTimeout(REDIS_TIMEOUTS.connectMs, () => done(null))
    socket.once('secureConnect', () => done(null))
    socket.once('error', (err) => done(redisMisconfiguration(err)))
  })
}
