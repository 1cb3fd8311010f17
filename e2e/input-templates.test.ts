import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { signGithubWebhook } from '@punctual/core'
import { waitFor } from '@punctual/core/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall, createFleet, type Fleet } from './fleet.ts'

/**
 * Issue 22 end to end: what a trigger's inputTemplate makes is the execution's input, and what a real worker's
 * steps read as {{input.*}}: for a GitHub webhook delivery (eventType push), and for a system event
 * (execution.succeeded) started by the worker's event bus.
 */

let fleet: Fleet
let worker: WorkerProcess
let target: Server
let targetUrl = ''
const hits: URL[] = []

beforeAll(async () => {
  fleet = await createFleet()
  target = createServer((req, res) => {
    hits.push(new URL(req.url ?? '/', 'http://x'))
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`
  worker = startWorkerProcess({ ...fleet.env, TRIGGER_CACHE_TTL_MS: '0' })
  await worker.waitForLog('ready')
}, 60_000)
afterAll(async () => {
  await worker?.stop()
  await new Promise((r) => target?.close(r))
  await fleet?.close()
})

interface ExecutionDto {
  id: string
  status: string
  input: Record<string, unknown>
}

async function workflow(path: string) {
  const res = await apiCall<{ id: string }>(fleet, 'POST', '/api/workflows', {
    name: `wf-${randomUUID()}`,
    steps: [{ name: 'call', type: 'http', method: 'GET', url: `${targetUrl}${path}` }],
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id
}

async function trigger(body: object) {
  const res = await apiCall<{ id: string; secret?: string }>(fleet, 'POST', '/api/triggers', {
    name: `tr-${randomUUID()}`,
    ...body,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

const onlyRunOf = (triggerId: string) =>
  waitFor(
    `the execution of trigger ${triggerId}`,
    async () => {
      const res = await apiCall<{ items: ExecutionDto[] }>(
        fleet,
        'GET',
        `/api/executions?triggerId=${triggerId}`,
      )
      const [run] = res.body.items
      return res.body.items.length === 1 && run!.status === 'succeeded' ? run : undefined
    },
    { timeoutMs: 20_000 },
  )

describe('inputTemplate end to end', () => {
  it('a GitHub push: the step reads the template’s fields; a ping starts nothing', async () => {
    const wf = await workflow('/deploy?repo={{input.repo}}&sha={{input.sha}}&by={{input.pusher}}')
    const t = await trigger({
      workflowId: wf,
      type: 'webhook',
      scheme: 'github',
      eventType: 'push',
      inputTemplate: {
        repo: '{{body.repository.full_name}}',
        sha: '{{body.after}}',
        pusher: '{{body.pusher.name}}',
      },
    })
    const deliver = (event: string, body: object) => {
      const payload = JSON.stringify(body)
      return fleet.api.inject({
        method: 'POST',
        url: `/hooks/${t.id}`,
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': signGithubWebhook(t.secret!, payload),
        },
        payload,
      })
    }
    expect((await deliver('ping', { zen: 'Design for failure.' })).json()).toEqual({ filtered: true })
    const push = {
      ref: 'refs/heads/main',
      after: 'abc123',
      repository: { full_name: 'octocat/Hello-World', private: false },
      pusher: { name: 'octocat' },
      commits: [{ id: 'abc123' }],
    }
    expect((await deliver('push', push)).statusCode).toBe(202)
    const run = await onlyRunOf(t.id)
    expect(run!.input).toEqual({ repo: 'octocat/Hello-World', sha: 'abc123', pusher: 'octocat' })
    const hit = hits.find((h) => h.pathname === '/deploy')
    expect(Object.fromEntries(hit!.searchParams)).toEqual({
      repo: 'octocat/Hello-World',
      sha: 'abc123',
      by: 'octocat',
    })
  })

  it('a system event: the worker resolves the template against the finished execution', async () => {
    const first = await workflow('/first')
    const second = await workflow('/second?order={{input.order}}&from={{input.from}}&event={{input.event}}')
    const start = await trigger({ workflowId: first, type: 'event', eventType: 'shop.order' })
    const after = await trigger({
      workflowId: second,
      type: 'event',
      eventType: 'execution.succeeded',
      filter: { workflowId: [first] },
      inputTemplate: {
        from: '{{data.id}}',
        order: '{{data.input.order.id}}',
        lines: '{{data.input.order.lines}}',
        event: '{{type}}',
      },
    })
    const res = await apiCall<{ executions: string[] }>(fleet, 'POST', '/api/events', {
      type: 'shop.order',
      data: { order: { id: 42, lines: [{ sku: 'A' }] } },
    })
    expect(res.status).toBe(202)
    const [firstRun] = res.body.executions
    await onlyRunOf(start.id)
    const run = await onlyRunOf(after.id)
    expect(run!.input).toEqual({
      from: firstRun,
      order: 42,
      lines: [{ sku: 'A' }],
      event: 'execution.succeeded',
    })
    const hit = hits.find((h) => h.pathname === '/second')
    expect(Object.fromEntries(hit!.searchParams)).toEqual({
      order: '42',
      from: firstRun,
      event: 'execution.succeeded',
    })
  })
})
