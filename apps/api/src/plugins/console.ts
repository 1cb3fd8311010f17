import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'

/**
 * The web console (apps/console, built by `pnpm build`): its files under /ui, every other /ui path answered
 * with its index.html (the console routes in the browser), `GET /` redirected to /ui/. Every /ui answer
 * carries a strict Content-Security-Policy: the console has no inline script or style and talks only to
 * this origin. Hashed assets (/ui/assets/<name>-<hash>.*) are cached for good; index.html never is.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

/** CONSOLE_DIR, else the first apps/console/dist found from this module upwards (source or bundle). */
export function findConsoleDir(configured: string | undefined): string | null {
  if (configured) return resolve(configured)
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'apps/console/dist')
    if (existsSync(join(candidate, 'index.html'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

function secure(reply: FastifyReply) {
  reply.header('content-security-policy', CONSOLE_CSP)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('referrer-policy', 'no-referrer')
}

async function consolePlugin(app: FastifyInstance, opts: { dir: string | undefined }) {
  const root = findConsoleDir(opts.dir)
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/ui/'))
  app.get('/ui', { schema: { hide: true } }, (_request, reply) => reply.redirect('/ui/'))
  if (!root || !existsSync(join(root, 'index.html'))) {
    // Not built: say so on every console path instead of a bare 404 (never a blank page).
    app.get('/ui/*', { schema: { hide: true } }, (_request, reply) => {
      secure(reply)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `pnpm build` (or `pnpm start`, which builds it).\n')
    })
    return
  }
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply) => {
      secure(reply)
    })
    await scope.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/ui/assets/',
      index: false,
      schemaHide: true,
      // Named by content hash: a changed file has a new name.
      immutable: true,
      maxAge: '365d',
    })
    // /ui/ and deep links (/ui/schedules/<id>): the console's page, read afresh (a rebuild shows at once).
    scope.get('/ui/*', { schema: { hide: true } }, (_request, reply) => {
      return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false })
    })
  })
}

export default fp(consolePlugin, { name: 'console' })
