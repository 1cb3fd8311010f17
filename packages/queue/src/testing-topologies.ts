/**
 * Test and bench fixtures (`@punctual/queue/testing-topologies`): private Redis deployments of the contract's
 * other two modes, each server a `redis-server` child of this process on its own free ports, configured in a
 * temp dir of its own. Nothing here touches the shared server; `stop()` kills only the PIDs started here and
 * removes the temp dir (also on process exit).
 * - startTestServer: one server (the single mode, for auth and TLS tests);
 * - startTestCluster: a Redis Cluster (`redis-cli --cluster create`), masters with optional replicas;
 * - startTestSentinel: a primary, a replica and sentinels monitoring them.
 * Each takes `security`: an ACL user and password (TestAuth) and/or TLS only (createTestCertificates).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sleep } from '@punctual/core/testing'
import { SingleRedis } from './redis.ts'
import type { RedisAddress, RedisConnection } from './redis-connection.ts'
import { findFreePort } from './testing.ts'
import {
  type AdminAccess,
  adminAccess,
  cliAccess,
  securityAuth,
  securityEnv,
  securityLines,
  sentinelMonitorLines,
  type TestSecurity,
} from './testing-security.ts'

export {
  type AdminAccess,
  createTestCertificates,
  type TestAuth,
  type TestCertificates,
  type TestSecurity,
} from './testing-security.ts'

const REDIS_SERVER_BIN = process.env['REDIS_SERVER_BIN'] ?? 'redis-server'
const REDIS_CLI_BIN = process.env['REDIS_CLI_BIN'] ?? 'redis-cli'
const HOST = '127.0.0.1'

export interface ServerProcess {
  port: number
  pid: number
  /** 'killed' once kill() ran (or the process died). */
  readonly alive: boolean
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>
}

/** A short-lived client for admin commands on one server (never offline-queued, never retrying). */
export async function adminCommand(port: number, ...args: (string | number)[]): Promise<unknown> {
  return adminCommandWith({}, port, ...args)
}

/** adminCommand on a server that requires credentials or TLS. */
export async function adminCommandWith(
  access: AdminAccess,
  port: number,
  ...args: (string | number)[]
): Promise<unknown> {
  const client = new SingleRedis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(access.username !== undefined && { username: access.username }),
    ...(access.password !== undefined && { password: access.password }),
    ...(access.ca && { tls: { ca: access.ca } }),
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return await client.call(String(args[0]), ...args.slice(1).map(String))
  } finally {
    client.disconnect()
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** Owns the children and the temp dir of one topology. */
class Servers {
  readonly dir = mkdtempSync(join(tmpdir(), 'punctual-redis-'))
  readonly children: ChildProcess[] = []
  /** How the data nodes are reached. */
  readonly access: AdminAccess
  private readonly onExit = () => this.killAllSync()

  constructor(readonly security: TestSecurity = {}) {
    process.once('exit', this.onExit)
    this.access = adminAccess(security)
  }

  admin(port: number, ...args: (string | number)[]): Promise<unknown> {
    return adminCommandWith(this.access, port, ...args)
  }

  /** Spawns `redis-server <conf> [--sentinel]` with the given config lines and waits for PING. */
  async spawn(port: number, lines: string[], sentinel = false): Promise<ServerProcess> {
    const dir = join(this.dir, String(port))
    mkdirSync(dir, { recursive: true })
    const conf = join(dir, sentinel ? 'sentinel.conf' : 'redis.conf')
    const base = [`bind ${HOST}`, `dir ${dir}`, `logfile ${join(dir, 'log.txt')}`]
    const persistence = sentinel ? [] : ['save ""', 'appendonly no']
    const secured = securityLines(this.security, port, sentinel)
    writeFileSync(conf, [...base, ...secured, ...persistence, ...lines].join('\n'))
    const child = spawn(REDIS_SERVER_BIN, sentinel ? [conf, '--sentinel'] : [conf], { stdio: 'ignore' })
    this.children.push(child)
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    await waitUntil(
      `redis-server on ${port}`,
      async () => (await adminCommandWith(adminAccess(this.security, sentinel), port, 'PING')) === 'PONG',
      10_000,
    )
    return {
      port,
      pid: child.pid!,
      get alive() {
        return child.exitCode === null && child.signalCode === null
      },
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await exited
      },
    }
  }

  private killAllSync() {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    rmSync(this.dir, { recursive: true, force: true })
  }

  async stop(): Promise<void> {
    process.off('exit', this.onExit)
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve()
            c.once('exit', () => resolve())
            c.kill('SIGKILL')
          }),
      ),
    )
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Two distinct free ports (a cluster node needs its bus port too). */
async function freePorts(n: number, taken: Set<number>): Promise<number[]> {
  const ports: number[] = []
  while (ports.length < n) {
    const p = await findFreePort()
    if (!taken.has(p)) {
      taken.add(p)
      ports.push(p)
    }
  }
  return ports
}

export interface TestServer {
  server: ServerProcess
  /** REDIS_URL: `redis://127.0.0.1:<port>` (no credentials in it; TLS comes from REDIS_TLS). */
  url: string
  /** What a process reads: REDIS_URL and the security's variables (securityEnv). */
  env: Record<string, string>
  connection: RedisConnection
  /** An admin command on the server, with the deployment's credentials and CA. */
  admin(...args: (string | number)[]): Promise<unknown>
  stop(): Promise<void>
}

/** One server (the single mode), secured as asked. */
export async function startTestServer(opts: { security?: TestSecurity } = {}): Promise<TestServer> {
  const security = opts.security ?? {}
  const servers = new Servers(security)
  try {
    const [port] = await freePorts(1, new Set())
    const server = await servers.spawn(port!, ['maxmemory-policy noeviction'])
    const url = `redis://${HOST}:${port}`
    return {
      server,
      url,
      env: { REDIS_URL: url, ...securityEnv(security) },
      connection: { mode: 'single', url, ...securityAuth(security) },
      admin: (...args) => servers.admin(port!, ...args),
      stop: () => servers.stop(),
    }
  } catch (err) {
    await servers.stop()
    throw err
  }
}

export interface TestCluster {
  /** Seed addresses: every node (REDIS_CLUSTER_NODES). */
  nodes: RedisAddress[]
  /** `REDIS_CLUSTER_NODES` as a process reads it, and the security's variables (securityEnv). */
  env: { REDIS_CLUSTER_NODES: string } & Record<string, string>
  connection: RedisConnection
  servers: ServerProcess[]
  /** An admin command on one node, with the deployment's credentials and CA. */
  admin(port: number, ...args: (string | number)[]): Promise<unknown>
  /** The port of the master serving `key`'s slot now (asked of a live node). */
  masterOf(key: string): Promise<number>
  /** Waits until every live node reports cluster_state:ok. */
  waitHealthy(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/** `redis-cli --cluster create` on the started nodes (with their credentials and CA). */
async function createClusterOf(addresses: string[], replicas: number, security: TestSecurity): Promise<void> {
  const cli = cliAccess(security)
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes']
  await promisify(execFile)(REDIS_CLI_BIN, [...cli.args, ...args], {
    timeout: 30_000,
    env: { ...process.env, ...cli.env },
  })
}

/**
 * A Redis Cluster of `masters` masters, each with `replicas` replicas, `cluster-node-timeout` nodeTimeoutMs
 * (how long a master must be unreachable before its replica is promoted).
 */
export async function startTestCluster(
  opts: { masters?: number; replicas?: number; nodeTimeoutMs?: number; security?: TestSecurity } = {},
): Promise<TestCluster> {
  const masters = opts.masters ?? 3
  const replicas = opts.replicas ?? 0
  const security = opts.security ?? {}
  const servers = new Servers(security)
  try {
    const taken = new Set<number>()
    const started: ServerProcess[] = []
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const [port, bus] = await freePorts(2, taken)
      const lines = [
        'cluster-enabled yes',
        `cluster-port ${bus}`,
        'cluster-config-file nodes.conf',
        `cluster-node-timeout ${opts.nodeTimeoutMs ?? 2000}`,
        'maxmemory-policy noeviction',
        ...(security.tls ? ['tls-cluster yes'] : []),
      ]
      started.push(await servers.spawn(port!, lines))
    }
    const addresses = started.map((s) => `${HOST}:${s.port}`)
    await createClusterOf(addresses, replicas, security)
    const nodes = started.map((s) => ({ host: HOST, port: s.port }))
    const live = () => started.filter((s) => s.alive)
    const waitHealthy = async (timeoutMs = 20_000) => {
      await waitUntil(
        'cluster_state:ok on every node',
        async () => {
          for (const s of live()) {
            const info = String(await servers.admin(s.port, 'CLUSTER', 'INFO'))
            if (!info.includes('cluster_state:ok')) return false
            const repl = String(await servers.admin(s.port, 'INFO', 'replication'))
            if (repl.includes('role:slave') && !repl.includes('master_link_status:up')) return false
          }
          return true
        },
        timeoutMs,
      )
    }
    await waitHealthy()
    return {
      nodes,
      env: { REDIS_CLUSTER_NODES: addresses.join(','), ...securityEnv(security) },
      connection: { mode: 'cluster', nodes, ...securityAuth(security) },
      servers: started,
      admin: (port, ...args) => servers.admin(port, ...args),
      async masterOf(key: string) {
        const node = live()[0]!
        const slot = Number(await servers.admin(node.port, 'CLUSTER', 'KEYSLOT', key))
        const ranges = (await servers.admin(node.port, 'CLUSTER', 'SLOTS')) as [
          number,
          number,
          [string, number],
        ][]
        const range = ranges.find(([from, to]) => from <= slot && slot <= to)
        if (!range) throw new Error(`no node serves slot ${slot}`)
        return Number(range[2][1])
      },
      waitHealthy,
      stop: () => servers.stop(),
    }
  } catch (err) {
    await servers.stop()
    throw err
  }
}

export interface TestSentinel {
  primary: ServerProcess
  replica: ServerProcess
  sentinels: ServerProcess[]
  name: string
  /** `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME` as a process reads them, and the security's (securityEnv). */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string } & Record<string, string>
  connection: RedisConnection
  /** An admin command on a data node (not a sentinel), with the deployment's credentials and CA. */
  admin(port: number, ...args: (string | number)[]): Promise<unknown>
  /** The port of the primary the sentinels name now. */
  primaryPort(): Promise<number>
  stop(): Promise<void>
}

/**
 * A primary, one replica and `sentinels` sentinels (quorum 2) with `down-after-milliseconds` downAfterMs.
 * With `security`, the sentinels reach the servers as its ACL user, over TLS when it has `tls`.
 */
export async function startTestSentinel(
  opts: { sentinels?: number; downAfterMs?: number; name?: string; security?: TestSecurity } = {},
): Promise<TestSentinel> {
  const name = opts.name ?? 'punctual-test'
  const security = opts.security ?? {}
  const servers = new Servers(security)
  const askSentinel = (port: number, ...args: string[]) =>
    adminCommandWith(adminAccess(security, true), port, 'SENTINEL', ...args)
  try {
    const taken = new Set<number>()
    const [p, r] = await freePorts(2, taken)
    const primary = await servers.spawn(p!, ['maxmemory-policy noeviction'])
    const replica = await servers.spawn(r!, ['maxmemory-policy noeviction', `replicaof ${HOST} ${p}`])
    const sentinels: ServerProcess[] = []
    for (let i = 0; i < (opts.sentinels ?? 3); i++) {
      const [s] = await freePorts(1, taken)
      const lines = [
        `sentinel monitor ${name} ${HOST} ${p} 2`,
        `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 2000}`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`,
        ...sentinelMonitorLines(security, name),
      ]
      sentinels.push(await servers.spawn(s!, lines, true))
    }
    // Before a failover can happen, every sentinel must know the replica and the other sentinels.
    await waitUntil(
      'the sentinels to discover the replica and each other',
      async () => {
        for (const s of sentinels) {
          const reps = (await askSentinel(s.port, 'REPLICAS', name)) as unknown[]
          const peers = (await askSentinel(s.port, 'SENTINELS', name)) as unknown[]
          if (reps.length < 1 || peers.length < sentinels.length - 1) return false
        }
        const repl = String(await servers.admin(replica.port, 'INFO', 'replication'))
        return repl.includes('master_link_status:up')
      },
      30_000,
    )
    const list = sentinels.map((s) => ({ host: HOST, port: s.port }))
    return {
      primary,
      replica,
      sentinels,
      name,
      env: {
        REDIS_SENTINELS: list.map((a) => `${a.host}:${a.port}`).join(','),
        REDIS_SENTINEL_NAME: name,
        ...securityEnv(security),
      },
      connection: { mode: 'sentinel', sentinels: list, name, ...securityAuth(security) },
      admin: (port, ...args) => servers.admin(port, ...args),
      async primaryPort() {
        const live = sentinels.find((s) => s.alive)!
        const reply = (await askSentinel(live.port, 'GET-MASTER-ADDR-BY-NAME', name)) as string[]
        return Number(reply[1])
      },
      stop: () => servers.stop(),
    }
  } catch (err) {
    await servers.stop()
    throw err
  }
}
