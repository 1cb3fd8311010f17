/**
 * One error module: every error the API can answer with has a code, an HTTP status and a title.
 * The API's error handler turns an AppError into RFC 9457 problem+json; a test checks that every
 * code is documented in the README's error table.
 */
export const ErrorCodes = {
  SCHED_ERR_VALIDATION: { status: 400, title: 'Request does not match the schema' },
  SCHED_ERR_MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  SCHED_ERR_JSON_UNSUPPORTED: {
    status: 400,
    title: 'JSON nested too deep, or a string with a NUL character or an unpaired surrogate',
  },
  SCHED_ERR_UNAUTHORIZED: { status: 401, title: 'Missing, invalid or expired credentials' },
  SCHED_ERR_WEBHOOK_SIGNATURE: { status: 401, title: 'Webhook signature missing, wrong or stale' },
  SCHED_ERR_FORBIDDEN: { status: 403, title: 'Role too low for this operation' },
  SCHED_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  SCHED_ERR_CONFLICT: { status: 409, title: 'Conflict' },
  SCHED_ERR_NAME_TAKEN: { status: 409, title: 'Name already used in this tenant' },
  SCHED_ERR_IN_USE: { status: 409, title: 'Still in use' },
  SCHED_ERR_BODY_TOO_LARGE: { status: 413, title: 'Body over the limit' },
  SCHED_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  SCHED_ERR_CRON_INVALID: { status: 422, title: 'Invalid cron expression' },
  SCHED_ERR_TIMEZONE_INVALID: { status: 422, title: 'Unknown time zone' },
  SCHED_ERR_CRON_NEVER_FIRES: { status: 422, title: 'The schedule never fires' },
  SCHED_ERR_DATE_RANGE: { status: 422, title: 'endDate is before startDate' },
  SCHED_ERR_WORKFLOW_UNKNOWN: { status: 422, title: 'Unknown workflowId' },
  SCHED_ERR_WORKFLOW_INVALID: { status: 422, title: 'Invalid workflow definition' },
  SCHED_ERR_FILTER_INVALID: { status: 422, title: 'Invalid filter pattern' },
  SCHED_ERR_EVENT_TYPE_INVALID: { status: 422, title: 'Invalid eventType' },
  SCHED_ERR_TEMPLATE_INVALID: { status: 422, title: 'Invalid inputTemplate' },
  SCHED_ERR_INPUT_TOO_LARGE: { status: 422, title: "The trigger's inputTemplate makes too large an input" },
  SCHED_ERR_IMMUTABLE_FIELD: { status: 422, title: 'A field that cannot change' },
  SCHED_ERR_QUOTA_EXCEEDED: { status: 422, title: 'A tenant quota would be exceeded' },
  SCHED_ERR_SUGGESTION_INVALID: { status: 422, title: 'An optimizer suggestion that cannot be applied' },
  SCHED_ERR_EVENT_TOO_COSTLY: { status: 422, title: 'Matching the body against the triggers is too costly' },
  SCHED_ERR_INVALID_STATE: { status: 409, title: 'Not allowed in the current state' },
  SCHED_ERR_RATE_LIMITED: { status: 429, title: 'Rate limited' },
  SCHED_ERR_DEPENDENCY_DOWN: { status: 503, title: 'A dependency is unavailable' },
  SCHED_ERR_INTERNAL: { status: 500, title: 'Internal error' },
  SCHED_ERR_SECRET_UNREADABLE: { status: 500, title: 'A stored secret cannot be decrypted' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorCode = keyof typeof ErrorCodes

export interface FieldError {
  /** Where the problem is, e.g. `body.retryPolicy.maxAttempts` or `query.limit`. */
  path: string
  message: string
}

/** At most this many entries in a problem's `errors`: beyond, `detail` says there were more. */
export const MAX_FIELD_ERRORS = 20

const MAX_SEGMENT_CHARS = 64
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const UNPRINTABLE = /[\0-\x1f\x7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * A field's path as errors show it: `body.retryPolicy.maxAttempts`, `body.steps.0.url`. A key taken from the
 * request is shortened (a 500 KB key stays a readable path) and its control characters and unpaired surrogates
 * show as U+FFFD.
 */
export function fieldPath(context: string, segments: readonly (string | number)[]): string {
  const parts = [context]
  for (const segment of segments) {
    let text = String(segment)
    if (text.length > MAX_SEGMENT_CHARS) text = `${text.slice(0, MAX_SEGMENT_CHARS - 1)}…`
    parts.push(text.replace(UNPRINTABLE, '\ufffd'))
  }
  return parts.join('.')
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly errors: FieldError[] | undefined
  constructor(code: ErrorCode, detail?: string, errors?: FieldError[], options?: { cause?: unknown }) {
    super(detail ?? ErrorCodes[code].title, options)
    this.name = 'AppError'
    this.code = code
    this.status = ErrorCodes[code].status
    this.errors = errors
  }
}
