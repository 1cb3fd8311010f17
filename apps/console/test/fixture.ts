/**
 * The browser tests' fixture: a real API process (its own database and Redis key prefix, serving the built
 * console at /ui), optionally a real worker process, a local HTTP target for workflow steps, and one headless
 * Debian Chromium driven by playwright-core. Screenshots go to .tmp/screenshots/.
 */
import { createHmac } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ApiProcess, startApiProcess } from '@punctual/api/testing'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { createTestRedis, startTcpProxy, type TcpProxy, type TestRedis } from '@punctual/queue/testing'
import { startWorkerProcess, type WorkerProcess } from '@punctual/worker/testing'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { apiBundle, ensureBundle } from '../../../scripts/bundle.mjs'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const JWT_SECRET = 'console-test-secret-0123456789abcdef'
const root = fileURLToPath(new URL('../../..', import.meta.url))
export const SHOTS = join(root, '.tmp/screenshots')
const consoleDir = fileURLToPath(new URL('../dist', import.meta.url))

export type Role = 'viewer' | 'editor' | 'admin'

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/** An HS256 JWT signed with the API's test secret (what `pnpm run token` mints). */
export function signToken(role: Role, opts: { tenant?: string; ttlSeconds?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000)
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = b64url(
    JSON.stringify({
      sub: `${role}-user`,
      tenant: opts.tenant ?? 'acme',
      role,
      iat: now,
      exp: now + (opts.ttlSeconds ?? 3600),
    }),
  )
  const sig = b64url(createHmac('sha256', JWT_SECRET).update(`${header}.${payload}`).digest())
  return `${header}.${payload}.${sig}`
}

export interface Target {
  url: string
  hits: number
  close(): Promise<void>
}

/** A local HTTP server answering every request with `status` (steps call it). */
export async function startTarget(status: number): Promise<Target> {
  const state = { hits: 0 }
  const server: Server = createServer((req, res) => {
    state.hits++
    req.resume()
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ answer: status === 200 ? 'ok' : 'boom', status }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get hits() {
      return state.hits
    },
    close: () => new Promise((r) => server.close(() => r())),
  }
}

export interface ConsoleFixture {
  api: ApiProcess
  worker: WorkerProcess | null
  /** The proxy between the API and Redis (fault tests cut it). */
  redisProxy: TcpProxy
  browser: Browser
  url: string
  /** Calls the API directly (set-up and checks), as the given role. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    role?: Role,
  ): Promise<{ status: number; body: T }>
  /** A new browser page of the given size; CSP violations and page errors are collected in `problems`. */
  page(size?: {
    width: number
    height: number
  }): Promise<{ page: Page; context: BrowserContext; problems: string[] }>
  signIn(page: Page, credential: string): Promise<void>
  shot(page: Page, name: string): Promise<void>
  close(): Promise<void>
}

/**
 * `worker`: start a worker process too. `bundle`: run the API's production bundle (as `pnpm start` does),
 * which finds the console's build by itself; otherwise the API's sources under tsx, told CONSOLE_DIR.
 */
export async function startConsoleFixture(
  opts: { worker?: boolean; bundle?: boolean; env?: Record<string, string> } = {},
): Promise<ConsoleFixture> {
  mkdirSync(SHOTS, { recursive: true })
  const database: TestDatabase = await createTestDatabase()
  const redis: TestRedis = await createTestRedis()
  const redisUrl = new URL(redis.url)
  const redisProxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })
  const common = { DATABASE_URL: database.url, REDIS_PREFIX: redis.prefix, JWT_SECRET }
  const bundle: string | undefined = opts.bundle
    ? await ensureBundle(apiBundle.entry, apiBundle.outfile, { external: apiBundle.external })
    : undefined
  const api = await startApiProcess(
    {
      ...common,
      REDIS_URL: redisProxy.url(redis.url),
      ...(!bundle && { CONSOLE_DIR: consoleDir }),
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    bundle ? { bundle } : {},
  )
  const worker = opts.worker
    ? startWorkerProcess({ ...common, REDIS_URL: redis.url, LOG_LEVEL: 'info' })
    : null
  await api.ready()
  if (worker) await worker.waitForLog('ready', 30_000)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
  const fixture: ConsoleFixture = {
    api,
    worker,
    redisProxy,
    browser,
    url: api.url,
    async call(method, path, body, role = 'admin') {
      const res = await fetch(`${api.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${signToken(role)}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : undefined }
    },
    async page(size = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport: size })
      const page = await context.newPage()
      const problems: string[] = []
      page.on('console', (m) => {
        const text = m.text()
        if (/Content Security Policy|Refused to/i.test(text)) problems.push(`csp: ${text}`)
      })
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
      return { page, context, problems }
    },
    async signIn(page, credential) {
      await page.goto(`${api.url}/ui/`)
      await page.getByLabel('API key or token').fill(credential)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Overview' }).waitFor()
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
    },
    async close() {
      await browser.close().catch(() => {})
      await worker?.stop('SIGKILL')
      await api.stop('SIGKILL')
      await redisProxy.close()
      await redis.cleanup()
      await database.close()
    },
  }
  return fixture
}
