import net from 'node:net'
import type { Step } from '@punctual/core'
import { waitFor } from '@punctual/core/testing'
import { findFreePort } from '@punctual/queue/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOutboundAgent, runWorkflowSteps } from '../src/runner/index.ts'
import { JobAbort } from '../src/runner/job.ts'
import { type HttpTarget, startTarget } from '../src/runner/testing.ts'

let target: HttpTarget
const open = createOutboundAgent({ allowPrivate: true, allowlist: undefined })
const strict = createOutboundAgent({ allowPrivate: false, allowlist: undefined })

beforeAll(async () => {
  target = await startTarget((req, res) => {
    if (req.url.startsWith('/hang')) return // never answers
    if (req.url.startsWith('/status/')) {
      res.statusCode = Number(req.url.split('/')[2])
      if (res.statusCode === 302) res.setHeader('location', '/ok')
      res.end('nope')
      return
    }
    if (req.url.startsWith('/big')) {
      res.setHeader('content-type', 'text/plain; charset=utf-8')
      res.end('é'.repeat(5000)) // 10,000 bytes of 2-byte characters
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ token: 'abc', items: [{ id: 7 }] }))
  })
})
afterAll(async () => {
  await Promise.all([open.destroy(), strict.destroy()])
  await target?.close()
})

const execution = { id: '0192f5a0-0000-7000-8000-000000000001', scheduledFor: new Date(0), attempt: 2 }

/** An attempt of 0 ms delays alone: nothing in it waits, so nothing needs a signal. */
const twoNoDelays: Step[] = [
  { name: 'a', type: 'delay', ms: 0 },
  { name: 'b', type: 'delay', ms: 0 },
]

function http(name: string, url: string, extra: Record<string, unknown> = {}): Step {
  return { name, type: 'http', method: 'GET', url, ...extra } as Step
}

describe('runWorkflowSteps', () => {
  it('runs an http step then a delay step and records both outcomes', async () => {
    const t0 = performance.now()
    const r = await runWorkflowSteps({
      steps: [http('fetch', `${target.url}/data`), { name: 'wait', type: 'delay', ms: 120 }],
      execution,
      input: {},
      dispatcher: open,
    })
    expect(r.status).toBe('succeeded')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115)
    expect(r.steps).toHaveLength(2)
    expect(r.steps[0]).toMatchObject({
      name: 'fetch',
      type: 'http',
      status: 'succeeded',
      statusCode: 200,
      attempt: 2,
    })
    expect(JSON.parse(r.steps[0]!.body!)).toEqual({ token: 'abc', items: [{ id: 7 }] })
    expect(r.steps[1]).toMatchObject({ name: 'wait', type: 'delay', status: 'succeeded' })
    expect(r.steps[1]!.durationMs).toBeGreaterThanOrEqual(115)
  })

  it('resolves placeholders in url, headers and body, including earlier step bodies', async () => {
    const before = target.requests.length
    const r = await runWorkflowSteps({
      steps: [
        http('first', `${target.url}/data`),
        http('second', `${target.url}/items/{{input.item}}?e={{execution.id}}`, {
          method: 'POST',
          headers: {
            'x-attempt': '{{execution.attempt}}',
            authorization: 'Bearer {{steps.first.body.token}}',
          },
          body: {
            id: '{{execution.id}}',
            count: '{{input.count}}',
            firstItem: '{{steps.first.body.items.0.id}}',
          },
        }),
      ],
      execution,
      input: { item: 'a b/c', count: 3 },
      dispatcher: open,
    })
    expect(r.status).toBe('succeeded')
    const req = target.requests[before + 1]!
    expect(req.method).toBe('POST')
    expect(req.url).toBe(`/items/a%20b%2Fc?e=${execution.id}`)
    expect(req.headers['x-attempt']).toBe('2')
    expect(req.headers.authorization).toBe('Bearer abc')
    expect(req.headers['content-type']).toBe('application/json')
    expect(JSON.parse(req.body)).toEqual({ id: execution.id, count: 3, firstItem: 7 })
  })

  it('fails on a non-2xx answer and does not follow redirects', async () => {
    const r500 = await runWorkflowSteps({
      steps: [http('s', `${target.url}/status/500`), { name: 'never', type: 'delay', ms: 0 }],
      execution,
      input: {},
      dispatcher: open,
    })
    expect(r500.status).toBe('failed')
    expect(r500.steps).toHaveLength(1)
    expect(r500.steps[0]).toMatchObject({
      status: 'failed',
      statusCode: 500,
      body: 'nope',
      error: 'HTTP 500',
    })
    const before = target.requests.length
    const r302 = await runWorkflowSteps({
      steps: [http('s', `${target.url}/status/302`)],
      execution,
      input: {},
      dispatcher: open,
    })
    expect(r302.status).toBe('failed')
    expect(r302.steps[0]).toMatchObject({ statusCode: 302 })
    expect(target.requests.length).toBe(before + 1) // the Location was not fetched
  })

  it('keeps the first 4 KiB of the body, cut at a character boundary', async () => {
    const r = await runWorkflowSteps({
      steps: [http('s', `${target.url}/big`)],
      execution,
      input: {},
      dispatcher: open,
    })
    const body = r.steps[0]!.body!
    expect(Buffer.byteLength(body)).toBe(4096)
    expect(body).toBe('é'.repeat(2048))
    expect(r.steps[0]!.bodyTruncated).toBe(true)
  })

  it('cuts a hanging target at the step timeoutMs', async () => {
    const abortedBefore = target.aborted()
    const t0 = performance.now()
    const r = await runWorkflowSteps({
      steps: [http('s', `${target.url}/hang`, { timeoutMs: 300 })],
      execution,
      input: {},
      dispatcher: open,
    })
    const took = performance.now() - t0
    expect(r.status).toBe('failed')
    expect(r.steps[0]).toMatchObject({ status: 'failed', error: 'timed out after 300 ms' })
    expect(took).toBeGreaterThanOrEqual(290)
    // Cut, not abandoned: the target (which never answers /hang) saw the request aborted.
    await waitFor('the target to see the request aborted', () => target.aborted() > abortedBefore)
  })

  it('bounds the whole attempt with the workflow timeoutMs', async () => {
    const r = await runWorkflowSteps({
      steps: [
        { name: 'a', type: 'delay', ms: 100 },
        { name: 'b', type: 'delay', ms: 5000 },
      ],
      execution,
      input: {},
      dispatcher: open,
      timeoutMs: 250,
    })
    expect(r.status).toBe('failed')
    expect(r.error).toEqual({
      message: 'step b: workflow timed out after 250 ms',
      class: 'retryable',
      step: 'b',
    })
    expect(r.steps[1]).toMatchObject({ status: 'failed' })
    // Ended by the workflow's timeout, long before its own 5 s delay.
    expect(r.steps[1]!.durationMs).toBeLessThan(5000)
  })

  it('records a refused connection as a failed step with the error', async () => {
    const port = await findFreePort()
    const r = await runWorkflowSteps({
      steps: [http('s', `http://127.0.0.1:${port}/x`)],
      execution,
      input: {},
      dispatcher: open,
    })
    expect(r.status).toBe('failed')
    expect(r.steps[0]!.error).toMatch(/ECONNREFUSED/)
  })

  it('blocks loopback without allowPrivate and metadata addresses always, before any request', async () => {
    const before = target.requests.length
    const loop = await runWorkflowSteps({
      steps: [http('s', `${target.url}/data`)],
      execution,
      input: {},
      dispatcher: strict,
    })
    expect(loop.status).toBe('failed')
    expect(loop.steps[0]!.error).toMatch(/blocked: 127\.0\.0\.1 is not a destination http steps may reach/)
    const byName = await runWorkflowSteps({
      steps: [http('s', `http://localhost:${target.port}/data`)],
      execution,
      input: {},
      dispatcher: strict,
    })
    // The host, never the address it resolved to.
    expect(byName.steps[0]!.error).toMatch(/blocked: localhost is not a destination http steps may reach/)
    expect(byName.steps[0]!.error).not.toMatch(/127\.0\.0\.1|::1|loopback/)
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      const meta = await runWorkflowSteps({ steps: [http('s', url)], execution, input: {}, dispatcher: open })
      expect(meta.status).toBe('failed')
      expect(meta.steps[0]!.error).toMatch(/blocked: \S+ is not a destination http steps may reach/)
    }
    expect(target.requests.length).toBe(before)
  })

  it('lets an allowlisted host through without allowPrivate', async () => {
    const listed = createOutboundAgent({ allowPrivate: false, allowlist: 'localhost' })
    try {
      const r = await runWorkflowSteps({
        steps: [http('s', `http://localhost:${target.port}/data`)],
        execution,
        input: {},
        dispatcher: listed,
      })
      // localhost may resolve to ::1 first, where nothing listens; the request must not be blocked either way.
      expect(r.steps[0]!.error ?? '').not.toMatch(/blocked/)
    } finally {
      await listed.destroy()
    }
  })

  it('aborts the in-flight request at once when the signal aborts', async () => {
    const controller = new AbortController()
    const openBefore = target.open()
    const pending = runWorkflowSteps({
      steps: [http('s', `${target.url}/hang`, { timeoutMs: 20_000 })],
      execution,
      input: {},
      dispatcher: open,
      signal: controller.signal,
    })
    await waitFor('the request to reach the target', () => target.open() === openBefore + 1)
    controller.abort(new Error('cancel requested'))
    const r = await pending
    expect(r.status).toBe('aborted')
    expect(r.steps[0]).toMatchObject({ status: 'cancelled', error: 'aborted: cancel requested' })
    // Ended by the abort, not by its 20 s timeout; and the connection to the target is closed.
    expect(r.steps[0]!.durationMs).toBeLessThan(20_000)
    await waitFor('the target to see the request closed', () => target.open() === openBefore)
  })

  it("takes a job's signal only for a step that can be cut (an attempt of 0 ms delays makes none)", async () => {
    const made: string[] = []
    // A job's abort, telling which steps asked it for a signal.
    const counted = () => {
      const abort = new JobAbort()
      return {
        abort,
        from: {
          get aborted() {
            return abort.aborted
          },
          get reason() {
            return abort.reason
          },
          get signal() {
            made.push('signal')
            return abort.signal
          },
        },
      }
    }
    const delays = counted()
    const r = await runWorkflowSteps({
      steps: twoNoDelays,
      execution,
      input: {},
      dispatcher: open,
      signal: delays.from,
    })
    expect(r.status).toBe('succeeded')
    expect(made).toEqual([])

    const withHttp = counted()
    const h = await runWorkflowSteps({
      steps: [twoNoDelays[0]!, http('b', `${target.url}/ok`)],
      execution,
      input: {},
      dispatcher: open,
      signal: withHttp.from,
    })
    expect(h.status).toBe('succeeded')
    expect(made).toEqual(['signal'])
  })

  it("ends the attempt when a job's abort comes between two steps, and cuts a delay through the signal made late", async () => {
    const between = new JobAbort()
    const r = await runWorkflowSteps({
      steps: twoNoDelays,
      execution,
      input: {},
      dispatcher: open,
      signal: between,
      onStepSucceeded: async () => {
        between.abort(new Error('cancel requested'))
      },
    })
    expect(r).toMatchObject({ status: 'aborted', error: { message: 'aborted: cancel requested' } })
    expect(r.steps.map((s) => s.name)).toEqual(['a'])

    const during = new JobAbort()
    const t0 = performance.now()
    const pending = runWorkflowSteps({
      steps: [{ name: 'long', type: 'delay', ms: 600_000 }],
      execution,
      input: {},
      dispatcher: open,
      signal: during,
    })
    setTimeout(() => during.abort(new Error('lease lost')), 20)
    const d = await pending
    expect(d.status).toBe('aborted')
    expect(d.steps[0]).toMatchObject({ status: 'cancelled', error: 'aborted: lease lost' })
    expect(performance.now() - t0).toBeLessThan(60_000)
  })

  it('rejects a non-http URL scheme as a failed step', async () => {
    const r = await runWorkflowSteps({
      steps: [http('s', 'file:///etc/passwd')],
      execution,
      input: {},
      dispatcher: open,
    })
    expect(r.steps[0]!.error).toMatch(/unsupported URL scheme file:/)
  })
})

describe('outbound agent', () => {
  it('connects to the checked address (a raw socket sees the request)', async () => {
    const server = net.createServer((s) => {
      s.once('data', () => s.end('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n'))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as net.AddressInfo).port
    try {
      const r = await runWorkflowSteps({
        steps: [http('s', `http://127.0.0.1:${port}/`)],
        execution,
        input: {},
        dispatcher: open,
      })
      expect(r.steps[0]).toMatchObject({ status: 'succeeded', statusCode: 204 })
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})
