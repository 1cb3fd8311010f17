/**
 * A private redis-server for benchmarks that measure what our code costs inside Redis: its own port, no
 * persistence, nobody else's keys or load, so `used_memory` and the slow log are the benchmark's alone. It logs
 * every command slower than 1 ms (`slowlog-log-slower-than 1000`, `slowlog-max-len 100000`); `slowScripts`
 * names each logged script call after the project script it ran (EVALSHA sha → packages/queue's script loader).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { readScriptDefinitions } from '@punctual/queue'
import { findFreePort } from '@punctual/queue/testing'
import { Redis } from 'ioredis'

export const SLOWLOG_US = 1000
const SLOWLOG_MAX = 100_000

export interface ProbedRedis {
  url: string
  port: number
  /** A client of this server, for the probes below. */
  client: Redis
  stop(): Promise<void>
}

/**
 * BENCH_REDIS_OWN_CORE=<cpu>: run the private redis-server as if it had a core of its own: pinned to that CPU
 * (taskset) at real-time priority (chrt -f 10), so no other process on the machine preempts it while it runs a
 * command (it sleeps in epoll when idle, leaving the core to the rest). Separates what our scripts cost from
 * the preemption a 2-core machine shared by the API, Postgres and the load generator adds.
 */
const OWN_CORE = process.env.BENCH_REDIS_OWN_CORE

function spawnServer(port: number): Promise<ChildProcess> {
  const prefix = OWN_CORE === undefined ? [] : ['chrt', '-f', '10', 'taskset', '-c', OWN_CORE]
  const child = spawn(
    prefix[0] ?? 'redis-server',
    [
      ...(prefix.length > 0 ? [...prefix.slice(1), 'redis-server'] : []),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      tmpdir(),
      '--slowlog-log-slower-than',
      String(SLOWLOG_US),
      '--slowlog-max-len',
      String(SLOWLOG_MAX),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    const fail = (why: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`redis-server on port ${port} ${why}: ${output.slice(-500)}`))
    }
    const timer = setTimeout(() => fail('did not start'), 10_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', (err) => fail(err.message))
    child.once('exit', (code) => fail(`exited with ${code}`))
  })
}

/** Starts the server (a free port, a few attempts in case another process takes it first). */
export async function startProbedRedis(): Promise<ProbedRedis> {
  let child: ChildProcess | undefined
  let port = 0
  for (let attempt = 1; !child; attempt++) {
    port = await findFreePort()
    try {
      child = await spawnServer(port)
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
  const server = child
  const killOnExit = () => server.kill('SIGKILL')
  process.once('exit', killOnExit)
  const url = `redis://127.0.0.1:${port}/0`
  const client = new Redis(url, { maxRetriesPerRequest: null })
  return {
    url,
    port,
    client,
    async stop() {
      client.disconnect()
      process.off('exit', killOnExit)
      if (server.exitCode !== null || server.signalCode !== null) return
      const exited = new Promise((r) => server.once('exit', r))
      server.kill('SIGTERM')
      await exited
    },
  }
}

/** INFO memory used_memory, in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory')
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN)
}

/** Empties the private server's data and its statistics (slow log, INFO commandstats); scripts stay loaded. */
export async function resetProbe(redis: Redis): Promise<void> {
  await redis.flushall()
  await redis.slowlog('RESET')
  await redis.config('RESETSTAT')
}

/** INFO commandstats of the script commands since the last reset: calls and microseconds in total. */
export async function scriptCommandStats(redis: Redis): Promise<{ calls: number; usec: number }> {
  const info = await redis.info('commandstats')
  let calls = 0
  let usec = 0
  for (const m of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+),usec=(\d+)/g)) {
    calls += Number(m[1])
    usec += Number(m[2])
  }
  return { calls, usec }
}

export interface SlowEntry {
  /** The project script (`upsertSchedule`), else what ran: another client's script or a plain command. */
  label: string
  project: boolean
  us: number
  /** Commands the script ran that were over the threshold themselves (Redis 7 logs them too, before it). */
  inner: { command: string; us: number }[]
}

let names: { bySha: Map<string, string>; byText: [string, string][] } | undefined

/** sha1 of each script as the loader sends it (includes expanded), and the start of its text (for EVAL). */
function scriptNames() {
  if (!names) {
    const defs = [...readScriptDefinitions().values()]
    names = {
      bySha: new Map(defs.map((d) => [createHash('sha1').update(d.lua).digest('hex'), d.name])),
      // The slow log keeps the first 128 bytes of a long argument: enough to tell our scripts apart.
      byText: defs.map((d) => [d.lua.slice(0, 100), d.name]),
    }
  }
  return names
}

/** Client address of the commands a script runs, in the slow log (Redis 7 logs those as well). */
const SCRIPT_CLIENT = '?:0'

/**
 * The slow log since the last reset, each entry named: EVALSHA of a project script by its loader name (ioredis
 * sends EVALSHA, and EVAL with the text only when the server does not know the script yet); any other script
 * as `other script (client <name>)`; a plain command by its name. A command run inside a script is logged just
 * before the script that ran it (whose time includes it): it is attached to that script as `inner`.
 */
export async function slowEntries(redis: Redis): Promise<{ entries: SlowEntry[]; full: boolean }> {
  const { bySha, byText } = scriptNames()
  const raw = (await redis.call('SLOWLOG', 'GET', String(SLOWLOG_MAX))) as [
    number,
    number,
    number,
    string[],
    string,
    string,
  ][]
  // SLOWLOG GET lists the newest first.
  raw.sort((a, b) => a[0] - b[0])
  const entries: SlowEntry[] = []
  let inner: SlowEntry['inner'] = []
  for (const [, , us, args, addr, clientName] of raw) {
    const command = String(args[0] ?? '').toUpperCase()
    if (addr === SCRIPT_CLIENT) {
      inner.push({ command, us })
      continue
    }
    let name: string | undefined
    if (command === 'EVALSHA') name = bySha.get(String(args[1]))
    else if (command === 'EVAL') name = byText.find(([text]) => String(args[1]).startsWith(text))?.[1]
    const script = command === 'EVALSHA' || command === 'EVAL'
    const label =
      name ??
      (script
        ? `other script (client ${clientName || 'unnamed'})`
        : `${command} (client ${clientName || 'unnamed'})`)
    entries.push({ label, project: name !== undefined, us, inner: script ? inner : [] })
    if (script) inner = []
  }
  return { entries, full: raw.length >= SLOWLOG_MAX }
}
