/**
 * Test and bench fixtures (`@punctual/queue/testing-topologies`): private Redis deployments of the contract's
 * other two modes, each server a `redis-server` child of this process on its own free ports, configured in a
 * temp dir of its own. Nothing here touches the shared server; `stop()` kills only the PIDs started here and
 * removes the temp dir (also on process exit).
 * - startTestCluster: a Redis Cluster (`redis-cli --cluster create`), masters with optional replicas;
 * - startTestSentinel: a primary, a replica and sentinels monitoring them.
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
  const client = new SingleRedis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
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
  private readonly onExit = () => this.killAllSync()

  constructor() {
    process.once('exit', this.onExit)
  }

  /** Spawns `redis-server <conf> [--sentinel]` with the given config lines and waits for PING. */
  async spawn(port: number, lines: string[], sentinel = false): Promise<ServerProcess> {
    const dir = join(this.dir, String(port))
    mkdirSync(dir, { recursive: true })
    const conf = join(dir, sentinel ? 'sentinel.conf' : 'redis.conf')
    const base = [`port ${port}`, `bind ${HOST}`, `dir ${dir}`, `logfile ${join(dir, 'log.txt')}`]
    writeFileSync(conf, [...base, ...(sentinel ? [] : ['save ""', 'appendonly no']), ...lines].join('\n'))
    const child = spawn(REDIS_SERVER_BIN, sentinel ? [conf, '--sentinel'] : [conf], { stdio: 'ignore' })
    this.children.push(child)
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    await waitUntil(
      `redis-server on ${port}`,
      async () => (await adminCommand(port, 'PING')) === 'PONG',
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

export interface TestCluster {
  /** Seed addresses: every node (REDIS_CLUSTER_NODES). */
  nodes: RedisAddress[]
  /** `REDIS_CLUSTER_NODES` as a process reads it. */
  env: { REDIS_CLUSTER_NODES: string }
  connection: RedisConnection
  servers: ServerProcess[]
  /** The port of the master serving `key`'s slot now (asked of a live node). */
  masterOf(key: string): Promise<number>
  /** Waits until every live node reports cluster_state:ok. */
  waitHealthy(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/**
 * A Redis Cluster of `masters` masters, each with `replicas` replicas, `cluster-node-timeout` nodeTimeoutMs
 * (how long a master must be unreachable before its replica is promoted).
 */
export async function startTestCluster(
  opts: { masters?: number; replicas?: number; nodeTimeoutMs?: number } = {},
): Promise<TestCluster> {
  const masters = opts.masters ?? 3
  const replicas = opts.replicas ?? 0
  const servers = new Servers()
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
      ]
      started.push(await servers.spawn(port!, lines))
    }
    const addresses = started.map((s) => `${HOST}:${s.port}`)
    await promisify(execFile)(
      REDIS_CLI_BIN,
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'],
      { timeout: 30_000 },
    )
    const nodes = started.map((s) => ({ host: HOST, port: s.port }))
    const live = () => started.filter((s) => s.alive)
    const waitHealthy = async (timeoutMs = 20_000) => {
      await waitUntil(
        'cluster_state:ok on every node',
        async () => {
          for (const s of live()) {
            const info = String(await adminCommand(s.port, 'CLUSTER', 'INFO'))
            if (!info.includes('cluster_state:ok')) return false
            const repl = String(await adminCommand(s.port, 'INFO', 'replication'))
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
      env: { REDIS_CLUSTER_NODES: addresses.join(',') },
      connection: { mode: 'cluster', nodes },
      servers: started,
      async masterOf(key: string) {
        const node = live()[0]!
        const slot = Number(await adminCommand(node.port, 'CLUSTER', 'KEYSLOT', key))
        const ranges = (await adminCommand(node.port, 'CLUSTER', 'SLOTS')) as [
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
  /** `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME` as a process reads them. */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string }
  connection: RedisConnection
  /** The port of the primary the sentinels name now. */
  primaryPort(): Promise<number>
  stop(): Promise<void>
}

/** A primary, one replica and `sentinels` sentinels (quorum 2) with `down-after-milliseconds` downAfterMs. */
export async function startTestSentinel(
  opts: { sentinels?: number; downAfterMs?: number; name?: string } = {},
): Promise<TestSentinel> {
  const name = opts.name ?? 'punctual-test'
  const servers = new Servers()
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
      ]
      sentinels.push(await servers.spawn(s!, lines, true))
    }
    // Before a failover can happen, every sentinel must know the replica and the other sentinels.
    await waitUntil(
      'the sentinels to discover the replica and each other',
      async () => {
        for (const s of sentinels) {
          const reps = (await adminCommand(s.port, 'SENTINEL', 'REPLICAS', name)) as unknown[]
          const peers = (await adminCommand(s.port, 'SENTINEL', 'SENTINELS', name)) as unknown[]
          if (reps.length < 1 || peers.length < sentinels.length - 1) return false
        }
        const repl = String(await adminCommand(replica.port, 'INFO', 'replication'))
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
      env: { REDIS_SENTINELS: list.map((a) => `${a.host}:${a.port}`).join(','), REDIS_SENTINEL_NAME: name },
      connection: { mode: 'sentinel', sentinels: list, name },
      async primaryPort() {
        const live = sentinels.find((s) => s.alive)!
        const reply = (await adminCommand(live.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[]
        return Number(reply[1])
      },
      stop: () => servers.stop(),
    }
  } catch (err) {
    await servers.stop()
    throw err
  }
}
