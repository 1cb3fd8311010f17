import { createClient, type PunctualClient } from '@punctual/client'
import { loadLogin } from './config.ts'
import { CliError, describeProblem, EXIT, type Output } from './output.ts'

/** What every command gets: the output (table or JSON) and, on demand, a client of the logged-in API. */
export interface Context {
  out: Output
  env: NodeJS.ProcessEnv
  client(): { api: PunctualClient; url: string }
}

export function createContext(out: Output, env: NodeJS.ProcessEnv): Context {
  return {
    out,
    env,
    client() {
      const login = loadLogin(env)
      if (!login.url || !login.token)
        throw new CliError(
          EXIT.UNAUTHORIZED,
          'error: not logged in: run `punctual login --url <API URL> --token <JWT or API key>`',
        )
      return { api: createClient({ baseUrl: login.url, token: login.token }), url: login.url }
    },
  }
}

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

/**
 * Runs one API call: its data, or a CliError whose message the user reads — the problem body of a refusal,
 * a "log in" hint on 401, one line when the API cannot be reached.
 */
export async function call<T>(
  ctx: Context,
  request: (api: PunctualClient) => Promise<Answer<T>>,
): Promise<T> {
  const { api, url } = ctx.client()
  let answer: Answer<T>
  try {
    answer = await request(api)
  } catch (err) {
    throw new CliError(EXIT.UNREACHABLE, `error: cannot reach the API at ${url}: ${reason(err)}`)
  }
  const { status } = answer.response
  if (status === 401)
    throw new CliError(
      EXIT.UNAUTHORIZED,
      `${describeProblem(answer.error as never, status)}\n  log in again: punctual login --url ${url} --token <JWT or API key>`,
    )
  if (!answer.response.ok) throw new CliError(EXIT.REFUSED, describeProblem(answer.error as never, status))
  return answer.data as T
}

function reason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is it running?)'
  if (cause?.code === 'ENOTFOUND') return 'unknown host'
  return cause?.message ?? (err instanceof Error ? err.message : String(err))
}

/** A JSON option's value, or a usage error naming the option. */
export function parseJson(option: string, text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new CliError(EXIT.USAGE, `error: ${option} is not valid JSON`)
  }
}

/** An integer option's value, or a usage error naming the option. */
export function parseInteger(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isInteger(n)) throw new CliError(EXIT.USAGE, `error: ${option} must be an integer`)
  return n
}
