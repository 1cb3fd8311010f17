import { AppError, ErrorCodes, type FieldError, MAX_FIELD_ERRORS } from '@punctual/core'
import { isUnavailableError } from '@punctual/db'
import { isRedisUnavailableError } from '@punctual/queue'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type AjvIssue, type SchemaValidationError, validationErrors } from './field-errors.ts'

const PROBLEM_TYPE_BASE = 'https://punctual.dev/problems/'

/** Postgres or Redis is unreachable (connection refused, timed out, shut down): the dependency is down → 503. */
export function isDependencyDown(err: unknown): boolean {
  if (err instanceof AppError) return err.code === 'SCHED_ERR_DEPENDENCY_DOWN'
  return isUnavailableError(err) || isRedisUnavailableError(err)
}

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail?: string
  code?: string
  requestId: string
  errors?: FieldError[]
}

// Whatever the request, a problem body stays under 16 KiB (the contract): at most MAX_FIELD_ERRORS entries, and
// each text clipped to a byte budget of its JSON form. 2 KiB + 20 × (2 × 256 B + punctuation) + the fixed fields
// (a request id is at most 128 characters) ≈ 13.5 KiB.
const MAX_DETAIL_BYTES = 2048
const MAX_FIELD_BYTES = 256
const MORE_ERRORS = ` (and more errors: only the first ${MAX_FIELD_ERRORS} are listed)`

/**
 * `text` cut so that its JSON form (escapes and UTF-8 included, quotes not) takes at most `maxBytes`, with an
 * ellipsis when cut. Costs at most `maxBytes` steps, however long the text.
 */
export function clipForJson(text: string, maxBytes: number): string {
  if (text.length * 6 <= maxBytes) return text
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    let width = 3
    let units = 1
    if (c < 0x20) width = 6
    else if (c === 0x22 || c === 0x5c) width = 2
    else if (c < 0x80) width = 1
    else if (c < 0x800) width = 2
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1)
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        width = 4
        units = 2
      } else width = 6
    }
    if (bytes + width > maxBytes - 3) return `${text.slice(0, i)}…`
    bytes += width
    i += units - 1
  }
  return text
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  let detail = err.message
  let errors = err.errors
  if (errors && errors.length > MAX_FIELD_ERRORS) {
    errors = errors.slice(0, MAX_FIELD_ERRORS)
    detail = clipForJson(detail, MAX_DETAIL_BYTES - MORE_ERRORS.length) + MORE_ERRORS
  } else {
    detail = clipForJson(detail, MAX_DETAIL_BYTES)
  }
  const body: ProblemBody = {
    type:
      PROBLEM_TYPE_BASE +
      err.code
        .replace(/^SCHED_ERR_/, '')
        .toLowerCase()
        .replaceAll('_', '-'),
    title: ErrorCodes[err.code].title,
    status: err.status,
    detail,
    code: err.code,
    requestId: reply.request.id,
  }
  if (errors) {
    body.errors = errors.map((e) => ({
      path: clipForJson(e.path, MAX_FIELD_BYTES),
      message: clipForJson(e.message, MAX_FIELD_BYTES),
    }))
  }
  return reply.code(err.status).type('application/problem+json').send(body)
}

type SchemaError = Error &
  Partial<SchemaValidationError> & { validation?: AjvIssue[]; validationContext?: string }

function schemaErrors(err: SchemaError): FieldError[] {
  if (err.fieldErrors) return err.fieldErrors
  if (!err.validation) return []
  const context = err.validationContext === 'querystring' ? 'query' : (err.validationContext ?? 'body')
  return validationErrors(context, err.validation)
}

/**
 * The 400 for a request that fails its schema (or checks the schema cannot express): the failing fields, of
 * which the problem body lists the first MAX_FIELD_ERRORS (its `detail` then says there were more).
 */
export function validationFailed(errors: FieldError[]): AppError {
  const detail = errors
    .slice(0, MAX_FIELD_ERRORS)
    .map((e) => `${e.path} ${e.message}`)
    .join('; ')
  return new AppError('SCHED_ERR_VALIDATION', detail, errors)
}

/**
 * For routes with `attachValidation: true`, which add their own cross-field checks to the schema's: the
 * schema's field errors of this request (none when it passed).
 */
export function attachedValidationErrors(request: FastifyRequest): FieldError[] {
  const err = request.validationError as SchemaError | undefined
  return err ? schemaErrors(err) : []
}

function toAppError(err: FastifyError & SchemaError): AppError {
  if (err instanceof AppError) return err
  if (err.fieldErrors || err.validation) return validationFailed(schemaErrors(err))
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('SCHED_ERR_BODY_TOO_LARGE', 'Request body is larger than the limit')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('SCHED_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('SCHED_ERR_MALFORMED_JSON', 'Body is empty but Content-Type is application/json', [
        { path: 'body', message: 'is empty' },
      ])
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('SCHED_ERR_MALFORMED_JSON', `Body is not valid JSON: ${err.message}`, [
        { path: 'body', message: 'is not valid JSON' },
      ])
  }
  if (err.code?.startsWith('FST_JWT_')) return new AppError('SCHED_ERR_UNAUTHORIZED', err.message)
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return new AppError('SCHED_ERR_MALFORMED_JSON', `Body is not valid JSON: ${err.message}`, [
      { path: 'body', message: 'is not valid JSON' },
    ])
  }
  if (isDependencyDown(err))
    return new AppError('SCHED_ERR_DEPENDENCY_DOWN', 'A dependency (Postgres or Redis) is unavailable')
  if (err.statusCode === 429) return new AppError('SCHED_ERR_RATE_LIMITED', err.message)
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 413) return new AppError('SCHED_ERR_BODY_TOO_LARGE', err.message)
    if (err.statusCode === 415) return new AppError('SCHED_ERR_UNSUPPORTED_MEDIA_TYPE', err.message)
    return new AppError('SCHED_ERR_VALIDATION', err.message)
  }
  return new AppError('SCHED_ERR_INTERNAL', 'Internal error', undefined, { cause: err })
}

/**
 * Fastify's `frameworkErrors`: what Fastify answers before any hook runs (a malformed %-escape in the URL, a path
 * parameter over 100 characters) answered as problems too, with the request id.
 */
export function sendFrameworkError(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  reply.header('x-request-id', request.id)
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return sendProblem(
        reply,
        new AppError('SCHED_ERR_VALIDATION', 'The URL holds a malformed %-escape', [
          { path: 'url', message: 'is not a valid URL' },
        ]),
      )
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return sendProblem(
        reply,
        new AppError('SCHED_ERR_NOT_FOUND', 'No such resource (a path segment is too long)'),
      )
  }
  request.log.error({ err }, 'framework error')
  return sendProblem(reply, new AppError('SCHED_ERR_INTERNAL', 'Internal error'))
}

async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appErr = toAppError(err)
    // Never the detail of a 4xx in the log: it may quote the request (a JSON parser's message shows the body).
    if (appErr.status >= 500) request.log.error({ err }, appErr.message)
    else request.log.debug({ code: appErr.code, status: appErr.status }, ErrorCodes[appErr.code].title)
    if (appErr.code === 'SCHED_ERR_DEPENDENCY_DOWN') reply.header('retry-after', '5')
    return sendProblem(reply, appErr)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new AppError('SCHED_ERR_NOT_FOUND', `No route ${request.method} ${request.url}`)),
  )
}

export default fp(errorsPlugin, { name: 'errors' })
