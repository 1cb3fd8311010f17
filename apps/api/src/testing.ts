/**
 * Test fixture (`@punctual/api/testing`, not part of the runtime surface): a real API process, for the API's
 * own process tests and the end-to-end tests in e2e/. Its log lines (JSON on stdout) and stderr are kept.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { collectJsonLines, sleep } from '@punctual/core/testing'
import { findFreePort } from '@punctual/queue/testing'

const server = fileURLToPath(new URL('./server.ts', import.meta.url))

export interface ApiProcess {
  child: ChildProcess
  port: number
  url: string
  /** Every stdout line, parsed when it is JSON (`{ raw }` otherwise). */
  logs: Record<string, unknown>[]
  /** Everything written to stdout and stderr, as written. */
  output(): string
  exited: Promise<number | null>
  /** Resolves once /healthz answers; throws if the process exits first. */
  ready(timeoutMs?: number): Promise<void>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `src/server.ts` under tsx, or `opts.bundle` (a production build) with plain node, on a free port. */
export async function startApiProcess(
  env: Record<string, string>,
  opts: { bundle?: string } = {},
): Promise<ApiProcess> {
  const port = await findFreePort()
  const args = opts.bundle ? [opts.bundle] : ['--import', 'tsx', server]
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'info', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Record<string, unknown>[] = []
  let all = ''
  child.stdout!.on('data', (d) => {
    all += d
  })
  collectJsonLines(child.stdout!, logs, (line) => ({ raw: line }))
  child.stderr!.on('data', (d) => {
    all += d
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  return {
    child,
    port,
    url,
    logs,
    output: () => all,
    exited,
    async ready(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}:\n${all}`)
        try {
          if ((await fetch(`${url}/healthz`)).ok) return
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error(`API not answering after ${timeoutMs} ms:\n${all}`)
        await sleep(100)
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}
