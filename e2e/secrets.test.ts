// Issue 15 end to end: tenant secrets resolved by a real worker process at run time (sent to the target, `***`
// in every record and answer), the rules that keep them where they belong (a planted `{{secrets.X}}` stays
// text, allowedHosts, a missing secret fails permanently), and outbound signatures verified on the receiving
// side with the `standardwebhooks` package, across attempts and across a rotation.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall, createFleet, type Fleet } from './fleet.ts'

interface Received {
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

interface ExecutionDto {
  id: string
  status: string
  attempt: number
  error: { message: string; class?: string; step?: string } | null
  steps: { name: string; status: string; body?: string; error?: string }[]
}

// A value with characters that URL-encoding and JSON change, so every form differs from the plain one.
const TOKEN = `tok/${randomBytes(12).toString('hex')}+"q"=`
let fleet: Fleet
let worker: WorkerProcess
let target: Server
let targetUrl = ''
const received: Received[] = []
const flakySeen = new Set<string>()

beforeAll(async () => {
  fleet = await createFleet()
  target = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      received.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body })
      const id = String(req.headers['webhook-id'])
      if (url.pathname === '/flaky' && !flakySeen.has(id)) {
        flakySeen.add(id)
        res.writeHead(503).end('try again')
        return
      }
      // The target echoes what it got: the step's recorded body would show the secret if nothing masked it.
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ headers: req.headers, query: url.search, body }))
    })
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`
  worker = startWorkerProcess({ ...fleet.env, LOG_LEVEL: 'trace', WORKER_SECRET_CACHE_TTL_MS: '100' })
  await worker.waitForLog('ready')
  expect((await apiCall(fleet, 'PUT', '/api/secrets/TOKEN', { value: TOKEN })).status).toBe(204)
}, 60_000)
afterAll(async () => {
  await worker?.stop()
  await new Promise((r) => target?.close(r))
  await fleet?.close()
})

/** A workflow of `steps` started by an event carrying `data`; answers the execution's id. */
async function run(steps: object[], data: object = {}, retryPolicy?: object): Promise<string> {
  const wf = await apiCall<{ id: string }>(fleet, 'POST', '/api/workflows', {
    name: `wf-${randomUUID()}`,
    steps,
  })
  expect(wf.status, JSON.stringify(wf.body)).toBe(201)
  const type = `sec.${randomUUID()}`
  const trigger = await apiCall(fleet, 'POST', '/api/triggers', {
    workflowId: wf.body.id,
    name: `t-${randomUUID()}`,
    type: 'event',
    eventType: type,
    ...(retryPolicy && { retryPolicy }),
  })
  expect(trigger.status, JSON.stringify(trigger.body)).toBe(201)
  const event = await apiCall<{ executions: string[] }>(fleet, 'POST', '/api/events', { type, data })
  expect(event.status).toBe(202)
  return event.body.executions[0]!
}

async function finished(id: string): Promise<ExecutionDto> {
  let last: ExecutionDto | undefined
  await waitFor(
    `execution ${id} to finish`,
    async () => {
      last = (await apiCall<ExecutionDto>(fleet, 'GET', `/api/executions/${id}`)).body
      return last.status === 'succeeded' || last.status === 'dead'
    },
    { timeoutMs: 20_000 },
  )
  return last!
}

/** Every form of a value the contract masks (and then some). */
function forms(value: string): string[] {
  const b = Buffer.from(value)
  return [
    value,
    encodeURIComponent(value),
    b.toString('base64'),
    b.toString('base64url'),
    JSON.stringify(value),
  ]
}

const signingSecret = async () =>
  (await apiCall<{ secret: string }>(fleet, 'GET', '/api/signing-secret')).body.secret

/** The standardwebhooks package's verification of a received request (throws when it does not verify). */
function verify(secret: string, r: Received) {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  })
}

describe('secrets in http steps', () => {
  it('reach the target, while the execution, its step outcomes and every answer show ***', async () => {
    const id = await run(
      [
        {
          name: 'call',
          type: 'http',
          method: 'POST',
          url: `${targetUrl}/echo?k={{secrets.TOKEN}}`,
          headers: { authorization: 'Bearer {{secrets.TOKEN}}' },
          body: { t: '{{secrets.TOKEN}}', planted: '{{input.planted}}', inline: 'x-{{input.planted}}' },
        },
      ],
      // Planted in the event's data: one pass, so it is sent as this text, never resolved.
      { planted: '{{secrets.TOKEN}}' },
    )
    const done = await finished(id)
    expect(done.status).toBe('succeeded')
    const got = received.find((r) => r.headers['x-execution-id'] === id)!
    expect(got.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(got.query.get('k')).toBe(TOKEN)
    expect(JSON.parse(got.body)).toEqual({
      t: TOKEN,
      planted: '{{secrets.TOKEN}}',
      inline: 'x-{{secrets.TOKEN}}',
    })

    // The echo came back in the step's body: recorded masked.
    expect(done.steps[0]!.body).toContain('Bearer ***')
    const answers = [
      JSON.stringify(done),
      JSON.stringify((await apiCall(fleet, 'GET', '/api/executions')).body),
      JSON.stringify((await apiCall(fleet, 'GET', '/api/workflows')).body),
      JSON.stringify((await apiCall(fleet, 'GET', '/api/secrets')).body),
      JSON.stringify((await apiCall(fleet, 'GET', '/api/audit')).body),
    ]
    const rows = await fleet.database.sql`select steps::text as s, error::text as e from executions`
    for (const text of [...answers, JSON.stringify(rows)]) {
      for (const form of forms(TOKEN)) expect(text).not.toContain(form)
    }
    const logs = worker.logs.map((l) => JSON.stringify(l)).join('\n')
    for (const form of forms(TOKEN)) expect(logs).not.toContain(form)
  })

  it('are sent only to allowedHosts; a missing secret or a refused host fails the step permanently', async () => {
    expect(
      (
        await apiCall(fleet, 'PUT', '/api/secrets/ELSEWHERE', {
          value: 'e-1',
          allowedHosts: ['api.example.com'],
        })
      ).status,
    ).toBe(204)
    expect(
      (await apiCall(fleet, 'PUT', '/api/secrets/HERE', { value: 'h-1', allowedHosts: ['127.0.0.1'] }))
        .status,
    ).toBe(204)
    const step = (path: string, name: string) => ({
      name: 's',
      type: 'http',
      method: 'GET',
      url: `${targetUrl}/${path}`,
      headers: { 'x-key': `{{secrets.${name}}}` },
    })
    const retry = { maxAttempts: 3, initialDelayMs: 50, jitter: 'none' }
    const refused = await finished(await run([step('refused', 'ELSEWHERE')], {}, retry))
    const missing = await finished(await run([step('missing', 'NOT_THERE')], {}, retry))
    const allowed = await finished(await run([step('allowed', 'HERE')], {}, retry))
    for (const [dead, message] of [
      [refused, 'secret ELSEWHERE may not be sent to 127.0.0.1'],
      [missing, 'secret NOT_THERE does not exist'],
    ] as const) {
      expect(dead.status).toBe('dead')
      expect(dead.attempt).toBe(1) // permanent: no retry
      expect(dead.error).toMatchObject({
        class: 'permanent',
        step: 's',
        message: expect.stringContaining(message),
      })
    }
    expect(allowed.status).toBe('succeeded')
    expect(received.filter((r) => r.path === '/refused' || r.path === '/missing')).toEqual([])
    expect(received.find((r) => r.path === '/allowed')!.headers['x-key']).toBe('h-1')
  })
})

describe('outbound signing', () => {
  it('signs every request (verified by standardwebhooks), with the same webhook-id on every attempt', async () => {
    const secret = await signingSecret()
    const id = await run(
      [{ name: 'flaky-step', type: 'http', method: 'POST', url: `${targetUrl}/flaky`, body: { n: 1 } }],
      {},
      { maxAttempts: 3, initialDelayMs: 50, jitter: 'none' },
    )
    expect((await finished(id)).status).toBe('succeeded')
    const attempts = received.filter((r) => r.headers['x-execution-id'] === id)
    expect(attempts).toHaveLength(2)
    for (const r of attempts) {
      expect(r.headers['webhook-id']).toBe(`${id}.flaky-step`)
      expect(verify(secret, r)).toEqual({ n: 1 })
    }
    // A changed body or another secret does not verify.
    expect(() => verify(secret, { ...attempts[0]!, body: '{"n":2}' })).toThrow()
    const other = `whsec_${randomBytes(24).toString('base64')}`
    expect(() => verify(other, attempts[0]!)).toThrow()
  })

  it('after a rotation signs with both secrets: either verifies', async () => {
    const before = await signingSecret()
    const rotated = await apiCall<{ secret: string }>(fleet, 'POST', '/api/signing-secret/rotate')
    expect(rotated.status).toBe(200)
    const after = rotated.body.secret
    expect(after).not.toBe(before)
    // The worker keeps signing keys for WORKER_SECRET_CACHE_TTL_MS (100 ms here).
    await new Promise((r) => setTimeout(r, 300))
    const id = await run([
      { name: 'after-rotation', type: 'http', method: 'POST', url: `${targetUrl}/echo`, body: { r: 1 } },
    ])
    expect((await finished(id)).status).toBe('succeeded')
    const got = received.find((r) => r.headers['x-execution-id'] === id)!
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2)
    expect(verify(after, got)).toEqual({ r: 1 })
    expect(verify(before, got)).toEqual({ r: 1 })
  })
})
