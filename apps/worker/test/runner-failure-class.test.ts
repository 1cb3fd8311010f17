import type { Step } from '@punctual/core'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createExecutionQueue } from '@punctual/queue'
import { createTestRedis, findFreePort, type TestRedis } from '@punctual/queue/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOutboundAgent, runWorkflowSteps } from '../src/runner/index.ts'
import {
  createExecution,
  getExecution,
  type HttpTarget,
  insertWorkflow,
  nextEvent,
  startTarget,
} from '../src/runner/testing.ts'
import { runnerHarness } from './runner-harness.ts'

/** Issue 16 item 1: failure classes and Retry-After, in the step engine and through a real runner. */

let target: HttpTarget
let db: TestDatabase
let r: TestRedis
const n = 0
const harness = runnerHarness('fc', () => ({ db, r }))
const { fresh, runner } = harness
const open = createOutboundAgent({ allowPrivate: true, allowlist: undefined })
const strict = createOutboundAgent({ allowPrivate: false, allowlist: undefined })
/** What /retry-after answers with: set per test. */
let retryAfter: string | undefined

beforeAll(async () => {
  ;[db, r] = await Promise.all([createTestDatabase(), createTestRedis()])
  target = await startTarget((req, res) => {
    if (req.url.startsWith('/hang')) return
    if (req.url.startsWith('/status/')) {
      res.statusCode = Number(req.url.split('/')[2]!.split('?')[0])
      if (retryAfter !== undefined) res.setHeader('retry-after', retryAfter)
      res.end('no')
      return
    }
    res.end('ok')
  })
})
afterEach(async () => {
  retryAfter = undefined
  await harness.stopAll()
})
afterAll(async () => {
  await Promise.all([open.destroy(), strict.destroy()])
  await harness.cleanup()
  await target?.close()
  await Promise.all([db?.close(), r?.cleanup()])
})

const execution = { id: '0192f5a0-0000-7000-8000-000000000016', scheduledFor: new Date(0), attempt: 1 }
const http = (url: string, extra: Record<string, unknown> = {}): Step =>
  ({ name: 'call', type: 'http', method: 'GET', url, ...extra }) as Step

async function runOne(step: Step, dispatcher = open) {
  return runWorkflowSteps({ steps: [step], execution, input: {}, dispatcher })
}

describe('step failures are classified', () => {
  it('each status family with the default list', async () => {
    const expected: [number, 'retryable' | 'permanent'][] = [
      [301, 'permanent'],
      [304, 'permanent'],
      [400, 'permanent'],
      [401, 'permanent'],
      [404, 'permanent'],
      [408, 'retryable'],
      [410, 'permanent'],
      [422, 'permanent'],
      [425, 'retryable'],
      [429, 'retryable'],
      [500, 'retryable'],
      [502, 'retryable'],
      [503, 'retryable'],
      [504, 'retryable'],
    ]
    for (const [status, cls] of expected) {
      const res = await runOne(http(`${target.url}/status/${status}`))
      expect(res.status, String(status)).toBe('failed')
      expect(res.error, String(status)).toEqual({
        message: `step call: HTTP ${status}`,
        class: cls,
        step: 'call',
        status,
      })
    }
  })

  it("a step's retryableStatuses replaces the default list", async () => {
    const four = await runOne(http(`${target.url}/status/404`, { retryableStatuses: ['4xx'] }))
    expect(four.error).toMatchObject({ class: 'retryable', status: 404 })
    const none = await runOne(http(`${target.url}/status/500`, { retryableStatuses: [] }))
    expect(none.error).toMatchObject({ class: 'permanent', status: 500 })
    const listed = await runOne(http(`${target.url}/status/409`, { retryableStatuses: [409] }))
    expect(listed.error).toMatchObject({ class: 'retryable', status: 409 })
  })

  it('a timeout and a connection error are retryable; a blocked address or a bad URL permanent', async () => {
    const timeout = await runOne(http(`${target.url}/hang`, { timeoutMs: 150 }))
    expect(timeout.error).toEqual({
      message: 'step call: timed out after 150 ms',
      class: 'retryable',
      step: 'call',
    })
    const port = await findFreePort()
    const refused = await runOne(http(`http://127.0.0.1:${port}/`))
    expect(refused.error).toMatchObject({ class: 'retryable', step: 'call' })
    expect(refused.error!.message).toMatch(/ECONNREFUSED/)
    const blocked = await runOne(http(`${target.url}/ok`), strict)
    expect(blocked.error).toMatchObject({ class: 'permanent', step: 'call' })
    expect(blocked.error!.message).toMatch(/blocked/)
    const badUrl = await runOne(http('{{input.url}}'))
    expect(badUrl.error).toMatchObject({ class: 'permanent', step: 'call' })
  })

  it('Retry-After on 429 and 503, in seconds and as an HTTP date; ignored when garbage, past, or on a 500', async () => {
    retryAfter = '7'
    expect((await runOne(http(`${target.url}/status/429`))).status === 'failed').toBe(true)
    expect(await runOne(http(`${target.url}/status/429`))).toMatchObject({ retryAfterMs: 7000 })
    expect(await runOne(http(`${target.url}/status/503`))).toMatchObject({ retryAfterMs: 7000 })
    const noHint = await runOne(http(`${target.url}/status/500`))
    expect(noHint.status === 'failed' && noHint.retryAfterMs).toBeUndefined()
    retryAfter = new Date(Date.now() + 60_000).toUTCString()
    const dated = await runOne(http(`${target.url}/status/503`))
    expect(dated.status === 'failed' && dated.retryAfterMs).toBeGreaterThan(55_000)
    expect(dated.status === 'failed' && dated.retryAfterMs).toBeLessThanOrEqual(60_000)
    for (const bad of ['soon', '-3', new Date(Date.now() - 60_000).toUTCString()]) {
      retryAfter = bad
      const res = await runOne(http(`${target.url}/status/503`))
      expect(res.status === 'failed' && res.retryAfterMs, bad).toBeUndefined()
    }
  })
})

const policy = { maxAttempts: 3, initialDelayMs: 100, backoffMultiplier: 2, maxDelayMs: 2000, jitter: 'none' }

describe('the runner acts on the class', () => {
  it('a permanent failure is dead at once (one call, execution.dead), with error.class and error.status', async () => {
    const keys = fresh()
    const queue = createExecutionQueue(r.redis, keys)
    const path = `/status/404?fc=${n}`
    const workflowId = await insertWorkflow(db.sql, { steps: [http(`${target.url}${path}`)] })
    const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: policy })
    const x = runner(keys)
    let retried = false
    x.events.on('execution.retrying', (e) => {
      if (e.id === id) retried = true
    })
    const dead = nextEvent(x.events, 'execution.dead', (e) => e.id === id)
    x.start()
    expect((await dead).error).toEqual({
      message: 'step call: HTTP 404',
      class: 'permanent',
      step: 'call',
      status: 404,
    })
    expect(retried).toBe(false)
    expect(target.requests.filter((q) => q.url === path)).toHaveLength(1)
    expect(await getExecution(db.sql, id)).toMatchObject({
      status: 'dead',
      attempt: 1,
      error: { class: 'permanent', status: 404, step: 'call' },
    })
  })

  it("Retry-After sets the next attempt's delay, capped at maxDelayMs; garbage uses the policy's delay", async () => {
    const keys = fresh()
    const queue = createExecutionQueue(r.redis, keys)
    const workflowId = await insertWorkflow(db.sql, { steps: [http(`${target.url}/status/429?fc=${n}`)] })
    const x = runner(keys)
    x.start()
    const delays = async (value: string, maxDelayMs: number) => {
      retryAfter = value
      const id = await createExecution(db.sql, queue, { workflowId, retryPolicy: { ...policy, maxDelayMs } })
      const e = await nextEvent(x.events, 'execution.retrying', (ev) => ev.id === id)
      return { delayMs: e.delayMs, error: e.error, row: await getExecution(db.sql, id) }
    }
    const seconds = await delays('1', 60_000)
    expect(seconds.delayMs).toBe(1000)
    expect(seconds.error).toMatchObject({ class: 'retryable', status: 429 })
    expect(seconds.row!.status).toBe('retrying')
    const capped = await delays('3600', 1500)
    expect(capped.delayMs).toBe(1500)
    const date = await delays(new Date(Date.now() + 30_000).toUTCString(), 60_000)
    expect(date.delayMs).toBeGreaterThan(25_000)
    expect(date.delayMs).toBeLessThanOrEqual(30_000)
    expect((await delays('whenever', 60_000)).delayMs).toBe(100)
    expect((await delays(new Date(Date.now() - 5000).toUTCString(), 60_000)).delayMs).toBe(100)
  })
})
