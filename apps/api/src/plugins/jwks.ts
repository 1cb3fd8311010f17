import { KeyObject } from 'node:crypto'
import { createRemoteJWKSet } from 'jose'

/**
 * Verification keys from JWT_JWKS_URL (the contract: RS256/ES256 only, `kid` required, cached, refreshed on an
 * unknown `kid` at most once per 30 s). jose's remote key set does the fetching and caching (a fetch times out
 * after 5 s, redirects are not followed, the set is kept 10 min and fetched again when older); its own
 * cool-down counts only successful fetches, so the 30 s bound on unknown kids is kept here, counting every
 * attempt: a flood of tokens naming unknown kids costs the JWKS server one request per 30 s, and nothing
 * while its fetch fails. (get-jwks, which the issue names, fetches again on every unknown kid and passes its
 * timeout to a fetch that ignores it; jose is as maintained and bounds both.)
 */

export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const

export class JwksKeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JwksKeyError'
  }
}

export interface JwksKeys {
  /** The PEM public key for a token's header; throws JwksKeyError when there is none to use. */
  keyFor(header: { kid?: unknown; alg?: unknown }): Promise<string>
}

export interface JwksOptions {
  /** Least time between two fetches caused by unknown kids (ms). Default 30000. */
  unknownKidRefreshMs?: number
  /** How long a fetched set is used before it is fetched again (ms). Default 600000. */
  cacheMaxAgeMs?: number
}

export function createJwksKeys(url: string, opts: JwksOptions = {}): JwksKeys {
  const refreshMs = opts.unknownKidRefreshMs ?? 30_000
  const set = createRemoteJWKSet(new URL(url), {
    cooldownDuration: refreshMs,
    cacheMaxAge: opts.cacheMaxAgeMs ?? 600_000,
    timeoutDuration: 5000,
  })
  const pems = new WeakMap<object, string>()
  let lastUnknownAttemptMs = Number.NEGATIVE_INFINITY
  return {
    async keyFor(header) {
      const { kid, alg } = header
      if (typeof kid !== 'string' || kid === '') throw new JwksKeyError('the token names no key (kid)')
      if (alg !== 'RS256' && alg !== 'ES256')
        throw new JwksKeyError('the token is not signed with RS256 or ES256')
      const known = set.jwks()?.keys.some((k) => k.kid === kid) ?? false
      if (!known) {
        const nowMs = Date.now()
        if (nowMs - lastUnknownAttemptMs < refreshMs) throw new JwksKeyError('no key with this kid')
        lastUnknownAttemptMs = nowMs
      }
      let key: Awaited<ReturnType<typeof set>>
      try {
        key = await set({ kid, alg })
      } catch (err) {
        throw new JwksKeyError(`no usable key with this kid (${(err as Error).name})`)
      }
      let pem = pems.get(key)
      if (!pem) {
        pem = KeyObject.from(key).export({ type: 'spki', format: 'pem' }) as string
        pems.set(key, pem)
      }
      return pem
    },
  }
}
