// Issue 14: with NODE_ENV=production the API and the worker refuse weak credentials at boot. Each production
// bundle is started as a process with each bad configuration: a non-zero exit, one line naming the variable,
// and the value nowhere in what the process wrote.
import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { DEV_SECRETS_ENCRYPTION_KEY } from '@punctual/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiBundle, bundle, workerBundle, workerNodeFlags } from '../scripts/bundle.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const id = randomUUID()
// Built inside each app (the API's external packages resolve from its node_modules), removed after.
const dirs = { api: `apps/api/.tmp/prod-${id}`, worker: `apps/worker/.tmp/prod-${id}` }
let files: { api: string; worker: string }

beforeAll(async () => {
  files = {
    api: await bundle(apiBundle.entry, `${dirs.api}/server.js`, { external: apiBundle.external }),
    worker: await bundle(workerBundle.entry, `${dirs.worker}/main.js`, { external: workerBundle.external }),
  }
}, 120_000)
afterAll(async () => {
  await rm(`${root}${dirs.api}`, { recursive: true, force: true })
  await rm(`${root}${dirs.worker}`, { recursive: true, force: true })
})

/** Runs a bundle with only `env` (plus PATH) and NODE_ENV=production; its exit code and everything it wrote. */
function run(which: 'api' | 'worker', env: Record<string, string>) {
  const args = which === 'worker' ? [...workerNodeFlags, files.worker] : [files.api]
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1/0',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d) => {
    output += d
  })
  child.stderr!.on('data', (d) => {
    output += d
  })
  return {
    child,
    done: new Promise<{ code: number | null; output: string }>((resolve) =>
      child.on('exit', (code) => resolve({ code, output })),
    ),
  }
}

const devBytes = Buffer.from(DEV_SECRETS_ENCRYPTION_KEY, 'base64')
const ownKey = randomBytes(32).toString('base64')
const goodJwt = `prod-${randomBytes(24).toString('hex')}`
/** Every way a value could show: as given, trimmed, base64, hex. */
const forms = (value: string) => {
  const t = value.trim()
  return [t, Buffer.from(t).toString('base64'), Buffer.from(t).toString('hex')]
}

interface Case {
  what: string
  env: Record<string, string>
  variable: string
  /** Values that must appear nowhere in the output. */
  hidden: string[]
}

const keyCases: Case[] = [
  { what: 'no key at all', env: {}, variable: 'SECRETS_ENCRYPTION_KEY', hidden: [] },
  {
    what: 'the development key, unpadded',
    env: { SECRETS_ENCRYPTION_KEY: DEV_SECRETS_ENCRYPTION_KEY.replace(/=$/, '') },
    variable: 'SECRETS_ENCRYPTION_KEY',
    hidden: [DEV_SECRETS_ENCRYPTION_KEY.replace(/=$/, '')],
  },
  {
    what: 'the development key as hex, space-padded',
    env: { SECRETS_ENCRYPTION_KEY: `  ${devBytes.toString('hex')} ` },
    variable: 'SECRETS_ENCRYPTION_KEY',
    hidden: [devBytes.toString('hex')],
  },
  {
    what: 'a ring holding the development key',
    env: { SECRETS_ENCRYPTION_KEYS: `${ownKey},${devBytes.toString('base64url')}` },
    variable: 'SECRETS_ENCRYPTION_KEYS',
    hidden: [ownKey, devBytes.toString('base64url')],
  },
  {
    what: 'a malformed key',
    env: { SECRETS_ENCRYPTION_KEY: 'my-secret-passphrase-not-a-key' },
    variable: 'SECRETS_ENCRYPTION_KEY',
    hidden: ['my-secret-passphrase-not-a-key'],
  },
  {
    what: 'a database URL with a password and a wrong scheme',
    env: { SECRETS_ENCRYPTION_KEY: ownKey, DATABASE_URL: 'mysql://app:pa55-w0rd-xyz@db.internal/app' },
    variable: 'DATABASE_URL',
    hidden: ['pa55-w0rd-xyz', ownKey],
  },
]

const apiCases: Case[] = [
  {
    what: 'no JWT_SECRET',
    env: { SECRETS_ENCRYPTION_KEY: ownKey },
    variable: 'JWT_SECRET',
    hidden: [ownKey],
  },
  {
    what: 'the development JWT_SECRET',
    env: { SECRETS_ENCRYPTION_KEY: ownKey, JWT_SECRET: 'dev-secret-change-me-in-production' },
    variable: 'JWT_SECRET',
    hidden: ['dev-secret-change-me-in-production', ownKey],
  },
  {
    what: 'a JWT_SECRET under 32 bytes',
    env: { SECRETS_ENCRYPTION_KEY: ownKey, JWT_SECRET: 'short-but-16-plus-chars' },
    variable: 'JWT_SECRET',
    hidden: ['short-but-16-plus-chars', ownKey],
  },
  ...keyCases.map((c) => ({ ...c, env: { JWT_SECRET: goodJwt, ...c.env }, hidden: [...c.hidden, goodJwt] })),
]

async function expectRefusal(which: 'api' | 'worker', c: Case) {
  const { code, output } = await run(which, c.env).done
  expect(code, `${which}: ${c.what}\n${output}`).not.toBe(0)
  const lines = output.trim().split('\n')
  expect(lines, `${which}: ${c.what}`).toHaveLength(1)
  expect(lines[0]).toContain(c.variable)
  for (const value of c.hidden) {
    for (const form of forms(value)) expect(output, `${which}: ${c.what}`).not.toContain(form)
  }
}

describe('NODE_ENV=production refuses weak credentials at boot', () => {
  it('the API bundle: a missing, public or short JWT_SECRET; a missing, public or malformed key; a bad URL', async () => {
    for (const c of apiCases) await expectRefusal('api', c)
  }, 120_000)

  it('the worker bundle: a missing, public or malformed key; a bad URL', async () => {
    for (const c of keyCases) await expectRefusal('worker', c)
  }, 120_000)

  it('both start with credentials of their own (the API also without JWT_SECRET when a JWKS is set)', async () => {
    const configs: ['api' | 'worker', Record<string, string>][] = [
      ['api', { JWT_SECRET: goodJwt, SECRETS_ENCRYPTION_KEY: ownKey }],
      ['api', { JWT_JWKS_URL: 'https://id.example.com/jwks.json', SECRETS_ENCRYPTION_KEYS: ownKey }],
      ['worker', { SECRETS_ENCRYPTION_KEY: ownKey, LOG_LEVEL: 'info' }],
    ]
    for (const [which, env] of configs) {
      const p = run(which, { LOG_LEVEL: 'info', ...env })
      // Up and retrying its dependencies (unreachable here): not a configuration refusal.
      let output = ''
      p.child.stdout!.on('data', (d) => {
        output += d
      })
      const started = await Promise.race([
        new Promise<boolean>((resolve) => {
          const check = setInterval(() => {
            if (/Server listening|dependencies not reachable|"msg":"starting/.test(output)) {
              clearInterval(check)
              resolve(true)
            }
          }, 50)
          p.child.on('exit', () => {
            clearInterval(check)
            resolve(false)
          })
        }),
      ])
      expect(started, `${which} ${JSON.stringify(Object.keys(env))}: ${output}`).toBe(true)
      p.child.kill('SIGTERM')
      const { output: all } = await p.done
      for (const value of [goodJwt, ownKey]) expect(all).not.toContain(value)
    }
  }, 60_000)
})
