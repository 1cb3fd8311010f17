import { decodeJsonBytes, findJsonHygieneIssueInText, jsonHygieneError } from '@punctual/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * The JSON body parser of every /api route: Fastify's own (prototype-poisoning checks included), given text
 * decoded by decodeJsonBytes, then the hygiene check (depth > 32, NUL, unpaired surrogate → 400 naming the path)
 * before any schema or handler sees the body, so no route can hand such text to Postgres (which answers it with
 * a 500). Linear in the body (a scan of the text, and a walk of the parsed value only when the text may hold an
 * issue), iterative: no depth can overflow the stack. /hooks has its own parser (the raw bytes are verified
 * first) and runs the same check after the signature (services/hooks.ts).
 */
async function jsonBodyPlugin(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = decodeJsonBytes(body as Buffer)
    parse(request, text, (err, value) => {
      if (err) return done(err, undefined)
      const issue = findJsonHygieneIssueInText(text, value)
      if (issue) return done(jsonHygieneError(issue), undefined)
      done(null, value)
    })
  })
}

export default fp(jsonBodyPlugin, { name: 'json-body' })
