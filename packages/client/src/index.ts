import createFetchClient, { type Client } from 'openapi-fetch'
import type { paths } from './schema.ts'

export type * from './schema.ts'

export interface ClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string
  /** A JWT or an API key (`pk_…`), sent as `Authorization: Bearer`. */
  token?: string
  /** Another fetch (tests, proxies). Default: the global fetch. */
  fetch?: typeof globalThis.fetch
}

export type PunctualClient = Client<paths>

/**
 * A typed client of the API (openapi-fetch over the generated `paths`): `client.GET('/api/schedules/{id}',
 * { params: { path: { id } } })` answers `{ data, error, response }`, `data` typed as `Schedule` and `error` as
 * the route's problem body.
 */
export function createClient(opts: ClientOptions): PunctualClient {
  const client = createFetchClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    ...(opts.fetch && { fetch: opts.fetch }),
  })
  const token = opts.token
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${token}`)
        return request
      },
    })
  }
  return client
}
