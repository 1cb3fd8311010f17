/**
 * Driving our API the way a user does (DEVELOPERS guide: what the code under test creates — workflows,
 * schedules — is created through the API's own services, never as rows inserted by SQL around it). The API
 * runs as its production bundle in its own process (as `pnpm start:api` runs it); tokens are minted the way
 * `pnpm token` mints them (HS256 with JWT_SECRET, claims sub/tenant/role); creates are HTTP requests, many in
 * flight, sent by autocannon (the load generator of the API benchmark).
 */
import { findFreePort } from '@punctual/queue/testing'
import autocannon from 'autocannon'
import { createSigner } from 'fast-jwt'
import { percentile } from './report.ts'
import { buildApi, startServer, stopServer, waitUp } from './server-procs.ts'

const JWT_SECRET = 'bench-secret-0123456789abcdef'
/** Requests in flight when creating (autocannon connections, one request each). */
export const IN_FLIGHT = 50

const sign = createSigner({ key: JWT_SECRET, algorithm: 'HS256', expiresIn: 12 * 3_600_000 })
const tokens = new Map<string, string>()

/** An admin token of `tenant`, as `pnpm token --tenant <tenant> --role admin` prints it. */
export function tokenFor(tenant: string): string {
  let token = tokens.get(tenant)
  if (!token) {
    token = sign({ sub: `bench-${tenant}`, tenant, role: 'admin' }) as string
    tokens.set(tenant, token)
  }
  return token
}

/** The headers of a JSON request by `tenant` (its admin token). */
export const headersFor = (tenant: string) => ({
  authorization: `Bearer ${tokenFor(tenant)}`,
  'content-type': 'application/json',
})

export interface ApiProcess {
  url: string
  pid: number
  /** SIGTERM and wait for the exit (once; later calls wait for the same). */
  stop(): Promise<void>
}

let built: Promise<string> | undefined

/**
 * Starts our API (production bundle, built once per bench process) against the given database and Redis
 * keyspace. The per-tenant rate limit is raised so the bench measures creates, not the limiter's refusals (the
 * limiter still runs and counts every request); schedule quotas, where the API has them, are raised likewise.
 */
export async function startApi(env: {
  DATABASE_URL: string
  REDIS_URL: string
  REDIS_PREFIX: string
}): Promise<ApiProcess> {
  built ??= buildApi()
  const file = await built
  const port = await findFreePort()
  // BENCH_API_NODE_FLAGS: node flags for the API process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const flags = (process.env.BENCH_API_NODE_FLAGS ?? '').split(' ').filter(Boolean)
  const child = startServer(
    file,
    port,
    {
      ...env,
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      API_RATE_LIMIT_PER_MINUTE: '100000000',
      TENANT_MAX_SCHEDULES: '10000000',
    },
    flags,
  )
  const url = `http://127.0.0.1:${port}`
  try {
    await waitUp(`${url}/readyz`)
  } catch (err) {
    await stopServer(child)
    throw err
  }
  let stopped: Promise<void> | undefined
  return { url, pid: child.pid!, stop: () => (stopped ??= stopServer(child)) }
}

const NOOP_STEPS = [{ name: 'noop', type: 'delay', ms: 0 }]

/** POST /api/workflows: a workflow of `tenant` (by default one `delay` step of 0 ms); returns its id. */
export async function createWorkflow(
  api: ApiProcess,
  tenant: string,
  name: string,
  steps: unknown[] = NOOP_STEPS,
): Promise<string> {
  const res = await fetch(`${api.url}/api/workflows`, {
    method: 'POST',
    headers: headersFor(tenant),
    body: JSON.stringify({ name, steps }),
  })
  if (res.status !== 201) throw new Error(`POST /api/workflows: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/**
 * Workflow i in tenant `tenants[i]`, named `name(i)` (unique within its tenant), `inFlight` creates at a time
 * (set-up, not measured); their ids in that order.
 */
export async function createWorkflows(
  api: ApiProcess,
  tenants: string[],
  name: (i: number) => string,
  inFlight = IN_FLIGHT,
  steps: unknown[] = NOOP_STEPS,
): Promise<string[]> {
  const ids: string[] = new Array(tenants.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(inFlight, tenants.length) }, async () => {
      for (let i = next++; i < tenants.length; i = next++)
        ids[i] = await createWorkflow(api, tenants[i]!, name(i), steps)
    }),
  )
  return ids
}

export interface CreateRun {
  /** Requests answered. */
  n: number
  ok: number
  /** Answers by status code. */
  statuses: Record<string, number>
  /** The first non-2xx answer (status and the start of its body), to say why. */
  firstError?: string
  errors: number
  /** First request sent → last answer. */
  ms: number
  /** 2xx answers per second of `ms`. */
  rate: number
  p50: number
  p99: number
}

/** A POST /api/schedules body (other fields at the API's defaults) and the tenant whose token sends it. */
export interface ScheduleRequest {
  tenant: string
  workflowId: string
  name: string
  cronExpression: string
  overlapPolicy?: string
}

/**
 * POST /api/schedules `n` times with `inFlight` requests in flight (autocannon: that many keep-alive
 * connections, each sending its next request when the previous one is answered; `amount` splits n between
 * them). Request i is `request(i)`, i = 0…n−1 each exactly once (autocannon builds a connection's request only
 * when it sends it). Latency percentiles are autocannon's (whole ms).
 */
export async function createSchedules(
  api: ApiProcess,
  n: number,
  request: (i: number) => ScheduleRequest,
  inFlight = IN_FLIGHT,
): Promise<CreateRun> {
  let i = 0
  let firstError: string | undefined
  // autocannon notices that `amount` is done only on its next one-second tick: time the run to the last answer.
  let lastAnswerAt = 0
  const t0 = performance.now()
  const result = await autocannon({
    url: `${api.url}/api/schedules`,
    method: 'POST',
    connections: Math.min(inFlight, n),
    amount: n,
    timeout: 60,
    requests: [
      {
        setupRequest: (req) => {
          const { tenant, ...body } = request(i++)
          return { ...req, headers: headersFor(tenant), body: JSON.stringify(body) }
        },
        onResponse: (status, body) => {
          lastAnswerAt = performance.now()
          if (status >= 300 && firstError === undefined)
            firstError = `${status} ${String(body).slice(0, 300)}`
        },
      },
    ],
  })
  const ms = (lastAnswerAt || performance.now()) - t0
  if (i !== n) throw new Error(`autocannon built ${i} requests for amount ${n}`)
  const statuses: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0
  const ok = result['2xx']
  return {
    n: result.requests.total,
    ok,
    statuses,
    firstError,
    errors: result.errors + result.timeouts,
    ms,
    rate: ok / (ms / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
  }
}

/**
 * `n` calls of `call(i)`, `inFlight` at a time (the BullMQ peer's direct calls): wall time and per-call
 * latency percentiles (ms, sub-millisecond resolution).
 */
export async function callMany(
  n: number,
  call: (i: number) => Promise<unknown>,
  inFlight = IN_FLIGHT,
): Promise<{ ms: number; rate: number; p50: number; p99: number }> {
  const latencies = new Float64Array(n)
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(inFlight, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now()
        await call(i)
        latencies[i] = performance.now() - s
      }
    }),
  )
  const ms = performance.now() - t0
  const sorted = [...latencies].sort((a, b) => a - b)
  return { ms, rate: n / (ms / 1000), p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
}
