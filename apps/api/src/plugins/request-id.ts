import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Fastify's `genReqId`: the client's own `X-Request-Id` when it is 1-128 characters of [A-Za-z0-9._:-] (so it
 * can be trusted in logs and headers), else a new UUID. Fastify puts it in every log line of the request
 * (`reqId`); errors.ts puts it in problem bodies (`requestId`).
 */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id']
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID()
}

/** Every response carries `X-Request-Id`: set when the request arrives, so errors and 404s have it too. */
async function requestIdPlugin(app: FastifyInstance) {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
}

export default fp(requestIdPlugin, { name: 'request-id' })
