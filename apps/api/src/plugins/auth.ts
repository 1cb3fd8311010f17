import fastifyJwt from '@fastify/jwt'
import { AppError } from '@punctual/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type ApiKeyAuthenticator, isApiKeyCredential } from '../services/api-keys.ts'
import { createJwksKeys, JWKS_ALGORITHMS, JwksKeyError } from './jwks.ts'

export const ROLES = ['viewer', 'editor', 'admin'] as const
export type Role = (typeof ROLES)[number]
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 }

export interface Principal {
  sub: string
  tenant: string
  role: Role
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub?: string; tenant: string; role: Role }
    user: Principal
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Lowest role allowed; default: viewer for GET/HEAD, editor for everything else. */
    minRole?: Role
  }
  interface FastifyInstance {
    /** onRequest hook: who is calling (`request.user`), or 401 (429 past the failed-authentication limit). */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** onRequest hook after authenticate (and the tenant's rate limit): the route's role, or 403. */
    authorize: (request: FastifyRequest) => Promise<void>
  }
}

export interface AuthOptions {
  secret: string
  publicKey?: string | undefined
  /** JWT_JWKS_URL: keys from a JWKS (plugins/jwks.ts) instead of `secret` or `publicKey`. */
  jwksUrl?: string | undefined
  issuer?: string | undefined
  audience?: string | undefined
  /** JWT_MAX_TTL_SECONDS: the longest `exp` − `iat` (or `exp` − now, without `iat`) accepted. */
  maxTtlSeconds: number
  /** API keys (`Bearer pk_…`), services/api-keys.ts. */
  apiKeys: ApiKeyAuthenticator
  /**
   * Called before a failed authentication is answered 401; it may throw another answer instead (the 429 of the
   * per-address limit on failed authentications, see plugins/rate-limit.ts).
   */
  onFailure?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
}

/**
 * Every credential that does not verify gets this one answer, whatever failed (signature, expiry, issuer,
 * audience, unknown kid, an unknown, revoked or expired API key): a caller learns nothing about which part was
 * wrong, and a bad API key looks like a bad JWT.
 */
export const INVALID_CREDENTIALS = 'The credentials are invalid, expired or revoked'

function refused(detail = INVALID_CREDENTIALS): AppError {
  return new AppError('SCHED_ERR_UNAUTHORIZED', detail)
}

function jwtKeyOptions(opts: AuthOptions) {
  if (opts.jwksUrl) {
    const jwks = createJwksKeys(opts.jwksUrl)
    return {
      secret: (_request: FastifyRequest, token: { header?: { kid?: unknown; alg?: unknown } }) =>
        jwks.keyFor(token.header ?? {}),
      algorithms: [...JWKS_ALGORITHMS],
    }
  }
  if (opts.publicKey) return { secret: { public: opts.publicKey }, algorithms: ['RS256', 'ES256'] }
  return { secret: opts.secret, algorithms: ['HS256'] }
}

/** The principal of a verified JWT: signature and claims (see authPlugin), or the 401. */
async function verifyJwt(request: FastifyRequest, maxTtlSeconds: number): Promise<Principal> {
  let claims: Record<string, unknown>
  try {
    claims = (await request.jwtVerify()) as unknown as Record<string, unknown>
  } catch (err) {
    if (!(err instanceof JwksKeyError))
      request.log.debug({ code: (err as { code?: unknown }).code }, 'token refused')
    throw refused()
  }
  const exp = claims.exp as number
  const from = typeof claims.iat === 'number' ? claims.iat : Date.now() / 1000
  if (exp - from > maxTtlSeconds) {
    throw refused(`Token lifetime is longer than the maximum of ${maxTtlSeconds} s`)
  }
  const tenant = claims.tenant
  const role = claims.role
  if (typeof tenant !== 'string' || tenant.length === 0 || tenant.length > 200) {
    throw refused('Token has no tenant claim')
  }
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw refused('Token role must be viewer, editor or admin')
  }
  return { sub: typeof claims.sub === 'string' ? claims.sub : 'anonymous', tenant, role: role as Role }
}

/**
 * `Authorization: Bearer <credential>`: an API key (`pk_…`) or a JWT with an explicit algorithm list (never
 * `none`, never an algorithm the key was not meant for): HS256 with JWT_SECRET by default, RS256/ES256 with
 * JWT_PUBLIC_KEY or keys from JWT_JWKS_URL. `exp` is required and enforced, and may lie at most
 * JWT_MAX_TTL_SECONDS after `iat` (or now); `iss` and `aud` are enforced when JWT_ISSUER / JWT_AUDIENCE are
 * set; `tenant` must be a non-empty string and `role` one of viewer|editor|admin, or the token is refused (401).
 */
async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
  const key = jwtKeyOptions(opts)
  await app.register(fastifyJwt, {
    secret: key.secret as string,
    decode: { complete: true },
    verify: {
      algorithms: key.algorithms as ('HS256' | 'RS256' | 'ES256')[],
      // With JWT_ISSUER / JWT_AUDIENCE set, a token without the claim is refused too.
      requiredClaims: [
        'exp',
        ...(opts.issuer !== undefined ? ['iss'] : []),
        ...(opts.audience !== undefined ? ['aud'] : []),
      ],
      cache: 10_000,
      ...(opts.issuer !== undefined && { allowedIss: opts.issuer }),
      ...(opts.audience !== undefined && { allowedAud: opts.audience }),
    },
    sign: key.algorithms[0] === 'HS256' ? { algorithm: 'HS256' } : undefined,
    formatUser: (payload) => payload as unknown as Principal,
  })

  async function identify(request: FastifyRequest) {
    const header = request.headers.authorization
    if (!header) throw refused('Missing Authorization: Bearer <credential>')
    const credential = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
    if (credential && isApiKeyCredential(credential)) {
      const principal = await opts.apiKeys.authenticate(credential)
      if (!principal) throw refused()
      request.user = principal
      return
    }
    request.user = await verifyJwt(request, opts.maxTtlSeconds)
  }

  app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await identify(request)
    } catch (err) {
      // Only refused credentials count toward the address's limit (Postgres down answers 503, uncounted).
      if (err instanceof AppError && err.code === 'SCHED_ERR_UNAUTHORIZED')
        await opts.onFailure?.(request, reply)
      throw err
    }
  })

  app.decorate('authorize', async (request: FastifyRequest) => {
    // An unknown /api route answers 404 whatever the role.
    if (request.is404) return
    const { role } = request.user
    const required = request.routeOptions.config.minRole ?? (isRead(request.method) ? 'viewer' : 'editor')
    if (RANK[role] < RANK[required]) {
      throw new AppError(
        'SCHED_ERR_FORBIDDEN',
        `This operation needs the ${required} role; the token has ${role}`,
      )
    }
  })
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD'
}

export default fp(authPlugin, { name: 'auth' })
