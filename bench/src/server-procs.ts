/**
 * HTTP servers the API and ingest benchmarks run as their own processes (our API and the bare peer routes),
 * started under tsx from the repository root, plus readiness polling and a clean stop.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Starts `script` listening on `port`; env adds to this process's (DATABASE_URL, REDIS_URL, …). */
export function startServer(
  script: string,
  port: number,
  env: Record<string, string>,
  flags: string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...flags, '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATABASE_POOL_SIZE: '20', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

/** Resolves once `url` answers below 500 (30 s at most). */
export async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).status < 500) return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`${url} did not come up`)
}

/** SIGTERM, then waits for the exit. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.on('exit', r))
  child.kill('SIGTERM')
  await exited
}
