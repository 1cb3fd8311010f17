// Production build of a Node entry point: one ESM file with every workspace package and dependency bundled
// (esbuild), so the process runs as plain JavaScript — no TypeScript loader in memory (tsx adds about 75 MB of
// RSS to an idle worker) and no module resolution at start. The queue's Lua scripts are read from disk at
// run time (packages/queue/src/script-loader.ts, relative to the module), so they are copied beside the bundle.
//
//   node scripts/bundle.mjs <entry.ts> <out.js> [--external <package>]...
import { cp } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/**
 * V8 flags the worker runs with in production (`pnpm start:worker`, `pnpm start`, the benchmark). A 4 MB
 * semi-space (V8's default is 16 MB, tripled for the young generation) keeps a worker's short-lived garbage
 * (due-index pages, fire batches) from holding ~35 MB of young generation for good: measured with 100,000
 * schedules, RSS 140–160 MB with the default and 100–130 MB with this, for more frequent (cheap) scavenges.
 */
export const workerNodeFlags = ['--max-semi-space-size=4']

/** The API's production bundle: swagger-ui serves its own static files, so it stays outside. */
export const apiBundle = {
  entry: 'apps/api/src/server.ts',
  outfile: 'apps/api/dist/server.js',
  external: ['@fastify/swagger-ui'],
}

export async function bundle(entry, outfile, opts = {}) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const out = resolve(root, outfile)
  await build({
    entryPoints: [resolve(root, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    // Packages that read their own files at run time (e.g. @fastify/swagger-ui's static assets) stay
    // outside the bundle and are resolved from the output's package (its node_modules).
    external: opts.external ?? [],
    // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  })
  await cp(resolve(root, 'packages/queue/src/scripts'), resolve(dirname(out), 'scripts'), { recursive: true })
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const external = []
  for (let i = args.indexOf('--external'); i !== -1; i = args.indexOf('--external')) {
    external.push(...args.splice(i, 2).slice(1))
  }
  const [entry, outfile] = args
  if (!entry || !outfile) {
    console.error('usage: node scripts/bundle.mjs <entry.ts> <out.js> [--external <package>]...')
    process.exit(2)
  }
  await bundle(entry, outfile, { external })
}
