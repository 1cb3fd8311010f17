/**
 * HTTP servers the API and ingest benchmarks run as their own processes (our API and the bare peer routes),
 * started under tsx from the repository root, plus readiness polling and a clean stop.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { apiBundle, bundle } from '../../scripts/bundle.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The servers a benchmark compares, each run as a production bundle (scripts/bundle.mjs: plain JavaScript,
 * as `pnpm start` runs the API), so neither pays for a TypeScript loader: our API (apps/api/dist/server.js)
 * and the bare peer (bench/dist/bare/bare-server.js).
 */
export async function buildServers(): Promise<{ api: string; bare: string }> {
  const [api, bare] = await Promise.all([
    bundle(apiBundle.entry, apiBundle.outfile, { external: apiBundle.external }),
    bundle('bench/src/bare-server.ts', 'bench/dist/bare/bare-server.js'),
  ])
  return { api, bare }
}

/** Our API's production bundle alone (benchmarks that drive the API as a user does, without the bare peer). */
export function buildApi(): Promise<string> {
  return bundle(apiBundle.entry, apiBundle.outfile, { external: apiBundle.external })
}

/** Starts the bundle `file` listening on `port`; env adds to this process's (DATABASE_URL, REDIS_URL, …). */
export function startServer(
  file: string,
  port: number,
  env: Record<string, string>,
  flags: string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...flags, file], {
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
