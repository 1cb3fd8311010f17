// The console's production build (esbuild): src/main.tsx and src/styles.css (with uPlot's stylesheet) into
// dist/assets/<name>-<hash>.{js,css}, and dist/index.html naming them. No inline script or style anywhere, so
// the page runs under `Content-Security-Policy: default-src 'self'` (apps/api/src/plugins/console.ts).
//
//   node apps/console/build.mjs [--if-stale]
//
// The whole dist/ is written under a temporary name and renamed into place (a server reading the old one
// never sees half a build). `--if-stale` (pnpm start, the browser tests) builds only when an input changed:
// the sources, this script, the lockfile and the client's generated types, compared by content hash.
import { createHash } from 'node:crypto'
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '../..')
export const consoleDist = join(here, 'dist')
const STAMP = '.inputs-hash'

async function files(dir) {
  const out = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await files(p)))
    else out.push(p)
  }
  return out
}

async function inputsHash() {
  const list = [
    ...(await files(join(here, 'src'))),
    join(here, 'build.mjs'),
    join(here, 'package.json'),
    join(root, 'pnpm-lock.yaml'),
    ...(await files(join(root, 'packages/client/src'))),
  ].sort()
  const hash = createHash('sha256')
  for (const f of list) {
    hash.update(`\0${relative(root, f)}\0`)
    hash.update(await readFile(f))
  }
  return hash.digest('hex')
}

/** Builds the console into dist/ (always, or with ifStale only when its inputs changed); resolves to dist/. */
export async function buildConsole({ ifStale = false } = {}) {
  const hash = await inputsHash()
  if (ifStale) {
    const current = await readFile(join(consoleDist, STAMP), 'utf8').catch(() => '')
    if (current === hash) return consoleDist
  }
  const { build } = await import('esbuild')
  const tmp = join(here, `.dist-${process.pid}-${Date.now()}`)
  try {
    const result = await build({
      absWorkingDir: here,
      entryPoints: { app: 'src/main.tsx', style: 'src/styles.css' },
      outdir: join(tmp, 'assets'),
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome110', 'firefox110', 'safari16'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      sourcemap: 'linked',
      metafile: true,
      legalComments: 'linked',
      logLevel: 'warning',
    })
    const outputs = Object.keys(result.metafile.outputs).map((p) =>
      relative(join(tmp, 'assets'), join(here, p)),
    )
    const js = outputs.find((p) => /^app-.*\.js$/.test(p))
    const css = outputs.find((p) => /^style-.*\.css$/.test(p))
    if (!js || !css) throw new Error(`console build: missing outputs in ${outputs.join(', ')}`)
    // The icon, named by its content like the rest (a browser asks for /favicon.ico otherwise).
    const icon = await readFile(join(here, 'src/favicon.svg'))
    const iconName = `favicon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`
    await writeFile(join(tmp, 'assets', iconName), icon)
    const html = [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<title>Punctual console</title>',
      `<link rel="icon" href="/ui/assets/${iconName}" type="image/svg+xml">`,
      `<link rel="stylesheet" href="/ui/assets/${css}">`,
      `<script type="module" src="/ui/assets/${js}"></script>`,
      '</head>',
      '<body>',
      '<div id="app"><noscript>The Punctual console needs JavaScript.</noscript></div>',
      '</body>',
      '</html>',
      '',
    ].join('\n')
    await writeFile(join(tmp, 'index.html'), html)
    await writeFile(join(tmp, STAMP), hash)
    // Swap: the old dist/ aside, the new one in. Another build running at the same moment may win the race;
    // its output is as fresh as ours, so ours is then dropped.
    const old = join(here, `.dist-old-${process.pid}-${Date.now()}`)
    await rename(consoleDist, old).catch((err) => {
      if (err.code !== 'ENOENT') throw err
    })
    try {
      await rename(tmp, consoleDist)
    } catch (err) {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err
      await rm(tmp, { recursive: true, force: true })
    }
    await rm(old, { recursive: true, force: true })
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {})
    throw err
  }
  return consoleDist
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildConsole({ ifStale: process.argv.includes('--if-stale') })
}
