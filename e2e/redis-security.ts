/**
 * What redis-auth.test.ts and the redis-tls*.test.ts files share: random secrets, waiting for a process that
 * must stop at boot, and the texts the processes print when Redis refuses them (redis-misconfig.ts).
 */
import { randomBytes } from 'node:crypto'
import type { TestAuth } from '@punctual/queue/testing-topologies'
import type { WorkerProcess } from '@punctual/worker/testing'

export const secret = (what: string) => `${what}-${randomBytes(8).toString('hex')}`

/** An ACL user `punctual` with a random password; the default user has another one. */
export function testAuth(): TestAuth {
  return { username: 'punctual', password: secret('pw'), defaultPassword: secret('default') }
}

export const REFUSED =
  'Redis refused the credentials (check REDIS_USERNAME and REDIS_PASSWORD, or the user and password in REDIS_URL): WRONGPASS'
export const UNTRUSTED =
  "TLS could not verify the Redis server's certificate (REDIS_TLS uses Node's trusted CAs; for a private CA set NODE_EXTRA_CA_CERTS to its PEM file)"

/** Resolves with the exit code, or fails when the process is still running after timeoutMs. */
export async function exitCode(exited: Promise<number | null>, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Everything a worker process wrote (JSON log lines and stderr). */
export const workerOutput = (w: WorkerProcess) => w.logs.map((l) => JSON.stringify(l)).join('\n')
