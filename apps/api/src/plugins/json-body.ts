import { decodeJsonBytes, findJsonHygieneIssueInText, jsonHygieneError, nextTurn } from '@punctual/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** Bodies longer than this are handed on in the next turn of the event loop (see below). */
const YIELD_AFTER_PARSE_CHARS = 64 * 1024

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
      const check = () => {
        const issue = findJsonHygieneIssueInText(text, value)
        if (issue) return done(jsonHygieneError(issue), undefined)
        done(null, value)
      }
      // Parsing a body near the 1 MiB limit holds the event loop for ~20 ms (65,000 keys, or 100,000 strings
      // in an array); what follows it (the hygiene walk, validation, the handler: matching, serialising the
      // rows to write) another ~20 ms. The loop is given back in between, so that neither stretch runs much
      // over half the contract's 50 ms.
      if (text.length > YIELD_AFTER_PARSE_CHARS) void nextTurn().then(check)
      else check()
    })
  })
}

export default fp(jsonBodyPlugin, { name: 'json-body' })
