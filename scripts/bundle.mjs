// Production build of a Node entry point: one ESM file with every workspace package and dependency bundled
// (esbuild), so the process runs as plain JavaScript — no TypeScript loader in memory (tsx adds about 75 MB of
// RSS to an idle worker) and no module resolution at start. The queue's Lua scripts are read from disk at
// run time (packages/queue/src/script-loader.ts, relative to the module), so they are copied beside the bundle.
//
//   node scripts/bundle.mjs [--if-stale] (api | worker | <entry.ts> <out.js> [--external <package>]...)
//
// Layout: each build goes whole into its own folder, `<out dir>/builds/<id>/` (bundle, source map, scripts,
// and inputs.json: the fingerprint of what it was built from), written under a temporary name and renamed
// into place; then `<out.js>` — a one-line module importing that build — is written beside and renamed over
// the old one. A rename is atomic, so any number of processes may build and start at the same moment: each
// sees the previous build or the next one, never a half-written folder. `--if-stale` (what `start:api`,
// `start:worker` and `pnpm start` run) builds only when the current build's inputs changed, and concurrent
// launches take a lock file so that one builds while the others wait for it; the lock only saves work,
// the renames are what make it safe.
import { createHash, randomBytes } from 'node:crypto'
import { cp, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const LUA_DIR = 'packages/queue/src/scripts'
const MANIFEST = 'inputs.json'
/** Older builds kept beside the current one, for a process that read the previous launcher a moment ago. */
const KEEP_PREVIOUS = 2
/**
 * An input modified less than this before the build started may have changed while esbuild read it, or on a
 * file system with coarse timestamps after: the build is then marked unsettled and the next start rebuilds.
 */
const MTIME_SLACK_MS = 2000
const LOCK_STALE_MS = 10 * 60_000
const LOCK_WAIT_MS = 5 * 60_000

/**
 * V8 flags the worker runs with in production (`pnpm start:worker`, `pnpm start`, the benchmark). An 8 MB
 * semi-space (V8's default is 16 MB, tripled for the young generation) keeps a worker's short-lived garbage
 * (due-index pages, fire batches) from holding ~35 MB of young generation for good: measured with 100,000
 * schedules, RSS 140–160 MB with the default and 100–130 MB with 4 MB. 4 MB was the flag until 2026-12-08;
 * 8 MB halves the scavenges inside a burst of fires (about 50 KB of garbage per fire), for ~8 MB more RSS:
 * with 10,000 schedules every 10 s, three interleaved pairs gave firing lag p99 medians 101 → 90 ms and RSS
 * 113–117 → 122–126 MB (docs/benchmarks.md, 2026-12-08).
 * A heap growing factor of 50 % (V8 grows the old generation by up to 100 % of the live size after a full GC)
 * keeps the slack between collections smaller: with 10,000 schedules every 10 s, worker RSS 117 MB instead of
 * 169–171 MB and firing lag p99 100 / 118 ms instead of 114 / 153 ms (docs/benchmarks.md, 2026-12-07 05:44).
 */
export const workerNodeFlags = ['--max-semi-space-size=8', '--heap-growing-percent=50']

/** The API's production bundle: swagger-ui serves its own static files, so it stays outside. */
export const apiBundle = {
  entry: 'apps/api/src/server.ts',
  outfile: 'apps/api/dist/server.js',
  external: ['@fastify/swagger-ui'],
}

/** The worker's production bundle. */
export const workerBundle = {
  entry: 'apps/worker/src/main.ts',
  outfile: 'apps/worker/dist/main.js',
  external: [],
}

const targets = { api: apiBundle, worker: workerBundle }

/** Builds `entry` into `outfile` (repository-relative or absolute), atomically; resolves to `outfile`'s path. */
export async function bundle(entry, outfile, opts = {}) {
  return build(target(entry, outfile, opts))
}

/**
 * As bundle(), but only when `outfile` is missing or stale: any input of its current build (the sources
 * esbuild read, the Lua scripts, package.json files, the lockfile, tsconfig files, this script) differs from
 * what it was built from, compared by content hash. Dependencies in node_modules are covered by the lockfile.
 */
export async function ensureBundle(entry, outfile, opts = {}) {
  const t = target(entry, outfile, opts)
  const checkedAt = Date.now()
  if (await isFresh(t)) return t.out
  await mkdir(dirname(t.out), { recursive: true })
  const lock = await acquireLock(join(dirname(t.out), '.build.lock'))
  try {
    // Another launch may have built meanwhile (usually while we waited for its lock). A build started after
    // we found ours stale saw inputs at least as new as we did: take it, even if it is marked unsettled.
    const current = await currentBuild(t)
    if ((current?.manifest.startedAt ?? 0) >= checkedAt || (await isFresh(t))) return t.out
    return await build(t)
  } finally {
    await lock.release()
  }
}

function target(entry, outfile, opts) {
  const out = resolve(root, outfile)
  return { entry, out, external: [...(opts.external ?? [])].sort() }
}

async function build(t) {
  const { build: esbuild } = await import('esbuild')
  const outDir = dirname(t.out)
  const name = basename(t.out)
  const buildsDir = join(outDir, 'builds')
  await mkdir(buildsDir, { recursive: true })
  // Time first, so that ids sort by age (base 36 milliseconds: 8 characters until 2059).
  const id = `${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}`
  const tmp = join(buildsDir, `.tmp-${id}`)
  const startedAt = Date.now()
  try {
    const result = await esbuild({
      absWorkingDir: root,
      entryPoints: [resolve(root, t.entry)],
      outfile: join(tmp, name),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      // Packages that read their own files at run time (e.g. @fastify/swagger-ui's static assets) stay
      // outside the bundle and are resolved from the output's package (its node_modules).
      external: t.external,
      // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    })
    await cp(resolve(root, LUA_DIR), join(tmp, 'scripts'), { recursive: true })
    // Workspace sources are listed by their real paths; node_modules is the lockfile's business.
    const sources = Object.keys(result.metafile.inputs).filter(
      (file) => !file.includes('node_modules/') && !file.includes(':'),
    )
    const print = await fingerprint(t, sources)
    const manifest = {
      entry: t.entry,
      startedAt,
      hash: print?.hash ?? null,
      settled: print !== null && print.newestMtimeMs < startedAt - MTIME_SLACK_MS,
      sources,
    }
    await writeFile(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`)
    await rename(tmp, join(buildsDir, id))
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {})
    throw err
  }
  const launcher = join(outDir, `.${name}.${id}.tmp`)
  await writeFile(
    launcher,
    [
      `// The current build of ${t.entry} (scripts/bundle.mjs): each build lives in builds/<id>/ and this file,`,
      '// replaced by a rename, says which one runs.',
      `import './builds/${id}/${name}'`,
      '',
    ].join('\n'),
  )
  await rename(launcher, t.out)
  await pruneBuilds(buildsDir, t)
  return t.out
}

const LAUNCHER_IMPORT = /^import '\.\/builds\/([A-Za-z0-9-]+)\/[^'/]+'$/m

async function currentBuild(t) {
  try {
    const id = LAUNCHER_IMPORT.exec(await readFile(t.out, 'utf8'))?.[1]
    if (!id) return null
    const dir = join(dirname(t.out), 'builds', id)
    return { id, dir, manifest: JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) }
  } catch (err) {
    if (err.code === 'ENOENT' || err instanceof SyntaxError) return null
    throw err
  }
}

async function isFresh(t) {
  const current = await currentBuild(t)
  if (!current?.manifest.settled || current.manifest.entry !== t.entry) return false
  const print = await fingerprint(t, current.manifest.sources)
  return print !== null && print.hash === current.manifest.hash
}

/**
 * A content hash of the build's options and inputs: `sources` (from esbuild's metafile) and the files around
 * them that change a build without being imported. Null when an input is gone (then the build is stale).
 */
async function fingerprint(t, sources) {
  const files = [...new Set([...sources, ...(await surroundingInputs())])].sort()
  let contents
  try {
    contents = await Promise.all(
      files.map(async (file) => {
        const path = resolve(root, file)
        const [content, info] = await Promise.all([readFile(path), stat(path)])
        return { file, content, mtimeMs: info.mtimeMs }
      }),
    )
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null
    throw err
  }
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ entry: t.entry, out: t.out, external: t.external }))
  let newestMtimeMs = 0
  for (const { file, content, mtimeMs } of contents) {
    hash.update(`\0${file}\0${content.length}\0`)
    hash.update(content)
    newestMtimeMs = Math.max(newestMtimeMs, mtimeMs)
  }
  return { hash: hash.digest('hex'), newestMtimeMs }
}

/** Repository-relative paths: this script, the lockfile, package.json and tsconfig files, the Lua scripts. */
async function surroundingInputs() {
  const files = [
    'scripts/bundle.mjs',
    'package.json',
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    'tsconfig.base.json',
  ]
  for (const group of ['apps', 'packages']) {
    for (const dir of await readdir(join(root, group), { withFileTypes: true })) {
      if (!dir.isDirectory()) continue
      const present = new Set(await readdir(join(root, group, dir.name)))
      for (const file of ['package.json', 'tsconfig.json']) {
        if (present.has(file)) files.push(`${group}/${dir.name}/${file}`)
      }
    }
  }
  await listFiles(LUA_DIR, files)
  return files
}

async function listFiles(dir, into) {
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    if (entry.isDirectory()) await listFiles(`${dir}/${entry.name}`, into)
    else if (entry.isFile()) into.push(`${dir}/${entry.name}`)
  }
}

/**
 * Removes builds other than the current one and the KEEP_PREVIOUS newest, and temporary folders left by a
 * build that died (older than the lock's staleness). Best effort: another launch may be pruning too.
 */
async function pruneBuilds(buildsDir, t) {
  const current = (await currentBuild(t))?.id
  const names = (await readdir(buildsDir)).sort().reverse()
  const done = names.filter((n) => !n.startsWith('.') && n !== current)
  const doomed = done.slice(KEEP_PREVIOUS)
  for (const n of names) {
    if (!n.startsWith('.tmp-')) continue
    const info = await stat(join(buildsDir, n)).catch(() => null)
    if (info && Date.now() - info.mtimeMs > LOCK_STALE_MS) doomed.push(n)
  }
  for (const n of doomed) await rm(join(buildsDir, n), { recursive: true, force: true }).catch(() => {})
}

/**
 * An exclusive lock file (O_EXCL create) holding the owner's pid and time. A lock whose owner is gone, or
 * older than LOCK_STALE_MS, is broken; past LOCK_WAIT_MS we go on without it (the renames keep that safe).
 */
async function acquireLock(path) {
  const mine = `${process.pid} ${Date.now()} ${randomBytes(4).toString('hex')}`
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      const handle = await open(path, 'wx')
      await handle.writeFile(mine)
      await handle.close()
      return { release: () => releaseLock(path, mine) }
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
    }
    if (Date.now() > deadline) return { release: async () => {} }
    const holder = await readFile(path, 'utf8').catch(() => '')
    const [pid, at] = holder.split(' ').map(Number)
    if (holder && (!alive(pid) || Date.now() - at > LOCK_STALE_MS)) {
      await unlink(path).catch(() => {})
      continue
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function releaseLock(path, mine) {
  if ((await readFile(path, 'utf8').catch(() => '')) === mine) await unlink(path).catch(() => {})
}

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const ifStale = args.includes('--if-stale')
  if (ifStale) args.splice(args.indexOf('--if-stale'), 1)
  const external = []
  for (let i = args.indexOf('--external'); i !== -1; i = args.indexOf('--external')) {
    external.push(...args.splice(i, 2).slice(1))
  }
  const named = args.length === 1 ? targets[args[0]] : undefined
  const [entry, outfile] = named ? [named.entry, named.outfile] : args
  if (!entry || !outfile) {
    console.error(
      'usage: node scripts/bundle.mjs [--if-stale] (api | worker | <entry.ts> <out.js> [--external <package>]...)',
    )
    process.exit(2)
  }
  await (ifStale ? ensureBundle : bundle)(entry, outfile, { external: named ? named.external : external })
}
