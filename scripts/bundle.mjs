// Production build of a Node entry point: one ESM file with every workspace package and dependency bundled
// (esbuild), so the process runs as plain JavaScript — no TypeScript loader in memory (tsx adds about 75 MB of
// RSS to an idle worker) and no module resolution at start. The queue's Lua scripts are read from disk at
// run time (packages/queue/src/script-loader.ts, relative to the module), so they are copied beside the bundle.
//
//   node scripts/bundle.mjs <entry.ts> <out.js>
import { cp } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export async function bundle(entry, outfile) {
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
    // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  })
  await cp(resolve(root, 'packages/queue/src/scripts'), resolve(dirname(out), 'scripts'), { recursive: true })
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [entry, outfile] = process.argv.slice(2)
  if (!entry || !outfile) {
    console.error('usage: node scripts/bundle.mjs <entry.ts> <out.js>')
    process.exit(2)
  }
  await bundle(entry, outfile)
}
