import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBundle } from '../../../scripts/bundle.mjs'
import { startWorkerProcess, type WorkerProcess } from '../src/testing.ts'

// `pnpm run start:worker` as a user runs it: the package script builds the production bundle when missing
// or stale, then runs it. This file owns apps/worker/dist (nothing else in the tests builds there).
const appDir = fileURLToPath(new URL('..', import.meta.url))
const dist = join(appDir, 'dist')
let database: TestDatabase
let redis: TestRedis
const workers: WorkerProcess[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  redis = await createTestRedis()
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')))
  await redis?.cleanup()
  await database?.close()
})

const builds = async (dir: string) => (await readdir(join(dir, 'builds'))).filter((n) => !n.startsWith('.'))

describe('start:worker', () => {
  it('three launches at the same moment on a deleted dist: one build, every worker ready', async () => {
    await rm(dist, { recursive: true, force: true })
    const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix }
    const trio = [0, 1, 2].map(() => startWorkerProcess(env, { script: 'start' }))
    workers.push(...trio)
    await Promise.all(trio.map((w) => w.waitForLog('ready', 60_000)))
    // The lock made the two others wait for the first build instead of building it again.
    expect(await builds(dist)).toHaveLength(1)
    expect(await readdir(dist)).toEqual(['builds', 'main.js'])
    expect(await Promise.all(trio.map((w) => w.stop()))).toEqual([0, 0, 0])
    for (const w of trio) expect(w.logs.filter((l) => l.msg === 'stderr')).toEqual([])

    // Up to date: the next launch builds nothing.
    const launcher = await readFile(join(dist, 'main.js'), 'utf8')
    const again = spawnSync(process.execPath, ['../../scripts/bundle.mjs', '--if-stale', 'worker'], {
      cwd: appDir,
      encoding: 'utf8',
    })
    expect(again.status).toBe(0)
    expect(await readFile(join(dist, 'main.js'), 'utf8')).toBe(launcher)
    expect(await builds(dist)).toHaveLength(1)
  }, 120_000)

  it('rebuilds when an input changed, not otherwise, and never waits on a dead builder', async () => {
    // A small entry of its own (the real sources must not be edited by a test): entry → dep.
    const dir = join(appDir, '.tmp', `stale-${randomUUID()}`)
    const rel = `apps/worker/.tmp/${dir.split('/').pop()}`
    await mkdir(dir, { recursive: true })
    // Inputs written long before the build (an input changed during the build leaves it "unsettled").
    const write = async (file: string, text: string) => {
      await writeFile(join(dir, file), text)
      const past = new Date(Date.now() - 60_000)
      await utimes(join(dir, file), past, past)
    }
    const run = (file: string) => spawnSync(process.execPath, [file], { encoding: 'utf8' }).stdout.trim()
    try {
      await write('entry.ts', "import { word } from './dep.ts'\nconsole.log(word)\n")
      await write('dep.ts', "export const word: string = 'one'\n")
      const out = await ensureBundle(`${rel}/entry.ts`, `${rel}/out/main.js`)
      expect(run(out)).toBe('one')
      const [first] = await builds(join(dir, 'out'))

      await ensureBundle(`${rel}/entry.ts`, `${rel}/out/main.js`)
      expect(await builds(join(dir, 'out'))).toEqual([first])

      // A lock left by a builder that died does not hold the next one up.
      await writeFile(join(dir, 'out', '.build.lock'), `999999999 ${Date.now()} dead`)
      await write('dep.ts', "export const word: string = 'two'\n")
      const t0 = Date.now()
      await ensureBundle(`${rel}/entry.ts`, `${rel}/out/main.js`)
      expect(Date.now() - t0).toBeLessThan(20_000)
      expect(run(out)).toBe('two')
      const rebuilt = await builds(join(dir, 'out'))
      expect(rebuilt).toHaveLength(2)
      expect(rebuilt).toContain(first)
      expect(await readdir(join(dir, 'out'))).toEqual(['builds', 'main.js'])

      // The Lua scripts travel with each build.
      const current = rebuilt.find((n) => n !== first)!
      expect(await readdir(join(dir, 'out', 'builds', current, 'scripts'))).toContain('claim-due-4.lua')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
