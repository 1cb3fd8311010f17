/**
 * Test fixtures (`@punctual/queue/testing-topologies`): how the private redis-servers of testing-topologies.ts
 * are secured, and how a client (a process's environment, the fixtures' own admin client) gets in.
 * - TestAuth: an ACL user for the clients and the replicas, the default user with another password;
 * - createTestCertificates: a throwaway certificate authority and a server certificate it signed, made with
 *   `openssl` in a temp dir of their own, valid for 127.0.0.1 and localhost for two days. A process trusts it
 *   with NODE_EXTRA_CA_CERTS=caFile (REDIS_TLS uses Node's trusted CAs); the fixtures' own clients pass `ca`.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { RedisAuth } from './redis-connection.ts'

const OPENSSL_BIN = process.env['OPENSSL_BIN'] ?? 'openssl'

export interface TestCertificates {
  dir: string
  /** The CA's certificate (PEM): what a client must trust. */
  caFile: string
  ca: Buffer
  /** The server's certificate and key (PEM), signed by the CA. */
  certFile: string
  keyFile: string
  /** Deletes the dir (also done at process exit). */
  remove(): void
}

export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'punctual-tls-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  process.once('exit', remove)
  const file = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => promisify(execFile)(OPENSSL_BIN, args, { timeout: 20_000 })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  try {
    await openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=punctual test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    )
    await openssl(
      'req',
      ...ec,
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=localhost',
    )
    writeFileSync(
      file('server.ext'),
      [
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
      ].join('\n'),
    )
    await openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.crt'),
      '-days',
      '2',
      '-extfile',
      file('server.ext'),
    )
  } catch (err) {
    remove()
    throw err
  }
  return {
    dir,
    caFile: file('ca.crt'),
    ca: readFileSync(file('ca.crt')),
    certFile: file('server.crt'),
    keyFile: file('server.key'),
    remove() {
      process.off('exit', remove)
      remove()
    },
  }
}

/**
 * Who may connect to a private deployment: an ACL user (`~* &* +@all`) for the clients and the replicas
 * (`masteruser`), while the default user has another password (`requirepass`): a client must name the user.
 */
export interface TestAuth {
  username: string
  password: string
  defaultPassword: string
}

/**
 * How a deployment is secured. `tls`: TLS only (`port 0`), for replication and the cluster bus too.
 * `sentinelPassword`: the sentinels' own `requirepass` (Sentinel mode only).
 */
export interface TestSecurity {
  auth?: TestAuth
  tls?: TestCertificates
  sentinelPassword?: string
}

/** How the fixtures' own admin client reaches a server: credentials, and the test CA to trust. */
export interface AdminAccess {
  username?: string
  password?: string
  ca?: Buffer
}

/** The admin access to the data nodes, and to the sentinels. */
export function adminAccess(security: TestSecurity, sentinel = false): AdminAccess {
  const { auth, tls, sentinelPassword } = security
  const credentials = sentinel
    ? sentinelPassword !== undefined && { password: sentinelPassword }
    : auth && { username: auth.username, password: auth.password }
  return { ...credentials, ...(tls && { ca: tls.ca }) }
}

/** The config lines `security` adds to a server or a sentinel: TLS-only listening, the users, passwords. */
export function securityLines(security: TestSecurity, port: number, sentinel: boolean): string[] {
  const { auth, tls, sentinelPassword } = security
  const listen = tls
    ? [
        'port 0',
        `tls-port ${port}`,
        `tls-cert-file ${tls.certFile}`,
        `tls-key-file ${tls.keyFile}`,
        `tls-ca-cert-file ${tls.caFile}`,
        'tls-auth-clients no',
        // A replica to its primary, a sentinel to the servers and to the other sentinels: TLS too.
        'tls-replication yes',
      ]
    : [`port ${port}`]
  if (sentinel) {
    // The sentinels' own password, also what they send to each other.
    const own = sentinelPassword !== undefined ? [`requirepass ${sentinelPassword}`] : []
    const peers = sentinelPassword !== undefined ? [`sentinel sentinel-pass ${sentinelPassword}`] : []
    return [...listen, ...own, ...peers]
  }
  const users = auth
    ? [
        `requirepass ${auth.defaultPassword}`,
        `user ${auth.username} on >${auth.password} ~* &* +@all`,
        `masteruser ${auth.username}`,
        `masterauth ${auth.password}`,
      ]
    : []
  return [...listen, ...users]
}

/** The lines a sentinel needs to monitor `name` on secured servers (after its `sentinel monitor`). */
export function sentinelMonitorLines(security: TestSecurity, name: string): string[] {
  const { auth } = security
  return auth
    ? [`sentinel auth-user ${name} ${auth.username}`, `sentinel auth-pass ${name} ${auth.password}`]
    : []
}

/** `redis-cli` arguments and environment to reach the data nodes. */
export function cliAccess(security: TestSecurity): { args: string[]; env: Record<string, string> } {
  const { auth, tls } = security
  return {
    args: [...(tls ? ['--tls', '--cacert', tls.caFile] : []), ...(auth ? ['--user', auth.username] : [])],
    env: auth ? { REDISCLI_AUTH: auth.password } : {},
  }
}

/**
 * What a process needs besides the addresses: REDIS_USERNAME and REDIS_PASSWORD, REDIS_TLS and
 * NODE_EXTRA_CA_CERTS (the test CA), REDIS_SENTINEL_PASSWORD.
 */
export function securityEnv(security: TestSecurity): Record<string, string> {
  const { auth, tls, sentinelPassword } = security
  return {
    ...(auth && { REDIS_USERNAME: auth.username, REDIS_PASSWORD: auth.password }),
    ...(tls && { REDIS_TLS: 'true', NODE_EXTRA_CA_CERTS: tls.caFile }),
    ...(sentinelPassword !== undefined && { REDIS_SENTINEL_PASSWORD: sentinelPassword }),
  }
}

/** The same for an in-process RedisConnection (its TLS needs the CA trusted by this process). */
export function securityAuth(security: TestSecurity): RedisAuth {
  const { auth, tls, sentinelPassword } = security
  return {
    ...(auth && { username: auth.username, password: auth.password }),
    ...(tls && { tls: true }),
    ...(sentinelPassword !== undefined && { sentinelPassword }),
  }
}
