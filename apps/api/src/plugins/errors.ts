import { AppError, ErrorCodes, type FieldError } from '@punctual/core'
import { isUnavailableError } from '@punctual/db'
import { isRedisUnavailableError } from '@punctual/queue'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

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

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  const body: ProblemBody = {
    type:
      PROBLEM_TYPE_BASE +
      err.code
        .replace(/^SCHED_ERR_/, '')
        .toLowerCase()
        .replaceAll('_', '-'),
    title: ErrorCodes[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
    requestId: reply.request.id,
  }
  if (err.errors) body.errors = err.errors
  return reply.code(err.status).type('application/problem+json').send(body)
}

interface AjvIssue {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/** Turns Ajv's issues into `{ path, message }` entries: one per failing field, with a readable path. */
export function validationErrors(context: string, issues: AjvIssue[]): FieldError[] {
  const out: FieldError[] = []
  const seen = new Set<string>()
  const unions = new Map<string, { entry: FieldError; types: string[]; values: string[] }>()
  for (const issue of issues) {
    const segments = issue.instancePath.split('/').filter(Boolean)
    let message = issue.message ?? 'is invalid'
    if (issue.keyword === 'required') segments.push(String(issue.params.missingProperty))
    else if (issue.keyword === 'additionalProperties') {
      segments.push(String(issue.params.additionalProperty))
      message = 'is not a known property'
    } else if (issue.keyword === 'discriminator') {
      message = 'type must be one of the known step types (http, delay)'
    } else if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
      message = `must be one of ${issue.params.allowedValues.join(', ')}`
    } else if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf') continue
    const path = [context, ...segments].join('.')
    if (issue.keyword === 'type' || issue.keyword === 'const') {
      // A union fails in each of its branches: one entry naming the alternatives (`must be object or null`,
      // `must be one of "full", "none"`; the allowed values say more than their type).
      let union = unions.get(path)
      const isNew = !union
      union ??= { entry: { path, message }, types: [], values: [] }
      const list = issue.keyword === 'type' ? union.types : union.values
      const name =
        issue.keyword === 'type' ? String(issue.params.type) : JSON.stringify(issue.params.allowedValue)
      if (!list.includes(name)) list.push(name)
      union.entry.message =
        union.values.length > 1
          ? `must be one of ${union.values.join(', ')}`
          : `must be ${(union.values.length === 1 ? union.values : union.types).join(' or ')}`
      if (!isNew) continue
      unions.set(path, union)
      out.push(union.entry)
      continue
    }
    const key = `${path}|${message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ path, message })
  }
  return out.length > 0 ? out : [{ path: context, message: 'is invalid' }]
}

type SchemaError = Error & { validation?: AjvIssue[]; validationContext?: string }

function schemaErrors(err: SchemaError): FieldError[] {
  if (!err.validation) return []
  const context = err.validationContext === 'querystring' ? 'query' : (err.validationContext ?? 'body')
  return validationErrors(context, err.validation)
}

/** The 400 for a request that fails its schema (or checks the schema cannot express): every field listed. */
export function validationFailed(errors: FieldError[]): AppError {
  return new AppError('SCHED_ERR_VALIDATION', errors.map((e) => `${e.path} ${e.message}`).join('; '), errors)
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
  if (err.validation) return validationFailed(schemaErrors(err))
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

async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appErr = toAppError(err)
    if (appErr.status >= 500) request.log.error({ err }, appErr.message)
    else request.log.debug({ code: appErr.code }, appErr.message)
    if (appErr.code === 'SCHED_ERR_DEPENDENCY_DOWN') reply.header('retry-after', '5')
    return sendProblem(reply, appErr)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new AppError('SCHED_ERR_NOT_FOUND', `No route ${request.method} ${request.url}`)),
  )
}

export default fp(errorsPlugin, { name: 'errors' })
