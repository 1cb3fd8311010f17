import { createClient, type PunctualClient } from '@punctual/client'
import { navigate } from './router.tsx'
import { getSession, setSession } from './session.ts'

/** A problem+json answer (RFC 9457) as the API sends it. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  requestId?: string
  errors?: { path: string; message: string }[]
}

/** A refused call: its status and problem body, shown to the user as a readable message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `The API answered ${status}`)
  }
}

// ——— The banner: what is wrong with the service as a whole (503, unreachable, rate limited) ———
export interface Banner {
  kind: 'unavailable' | 'unreachable' | 'rate-limited'
  message: string
  /** The request that raised it (`METHOD /path`): its next answer that is not the same failure clears it. */
  raisedBy: string
}
let banner: Banner | null = null
const bannerListeners = new Set<() => void>()
function setBanner(next: Banner | null) {
  if (
    banner === next ||
    (banner && next && banner.message === next.message && banner.raisedBy === next.raisedBy)
  )
    return
  banner = next
  for (const l of bannerListeners) l()
}
export function getBanner(): Banner | null {
  return banner
}
export function dismissBanner(): void {
  setBanner(null)
}
export function onBannerChange(l: () => void): () => void {
  bannerListeners.add(l)
  return () => bannerListeners.delete(l)
}

/** How many times a 429 is retried after its Retry-After, and the longest wait taken. */
const MAX_RATE_LIMIT_RETRIES = 3
const MAX_RETRY_AFTER_S = 60

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The fetch under the typed client: the credential as a bearer; 429 waits its Retry-After and tries again
 * (saying so in the banner); 503 and network failures raise the banner until the same request is answered
 * otherwise (or the user dismisses it); 401 with the session's credential ends the session and returns to
 * sign-in.
 */
async function consoleFetch(input: Request, credential: string | undefined): Promise<Response> {
  const what = `${input.method} ${new URL(input.url).pathname}`
  for (let attempt = 0; ; attempt++) {
    const request = input.clone()
    if (credential) request.headers.set('authorization', `Bearer ${credential}`)
    let res: Response
    try {
      res = await fetch(request)
    } catch (err) {
      setBanner({
        kind: 'unreachable',
        message: 'The API cannot be reached. Check your connection and try again.',
        raisedBy: what,
      })
      throw err
    }
    if (res.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
      const after = Math.min(MAX_RETRY_AFTER_S, Math.max(1, Number(res.headers.get('retry-after')) || 1))
      setBanner({
        kind: 'rate-limited',
        message: `Too many requests: retrying in ${after} s.`,
        raisedBy: what,
      })
      await sleep(after * 1000)
      continue
    }
    if (res.status === 503) {
      setBanner({
        kind: 'unavailable',
        message:
          'The service is unavailable (a dependency, Postgres or Redis, is down): nothing was changed. Try again shortly.',
        raisedBy: what,
      })
    } else if (banner?.raisedBy === what) setBanner(null)
    if (res.status === 401 && credential && credential === getSession()?.credential) {
      setSession(null)
      const back = location.pathname.replace(/^\/ui/, '') + location.search
      navigate(`/signin?expired=1&next=${encodeURIComponent(back)}`, { replace: true })
    }
    return res
  }
}

/** The client of the signed-in session. */
export const api: PunctualClient = createClient({
  baseUrl: location.origin,
  fetch: ((input: Request) => consoleFetch(input, getSession()?.credential)) as typeof fetch,
})

/**
 * A client for one credential before it becomes the session's (sign-in checks it with GET /api/me): the same
 * 429 and 503 handling, and its 401 stays on the sign-in page.
 */
export function clientFor(credential: string): PunctualClient {
  return createClient({
    baseUrl: location.origin,
    fetch: ((input: Request) => consoleFetch(input, credential)) as typeof fetch,
  })
}

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The data of a call, or an ApiError carrying its problem. */
export async function call<T>(request: Promise<Answer<T>>): Promise<T> {
  const answer = await request
  if (!answer.response.ok) {
    const problem = (answer.error && typeof answer.error === 'object' ? answer.error : {}) as Problem
    throw new ApiError(answer.response.status, { status: answer.response.status, ...problem })
  }
  return answer.data as T
}

/** The problem's field errors by field name (`body.cronExpression` → `cronExpression`, `retryPolicy.maxAttempts`). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(err instanceof ApiError)) return out
  for (const e of err.problem.errors ?? []) {
    const field = e.path.replace(/^(body|querystring|params)\.?/, '') || 'body'
    out[field] = out[field] ? `${out[field]}; ${e.message}` : e.message
  }
  return out
}

/** One readable line for any failure. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem
    const head = p.title ?? `Error ${err.status}`
    return p.detail && p.detail !== head ? `${head}: ${p.detail}` : head
  }
  if (err instanceof Error) return err.message
  return String(err)
}
