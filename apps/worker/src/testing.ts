/**
 * Test fixture (`@punctual/worker/testing`, not part of the runtime surface): a real worker process, for the
 * worker's own process tests and the end-to-end tests in e2e/.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { collectJsonLines, sleep } from '@punctual/core/testing'
import { workerNodeFlags } from '../../../scripts/bundle.mjs'

const main = fileURLToPath(new URL('./main.ts', import.meta.url))
const appDir = fileURLToPath(new URL('..', import.meta.url))
const workerScripts: Record<string, string> = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).scripts

export interface WorkerProcess {
  child: ChildProcess
  id: string
  logs: Record<string, unknown>[]
  exited: Promise<number | null>
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Starts a real worker process against the given database and Redis keyspace: `src/main.ts` under tsx,
 * `opts.bundle`, a production build (scripts/bundle.mjs) run as plain JavaScript, or `opts.script`, a script
 * of apps/worker/package.json run as pnpm runs it (`sh -c` in the app's folder; its own process group, which
 * stop() signals as a whole).
 */
export function startWorkerProcess(
  env: Record<string, string>,
  opts: { bundle?: string; script?: string } = {},
): WorkerProcess {
  const id = env.WORKER_ID ?? `w-${Math.random().toString(36).slice(2, 8)}`
  const args = opts.bundle ? [...workerNodeFlags, opts.bundle] : ['--import', 'tsx', main]
  const childEnv = {
    ...process.env,
    LOG_LEVEL: 'info',
    WORKER_ID: id,
    OUTBOUND_ALLOW_PRIVATE: 'true',
    ...env,
  }
  const child = opts.script
    ? spawn('sh', ['-c', workerScripts[opts.script]!], {
        cwd: appDir,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
    : spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  const logs: Record<string, unknown>[] = []
  collectJsonLines(child.stdout!, logs, (line) => ({ msg: line }))
  child.stderr!.on('data', (d) => {
    logs.push({ msg: 'stderr', text: String(d) })
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    id,
    logs,
    exited,
    async waitForLog(msg, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const hit = logs.find((l) => l.msg === msg)
        if (hit) return hit
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(
            `worker ${id}: no "${msg}" log; got:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
          )
        }
        await sleep(50)
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) {
        if (opts.script) process.kill(-child.pid!, signal)
        else child.kill(signal)
      }
      return exited
    },
  }
}
