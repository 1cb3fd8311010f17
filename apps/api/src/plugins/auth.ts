import fastifyJwt from '@fastify/jwt'
import { AppError } from '@punctual/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

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
  /**
   * Called before a failed authentication is answered 401; it may throw another answer instead (the 429 of the
   * per-address limit on failed authentications, see plugins/rate-limit.ts).
   */
  onFailure?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
}

/**
 * Bearer JWT with an explicit algorithm list (never `none`, never an algorithm the key was not meant for):
 * HS256 with JWT_SECRET by default, RS256/ES256 when JWT_PUBLIC_KEY is set. `exp` is required and enforced;
 * `tenant` must be a non-empty string and `role` one of viewer|editor|admin, or the token is refused (401).
 */
async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
  const asymmetric = Boolean(opts.publicKey)
  await app.register(fastifyJwt, {
    secret: asymmetric ? { public: opts.publicKey as string } : opts.secret,
    verify: {
      algorithms: asymmetric ? ['RS256', 'ES256'] : ['HS256'],
      requiredClaims: ['exp'],
      cache: 10_000,
    },
    sign: asymmetric ? undefined : { algorithm: 'HS256' },
    formatUser: (payload) => payload as unknown as Principal,
  })

  async function identify(request: FastifyRequest) {
    if (!request.headers.authorization) {
      throw new AppError('SCHED_ERR_UNAUTHORIZED', 'Missing Authorization: Bearer <token>')
    }
    let claims: Record<string, unknown>
    try {
      claims = (await request.jwtVerify()) as unknown as Record<string, unknown>
    } catch (err) {
      const detail = (err as Error).message || 'Invalid token'
      throw new AppError('SCHED_ERR_UNAUTHORIZED', detail)
    }
    const tenant = claims.tenant
    const role = claims.role
    if (typeof tenant !== 'string' || tenant.length === 0 || tenant.length > 200) {
      throw new AppError('SCHED_ERR_UNAUTHORIZED', 'Token has no tenant claim')
    }
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw new AppError('SCHED_ERR_UNAUTHORIZED', 'Token role must be viewer, editor or admin')
    }
    request.user = {
      sub: typeof claims.sub === 'string' ? claims.sub : 'anonymous',
      tenant,
      role: role as Role,
    }
  }

  app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await identify(request)
    } catch (err) {
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
