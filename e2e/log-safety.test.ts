// Issue 14: no secret in any log line, at any level. The API and a worker run as processes at LOG_LEVEL=trace
// through a scenario that handles every kind of secret (webhook secrets and their rotation, an API key, the
// JWT and its secret, the key ring, a database password, step headers and bodies; issue 15: a tenant secret
// used by the step, the outbound signing secret and its rotation) and fails requests (a NUL
// in a trigger name, bad credentials, a Postgres outage); then every line is searched for each secret in
// plain, base64, hex and URL-encoded form, and for each sealed value.
import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
import { signStandardWebhook, waitFor } from '@punctual/core/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createTestRedis, startTcpProxy, type TcpProxy, type TestRedis } from '@punctual/queue/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const JWT_SECRET = `jwt-${randomBytes(24).toString('hex')}`
const KEY = randomBytes(32).toString('base64')
const DB_PASSWORD = `dbpw-${randomBytes(8).toString('hex')}`
const STEP_HEADER_SECRET = `hdr-${randomBytes(12).toString('hex')}`
const STEP_BODY_SECRET = `stepbody-${randomBytes(12).toString('hex')}`
const WEBHOOK_BODY_SECRET = `hookbody-${randomBytes(12).toString('hex')}`
const TENANT_SECRET = `tenant-${randomBytes(12).toString('hex')}`

let database: TestDatabase
let redis: TestRedis
let proxy: TcpProxy
let target: Server
let api: ApiProcess
let worker: WorkerProcess
const received: string[] = []

/** The database URL with a password (trust auth ignores it; it must never be logged). */
const withPassword = (url: string) => {
  const u = new URL(url)
  u.password = DB_PASSWORD
  return u.href
}

beforeAll(async () => {
  database = await createTestDatabase()
  redis = await createTestRedis()
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
  target = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      received.push(JSON.stringify(req.headers) + body)
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"echo":"${STEP_BODY_SECRET}"}`)
    })
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  const common = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    LOG_LEVEL: 'trace',
    SECRETS_ENCRYPTION_KEY: KEY,
  }
  api = await startApiProcess({
    ...common,
    DATABASE_URL: withPassword(proxy.url(database.url)),
    JWT_SECRET,
  })
  worker = startWorkerProcess({ ...common, DATABASE_URL: withPassword(database.url) })
  await api.ready()
  await worker.waitForLog('ready')
}, 60_000)
afterAll(async () => {
  await api?.stop('SIGKILL')
  await worker?.stop('SIGKILL')
  await new Promise((r) => target?.close(r))
  await proxy?.close()
  await redis?.cleanup()
  await database?.close()
})

function hs256(payload: object): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`
  return `${head}.${createHmac('sha256', JWT_SECRET).update(head).digest('base64url')}`
}

describe('log lines at LOG_LEVEL=trace', () => {
  it('carry no secret, in any encoding, and no sealed value', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = hs256({ sub: 'root', tenant: 'acme', role: 'admin', iat: now, exp: now + 600 })
    let requests = 0
    const call = async (method: string, path: string, body?: unknown, authorization = `Bearer ${token}`) => {
      requests++
      const res = await fetch(`${api.url}${path}`, {
        method,
        headers: { authorization, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      })
      const text = await res.text()
      return { status: res.status, json: () => JSON.parse(text) }
    }

    expect((await call('PUT', '/api/secrets/TENANT_TOKEN', { value: TENANT_SECRET })).status).toBe(204)
    const signing = (await call('GET', '/api/signing-secret')).json().secret as string
    const signingRotated = (await call('POST', '/api/signing-secret/rotate')).json().secret as string
    const wf = await call('POST', '/api/workflows', {
      name: 'leaky',
      steps: [
        {
          name: 'call',
          type: 'http',
          method: 'POST',
          url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/hook`,
          headers: { authorization: `Bearer ${STEP_HEADER_SECRET}`, 'x-tenant': '{{secrets.TENANT_TOKEN}}' },
          body: { token: STEP_BODY_SECRET, from: '{{input.secret}}' },
        },
      ],
    })
    expect(wf.status).toBe(201)
    const triggers = []
    for (const name of ['in-1', 'in-2']) {
      const t = await call('POST', '/api/triggers', { workflowId: wf.json().id, name, type: 'webhook' })
      expect(t.status).toBe(201)
      triggers.push(t.json() as { id: string; secret: string })
    }
    const rotated = await call('POST', `/api/triggers/${triggers[1]!.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    const key = await call('POST', '/api/api-keys', { name: 'ci', role: 'editor' })
    expect(key.status).toBe(201)
    const apiKey = key.json().key as string
    expect((await call('GET', '/api/workflows', undefined, `Bearer ${apiKey}`)).status).toBe(200)

    // Failing requests: a NUL in a trigger name, bad credentials, a bad body.
    const nul = await call(
      'POST',
      '/api/triggers',
      `{"workflowId":"${wf.json().id}","name":"a\\u0000${STEP_BODY_SECRET}","type":"webhook"}`,
    )
    expect(nul.status).toBe(400)
    expect((await call('GET', '/api/workflows', undefined, `Bearer ${token.slice(0, -3)}abc`)).status).toBe(
      401,
    )
    expect((await call('GET', '/api/workflows', undefined, `Bearer ${apiKey.slice(0, -2)}zz`)).status).toBe(
      401,
    )
    expect((await call('POST', '/api/triggers', `{"name":"${STEP_BODY_SECRET}"`)).status).toBe(400)

    // A signed delivery whose body holds a secret, run by the worker (the step's header and body hold more).
    const body = JSON.stringify({ type: 'x', secret: WEBHOOK_BODY_SECRET })
    const msg = `msg_${randomBytes(6).toString('hex')}`
    const ts = Math.floor(Date.now() / 1000)
    requests++
    const delivered = await fetch(`${api.url}/hooks/${triggers[0]!.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': msg,
        'webhook-timestamp': String(ts),
        'webhook-signature': signStandardWebhook({
          secret: triggers[0]!.secret,
          id: msg,
          timestamp: ts,
          body,
        }),
      },
      body,
    })
    expect(delivered.status).toBe(202)
    await waitFor(
      'the step to reach the target',
      () => received.some((r) => r.includes(WEBHOOK_BODY_SECRET) && r.includes(TENANT_SECRET)),
      {
        timeoutMs: 20_000,
      },
    )

    // A Postgres outage (the API's connections go through the proxy): writes and reads answer 503.
    await proxy.refuse()
    try {
      expect(
        (await call('POST', '/api/triggers', { workflowId: wf.json().id, name: 'down', type: 'webhook' }))
          .status,
      ).toBe(503)
      expect((await call('GET', '/api/workflows', undefined, `Bearer ${apiKey}`)).status).toBe(503)
    } finally {
      await proxy.restore()
    }

    // Postgres refusing writes that carry secrets (a trigger that fails them, quoting the row in its detail, as a
    // unique violation quotes its key): the 500s log the error, never the statement's parameters nor the row.
    await database.sql.unsafe(`
      create function log_safety_fail() returns trigger language plpgsql as $fn$
        begin raise exception 'injected failure' using detail = row_to_json(new)::text; end $fn$;
      create trigger log_safety_triggers before insert on triggers
        for each row when (new.name like 'fail-%') execute function log_safety_fail();
      create trigger log_safety_workflows before insert on workflows
        for each row when (new.name like 'fail-%') execute function log_safety_fail();
      create trigger log_safety_executions before insert on executions
        for each row when (new.input::text like '%fail-me%') execute function log_safety_fail();`)
    const failedTrigger = await call('POST', '/api/triggers', {
      workflowId: wf.json().id,
      name: 'fail-1',
      type: 'webhook',
    })
    expect(failedTrigger.status).toBe(500)
    const failedWorkflow = await call('POST', '/api/workflows', {
      name: 'fail-wf',
      steps: [
        {
          name: 's',
          type: 'http',
          method: 'POST',
          url: 'https://example.com/',
          headers: { 'x-key': STEP_HEADER_SECRET },
        },
      ],
    })
    expect(failedWorkflow.status).toBe(500)
    const failBody = JSON.stringify({ type: 'x', note: 'fail-me', secret: WEBHOOK_BODY_SECRET })
    const failMsg = `msg_${randomBytes(6).toString('hex')}`
    requests++
    const failedDelivery = await fetch(`${api.url}/hooks/${triggers[0]!.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': failMsg,
        'webhook-timestamp': String(ts),
        'webhook-signature': signStandardWebhook({
          secret: triggers[0]!.secret,
          id: failMsg,
          timestamp: ts,
          body: failBody,
        }),
      },
      body: failBody,
    })
    expect(failedDelivery.status).toBeGreaterThanOrEqual(500)

    const sealed = (
      await database.sql<{ s: string | null; p: string | null }[]>`
        select secret_ciphertext as s, previous_secret_ciphertext as p from triggers`
    ).flatMap((r) => [r.s, r.p].filter((v): v is string => v !== null))
    expect(sealed.length).toBe(3)
    const tenantSealed = (
      await database.sql<{ s: string | null }[]>`
        select value_ciphertext as s from tenant_secrets
        union all select secret_ciphertext from tenant_signing_secrets
        union all select previous_secret_ciphertext from tenant_signing_secrets`
    ).flatMap((r) => (r.s === null ? [] : [r.s]))
    expect(tenantSealed.length).toBe(3)
    sealed.push(...tenantSealed)
    await api.stop()
    await worker.stop()

    const secrets = [
      JWT_SECRET,
      KEY,
      Buffer.from(KEY, 'base64').toString('hex'),
      DB_PASSWORD,
      STEP_HEADER_SECRET,
      STEP_BODY_SECRET,
      WEBHOOK_BODY_SECRET,
      apiKey,
      apiKey.slice(3),
      token,
      token.split('.')[2]!,
      rotated.json().secret as string,
      TENANT_SECRET,
      signing,
      signing.slice('whsec_'.length),
      signingRotated,
      signingRotated.slice('whsec_'.length),
      ...triggers.flatMap((t) => [t.secret, t.secret.slice('whsec_'.length)]),
    ]
    const needles = new Set<string>()
    for (const s of secrets) {
      needles.add(s)
      needles.add(Buffer.from(s).toString('base64'))
      needles.add(Buffer.from(s).toString('base64url'))
      needles.add(Buffer.from(s).toString('hex'))
      needles.add(encodeURIComponent(s))
    }
    for (const s of sealed) {
      needles.add(s)
      for (const part of s.split('.').slice(2)) needles.add(part)
    }
    const lines = [...api.output().split('\n'), ...worker.logs.map((l) => JSON.stringify(l))].filter(
      (l) => l.trim() !== '',
    )
    // The scenario must have been logged: at trace every request writes at least two lines, the outage an error.
    const apiLines = api
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '')
    expect(apiLines.length).toBeGreaterThanOrEqual(2 * requests)
    const errors = apiLines.filter((l) => l.includes('"level":50') && l.includes('"err"'))
    // The outage and the three injected failures, each with what an operator needs: the SQLSTATE.
    expect(errors.length).toBeGreaterThanOrEqual(4)
    expect(errors.filter((l) => l.includes('"code":"P0001"')).length).toBeGreaterThanOrEqual(3)
    expect(worker.logs.length).toBeGreaterThanOrEqual(5)
    for (const line of lines) {
      for (const needle of needles) {
        if (line.includes(needle)) throw new Error(`a secret (${needle.slice(0, 6)}…) is logged:\n${line}`)
      }
    }
  }, 90_000)
})
