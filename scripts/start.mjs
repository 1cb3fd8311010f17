// `pnpm start`: migrate, then run the API and one worker together, print where to go and a dev token.
// Ctrl-C (or SIGTERM) stops both. Environment variables are passed through (see README: Configuration).
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildConsole } from '../apps/console/build.mjs'
import { apiBundle, ensureBundle, workerBundle, workerNodeFlags } from './bundle.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const node = process.execPath
const tsx = ['--import', 'tsx']

const migrate = spawnSync(node, [...tsx, 'packages/db/src/migrate-cli.ts'], { cwd: root, stdio: 'inherit' })
if (migrate.status !== 0) process.exit(migrate.status ?? 1)

// Both run as their production bundles (plain JavaScript: no TypeScript loader in memory or on the hot path),
// built only when missing or stale (as start:api and start:worker do).
// The web console the API serves at /ui (apps/console/dist), likewise built when missing or stale.
const [serverFile, workerFile] = await Promise.all([
  ...[apiBundle, workerBundle].map((b) => ensureBundle(b.entry, b.outfile, { external: b.external })),
  buildConsole({ ifStale: true }),
])
const children = [
  spawn(node, [serverFile], { cwd: root, stdio: 'inherit' }),
  spawn(node, [...workerNodeFlags, workerFile], { cwd: root, stdio: 'inherit' }),
]
let stopping = false
function stopAll(code) {
  if (stopping) return
  stopping = true
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(
    () => process.exit(code),
  )
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0))
for (const child of children) child.on('exit', (code) => stopAll(code ?? 1))

const host = process.env.HOST ?? '127.0.0.1'
const port = process.env.PORT ?? '3000'
const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
for (let i = 0; i < 300 && !stopping; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break
  } catch {}
  await new Promise((r) => setTimeout(r, 100))
}
const token = spawnSync(node, [...tsx, 'apps/api/src/token-cli.ts', '--tenant', 'acme', '--role', 'admin'], {
  cwd: root,
  encoding: 'utf8',
})
console.log(`
  Punctual is running.
  API:    ${base}
  Console: ${base}/ui/  (sign in with the token below)
  Docs:   ${base}/docs
  Token:  ${token.stdout.trim()}
          (tenant acme, role admin, 24 h; mint others with: pnpm run token --tenant acme --role editor)

  Try:    curl -s ${base}/api/schedules -H "Authorization: Bearer $TOKEN"
`)
