/**
 * Test fixtures for the runner (imported by apps/worker/test only): rows written the way the scheduler and
 * the API write them (a schedule's row by @punctual/db's newScheduleRow), local HTTP targets that record what
 * reached them, and helpers to await runner events. Real Postgres and Redis come from @punctual/db/testing
 * and @punctual/queue/testing.
 */
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ExecutionError, ScheduleCreate } from '@punctual/core'
import { insertScheduleRow, newScheduleRow, type Sql } from '@punctual/db'
import type { ExecutionQueue } from '@punctual/queue'
import pino from 'pino'
import type { RunnerEventMap, RunnerEvents } from './events.ts'

export const TENANT = 'acme'

export const silentLogger = () => pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' })

export async function insertWorkflow(
  sql: Sql,
  opts: {
    steps: unknown[]
    timeoutMs?: number | null
    name?: string
    tenant?: string
    /** The row only: the cap in Redis is written by the API (or the reconciler). */
    maxConcurrency?: number | null
    retryFrom?: 'failed_step' | 'start'
  },
): Promise<string> {
  const id = randomUUID()
  await sql`insert into workflows (id, tenant, name, steps, timeout_ms, max_concurrency, retry_from)
            values (${id}, ${opts.tenant ?? TENANT}, ${opts.name ?? `wf-${id}`}, ${JSON.stringify(opts.steps)}::jsonb,
                    ${opts.timeoutMs ?? null}, ${opts.maxConcurrency ?? null}, ${opts.retryFrom ?? 'failed_step'})`
  return id
}

/**
 * A schedule row, built as a create builds it (@punctual/db newScheduleRow), that never comes due during the
 * test (next run an hour away, no due-index entry): runner tests record its fires themselves.
 */
export async function insertSchedule(
  sql: Sql,
  opts: { workflowId: string } & Pick<ScheduleCreate, 'maxExecutions' | 'overlapPolicy'>,
): Promise<string> {
  const id = randomUUID()
  const row = newScheduleRow(
    id,
    TENANT,
    { name: `s-${id}`, cronExpression: '* * * * * *', overlapPolicy: 'skip', ...opts },
    new Date(),
  )
  await insertScheduleRow(
    sql,
    { ...row, nextRunAt: new Date(Date.now() + 3_600_000) },
    { actor: 'runner-test' },
  )
  return id
}

export interface NewExecution {
  workflowId: string
  /** Default: the runner tests' tenant. */
  tenant?: string
  kind?: 'fire' | 'manual' | 'redrive' | 'event' | 'webhook'
  scheduleId?: string | null
  scheduledForMs?: number
  input?: Record<string, unknown>
  retryPolicy?: Record<string, unknown> | null
  priority?: number
  /** buffer_one: kept out of Redis until released. */
  held?: boolean
}

/** Inserts a `queued` row (attempt 0) and, unless held, enqueues it, as the scheduler and the API do. */
export async function createExecution(sql: Sql, queue: ExecutionQueue, e: NewExecution): Promise<string> {
  const ids = await createExecutions(sql, queue, [e])
  return ids[0]!
}

export async function createExecutions(
  sql: Sql,
  queue: ExecutionQueue,
  list: readonly NewExecution[],
): Promise<string[]> {
  const now = Date.now()
  const rows = list.map((e) => ({
    id: randomUUID(),
    tenant: e.tenant ?? TENANT,
    kind: e.kind ?? 'manual',
    schedule_id: e.scheduleId ?? null,
    workflow_id: e.workflowId,
    scheduled_for: new Date(e.scheduledForMs ?? now).toISOString(),
    available_at: new Date(e.scheduledForMs ?? now).toISOString(),
    enqueued_at: e.held ? null : new Date(now).toISOString(),
    status: 'queued',
    attempt: 0,
    priority: e.priority ?? 5,
    input: JSON.stringify(e.input ?? {}),
    retry_policy: e.retryPolicy === null ? null : JSON.stringify(e.retryPolicy ?? { maxAttempts: 1 }),
    held: e.held ?? false,
  }))
  for (let i = 0; i < rows.length; i += 1000) {
    await sql`insert into executions ${sql(rows.slice(i, i + 1000))}`
  }
  const queued = rows
    .map((r, i) => ({ r, e: list[i]! }))
    .filter(({ e }) => !e.held)
    .map(({ r, e }) => ({
      id: r.id,
      priority: r.priority,
      scheduledForMs: Date.parse(r.scheduled_for),
      availableAtMs: Date.parse(r.available_at),
      attempt: 0,
      tenant: r.tenant,
      workflowId: e.workflowId,
      kind: r.kind,
      scheduleId: r.schedule_id,
    }))
  if (queued.length > 0) await queue.enqueue(queued, now)
  return rows.map((r) => r.id)
}

export interface ExecutionView {
  id: string
  status: string
  attempt: number
  worker_id: string | null
  error: ExecutionError | null
  steps: Record<string, unknown>[]
  started_at_ms: number | null
  finished_at_ms: number | null
  available_at_ms: number | null
  held: boolean
}

export async function getExecution(sql: Sql, id: string): Promise<ExecutionView | undefined> {
  const [row] = await sql<ExecutionView[]>`
    select id, status, attempt, worker_id, error, steps, held,
           (extract(epoch from started_at) * 1000)::float8 as started_at_ms,
           (extract(epoch from finished_at) * 1000)::float8 as finished_at_ms,
           (extract(epoch from available_at) * 1000)::float8 as available_at_ms
      from executions where id = ${id}`
  return row
}

export interface ReceivedRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  atMs: number
}

export type TargetHandler = (req: ReceivedRequest, res: http.ServerResponse) => void

export interface HttpTarget {
  url: string
  port: number
  requests: ReceivedRequest[]
  /** Requests whose connection is still open (a hanging handler). */
  open(): number
  /** Closed connections that never got a response. */
  aborted(): number
  setHandler(handler: TargetHandler): void
  close(): Promise<void>
}

/** A local HTTP server on 127.0.0.1 that records every request; `handler` answers (default: 200 `{"ok":true}`). */
export async function startTarget(handler?: TargetHandler): Promise<HttpTarget> {
  const requests: ReceivedRequest[] = []
  let current: TargetHandler =
    handler ??
    ((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end('{"ok":true}')
    })
  let open = 0
  let aborted = 0
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    open++
    let answered = false
    res.on('finish', () => {
      answered = true
    })
    res.on('close', () => {
      open--
      if (!answered) aborted++
    })
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        atMs: Date.now(),
      }
      requests.push(r)
      current(r, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    open: () => open,
    aborted: () => aborted,
    setHandler(h) {
      current = h
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Resolves with the first event `name` that matches `filter`; rejects after timeoutMs. */
export function nextEvent<K extends keyof RunnerEventMap>(
  events: RunnerEvents,
  name: K,
  filter: (e: RunnerEventMap[K][0]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<RunnerEventMap[K][0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off(name, listener as never)
      reject(new Error(`no ${String(name)} event within ${timeoutMs} ms`))
    }, timeoutMs)
    const listener = (e: RunnerEventMap[K][0]) => {
      if (!filter(e)) return
      clearTimeout(timer)
      events.off(name, listener as never)
      resolve(e)
    }
    events.on(name, listener as never)
  })
}
