import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setup, type TestContext } from './helper.ts'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../..', import.meta.url))
const redocly = join(root, 'node_modules/.bin/redocly')

let ctx: TestContext
let dir: string
beforeAll(async () => {
  ctx = await setup()
  dir = mkdtempSync(join(tmpdir(), 'punctual-openapi-'))
})
afterAll(async () => {
  await ctx.close()
  rmSync(dir, { recursive: true, force: true })
})

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number }
  problems: { ruleId: string; message: string; location: { pointer?: string }[] }[]
}

/** `redocly lint` with the repository's redocly.yaml (recommended rules) on a document, telemetry off. */
async function lint(doc: unknown): Promise<LintReport> {
  const file = join(dir, `openapi-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(file, JSON.stringify(doc))
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }
  const args = ['lint', file, '--config', join(root, 'redocly.yaml'), '--format=json', '--max-problems=1000']
  const out = await run(redocly, args, { env, timeout: 60_000, maxBuffer: 16 << 20 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  )
  return JSON.parse(out.stdout) as LintReport
}

describe('the served OpenAPI document', () => {
  it('passes redocly recommended with no error and no warning, and no ignore file exists', async () => {
    const doc = (await ctx.app.inject({ url: '/openapi.json' })).json()
    const report = await lint(doc)
    const listed = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)
    expect(listed).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0, ignored: 0 })
    expect(existsSync(join(root, '.redocly.lint-ignore.yaml'))).toBe(false)
  })

  it('names every operation, refers to shared schemas, and declares each error as problem+json with its codes', async () => {
    const doc = (await ctx.app.inject({ url: '/openapi.json' })).json()
    const operations = Object.entries(
      doc.paths as Record<string, Record<string, Record<string, unknown>>>,
    ).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })))
    expect(operations.length).toBeGreaterThan(45)
    const ids = operations.map((o) => o.op['operationId'])
    expect(new Set(ids).size).toBe(ids.length)
    for (const { op } of operations) expect(op['summary']).toEqual(expect.any(String))
    for (const name of ['Schedule', 'Workflow', 'Execution', 'Trigger', 'Problem'])
      expect(doc.components.schemas).toHaveProperty([name])
    expect(doc.paths['/api/schedules/{id}'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Schedule',
    })
    const created = doc.paths['/api/schedules'].post.responses
    expect(Object.keys(created)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409', '422', '429']),
    )
    expect(created['422'].content['application/problem+json'].schema.allOf[1].properties.code.enum).toContain(
      'SCHED_ERR_CRON_INVALID',
    )
    expect(created['429'].headers).toHaveProperty(['Retry-After'])
    expect(created['201'].headers).toHaveProperty(['X-Request-Id'])
    expect(doc.paths['/metrics'].get.responses['200'].content).toHaveProperty(['text/plain'])
    const hookHeaders = doc.paths['/hooks/{triggerId}'].post.parameters.map((p: { name: string }) => p.name)
    expect(hookHeaders).toEqual(expect.arrayContaining(['webhook-signature', 'X-Hub-Signature-256']))
  })

  it('fails the lint when an operation loses its summary or its 4xx responses (the check can fail)', async () => {
    const doc = (await ctx.app.inject({ url: '/openapi.json' })).json()
    delete doc.paths['/api/workflows'].get.summary
    for (const status of Object.keys(doc.paths['/api/schedules'].get.responses))
      if (status.startsWith('4')) delete doc.paths['/api/schedules'].get.responses[status]
    const report = await lint(doc)
    expect(report.problems.map((p) => p.ruleId)).toEqual(
      expect.arrayContaining(['operation-summary', 'rule/operation-4xx-response-except-probes']),
    )
  })
})
