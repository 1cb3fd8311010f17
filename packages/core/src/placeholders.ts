/**
 * `{{path}}` placeholders in an http step's url, headers and body, resolved from the run context. Only a
 * lookup of own properties along a dotted path: nothing is evaluated, no prototype is reachable.
 *
 * Paths (the contract's list, plus a step's statusCode):
 *   execution.id | execution.scheduledFor (ISO string) | execution.attempt
 *   input | input.a.b | input.items.0 | input.items[0] | input["odd key"]
 *   steps.<name>.status | steps.<name>.statusCode | steps.<name>.body | steps.<name>.body.<path>
 *   secrets.NAME (the tenant's secret, given by the worker at run time; core secrets/step-secrets.ts)
 * Step names may contain dots: the longest step name that fits wins (`steps.fetch.v2.body.id` finds step
 * `fetch.v2`). Whitespace inside the braces is ignored (`{{ input.id }}`). Text between `{{` and `}}` that
 * is not a path of that grammar is not a placeholder and stays as written.
 *
 * Values (the rules Mustache, GitHub Actions and n8n users expect):
 * - In a JSON body, a string that is exactly one placeholder takes the referenced JSON value with its type
 *   (`"{{input.count}}"` → 3, an object stays an object); an unknown path gives null there.
 * - Inside a longer string (and always in headers and the URL) the value is stringified: strings as they
 *   are, numbers and booleans in JSON form, objects and arrays as JSON, null and unknown paths as "".
 * - Header values: CR, LF and NUL in substituted text become spaces (no header injection).
 * - URL (resolveUrl): a value substituted into the path, query or fragment is percent-encoded as one
 *   component (encodeURIComponent), so it cannot add segments, parameters or a fragment. A placeholder at
 *   the very start of the URL supplies a base (`{{input.callbackUrl}}`, `{{input.baseUrl}}/items/{{input.id}}`)
 *   and is inserted as is; one inside a literal `scheme://` authority is inserted as is when it is a plain
 *   host[:port], else encoded. The outbound-safety check still applies to wherever the URL points.
 * - One pass: text a placeholder put in is never scanned again (an input holding `{{secrets.X}}` is sent as
 *   that text).
 * - Object keys are never templated. Inputs are not mutated; context values are copied, not shared.
 */

export interface PlaceholderStep {
  status: string
  statusCode?: number | null
  /** The response body, parsed when it was JSON. */
  body?: unknown
}

export interface PlaceholderContext {
  execution: { id: string; scheduledFor: Date | string; attempt: number }
  input: unknown
  steps: Readonly<Record<string, PlaceholderStep>>
  /**
   * `secrets.NAME`: the tenant secrets this step refers to, opened by the worker at run time only (never
   * stored with the execution). Absent: `{{secrets.…}}` resolves to nothing.
   */
  secrets?: Readonly<Record<string, string>>
}

export interface ResolveOptions {
  /** Called with each placeholder path that resolved to nothing. */
  onUnresolved?: (path: string) => void
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/
const SEGMENT = /^(?:[A-Za-z0-9_$-]+|\[\d+\]|\["[^"\]]*"\]|\['[^'\]]*'\])/
/** The path resolved to nothing. */
const MISSING: unique symbol = Symbol('missing')
/** The text between the braces is not a path: not a placeholder at all. */
const NOT_A_PATH: unique symbol = Symbol('not a path')
type Found = unknown

/** The path's segments, or null when it is not a path of the grammar. */
export function parsePlaceholderPath(path: string): string[] | null {
  const out: string[] = []
  let rest = path
  for (;;) {
    const m = SEGMENT.exec(rest)
    if (!m) return null
    const seg = m[0]
    if (!seg.startsWith('[')) out.push(seg)
    else if (/^\[\d/.test(seg)) out.push(seg.slice(1, -1))
    else out.push(seg.slice(2, -2))
    rest = rest.slice(seg.length)
    if (rest === '') return out
    if (rest.startsWith('.')) rest = rest.slice(1)
    else if (!rest.startsWith('[')) return null
  }
}

function child(value: unknown, key: string): Found {
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(key)) return MISSING
    const i = Number(key)
    return i < value.length ? value[i] : MISSING
  }
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, key))
    return (value as Record<string, unknown>)[key]
  return MISSING
}

function walk(value: unknown, segments: readonly string[]): Found {
  let cur: Found = value
  for (const key of segments) {
    if (cur === MISSING) return MISSING
    cur = child(cur, key)
  }
  return cur === undefined ? MISSING : cur
}

function lookup(ctx: PlaceholderContext, segments: string[]): Found {
  const [root, ...rest] = segments
  if (root === 'input') return walk(ctx.input, rest)
  if (root === 'secrets') {
    const secrets = ctx.secrets
    return rest.length === 1 && secrets && Object.hasOwn(secrets, rest[0]!) ? secrets[rest[0]!] : MISSING
  }
  if (root === 'execution') {
    if (rest.length !== 1) return MISSING
    const e = ctx.execution
    if (rest[0] === 'id') return e.id
    if (rest[0] === 'attempt') return e.attempt
    if (rest[0] === 'scheduledFor')
      return e.scheduledFor instanceof Date ? e.scheduledFor.toISOString() : e.scheduledFor
    return MISSING
  }
  if (root === 'steps') {
    // The longest step name that is a prefix of the remaining segments.
    for (let n = rest.length - 1; n >= 1; n--) {
      const name = rest.slice(0, n).join('.')
      if (!Object.hasOwn(ctx.steps, name)) continue
      const step = ctx.steps[name]!
      const [field, ...more] = rest.slice(n)
      if (field === 'status' && more.length === 0) return step.status
      if (field === 'statusCode' && more.length === 0) return step.statusCode ?? MISSING
      if (field === 'body') return walk(step.body, more)
      return MISSING
    }
  }
  return MISSING
}

/**
 * The value at `segments` below `value` (own properties and array indexes only), or undefined when there is
 * none: the lookup `{{input.*}}` uses, shared with trigger input templates (input-template.ts).
 */
export function walkPlaceholderPath(value: unknown, segments: readonly string[]): unknown {
  const found = walk(value, segments)
  return found === MISSING ? undefined : found
}

/** A piece of a templated string: literal text, or a placeholder with its path's segments. */
export type PlaceholderPart = string | { path: string; segments: string[] }

/**
 * A string cut into literal text and placeholders, by the grammar the steps use (text between `{{` and `}}`
 * that is not a path stays literal); a string without placeholders is one literal part.
 */
export function splitPlaceholders(template: string): PlaceholderPart[] {
  const parts: PlaceholderPart[] = []
  let last = 0
  let text = ''
  for (const m of template.matchAll(PLACEHOLDER)) {
    const segments = parsePlaceholderPath(m[1]!)
    if (!segments) continue
    text += template.slice(last, m.index)
    if (text !== '') parts.push(text)
    text = ''
    parts.push({ path: m[1]!, segments })
    last = m.index + m[0].length
  }
  text += template.slice(last)
  if (text !== '' || parts.length === 0) parts.push(text)
  return parts
}

/** How a placeholder's value reads inside a longer string (see the file header). */
export function placeholderText(value: unknown): string {
  return stringify(value === undefined ? MISSING : value)
}

function resolvePath(ctx: PlaceholderContext, path: string, opts: ResolveOptions | undefined): Found {
  const segments = parsePlaceholderPath(path)
  if (!segments) return NOT_A_PATH
  const found = lookup(ctx, segments)
  if (found === MISSING) opts?.onUnresolved?.(path)
  return found
}

/** A JSON-ish copy: Dates become ISO strings, undefined members are dropped as JSON would. */
function copyJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : copyJson(v)))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = copyJson(v)
    return out
  }
  return value
}

function stringify(value: Found): string {
  if (value === MISSING || value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(copyJson(value))
  return String(value)
}

function render(
  template: string,
  ctx: PlaceholderContext,
  opts: ResolveOptions | undefined,
  encode: (text: string, offset: number) => string,
): string {
  return template.replace(PLACEHOLDER, (whole, path: string, offset: number) => {
    const found = resolvePath(ctx, path, opts)
    return found === NOT_A_PATH ? whole : encode(stringify(found), offset)
  })
}

/** A string with every placeholder replaced by its stringified value. */
export function resolveTemplate(
  template: string,
  context: PlaceholderContext,
  opts?: ResolveOptions,
): string {
  return render(template, context, opts, (text) => text)
}

/**
 * A JSON value (an http step's body) with placeholders resolved in every string, recursively. A string
 * that is exactly one placeholder takes the referenced value with its JSON type (null when unknown).
 */
export function resolvePlaceholders(
  value: unknown,
  context: PlaceholderContext,
  opts?: ResolveOptions,
): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value)
    if (whole) {
      const found = resolvePath(context, whole[1]!, opts)
      if (found === MISSING) return null
      if (found !== NOT_A_PATH) return copyJson(found)
    }
    return resolveTemplate(value, context, opts)
  }
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, context, opts))
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = resolvePlaceholders(v, context, opts)
    return out
  }
  return copyJson(value)
}

/** Header values with placeholders resolved; CR, LF and NUL from substituted values become spaces. */
export function resolveHeaders(
  headers: Readonly<Record<string, string>> | undefined,
  context: PlaceholderContext,
  opts?: ResolveOptions,
): Record<string, string> {
  const out: Record<string, string> = {}
  if (!headers) return out
  for (const [name, value] of Object.entries(headers))
    out[name] = render(value, context, opts, (text) => text.replace(/[\r\n\0]/g, ' '))
  return out
}

const SCHEME_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/
const HOST_PORT = /^[A-Za-z0-9.\-:[\]]*$/

/** The URL with placeholders resolved and percent-encoded by position (see the file header). */
export function resolveUrl(template: string, context: PlaceholderContext, opts?: ResolveOptions): string {
  const authority = SCHEME_AUTHORITY.exec(template)
  const authorityEnd = authority ? authority[0].length : 0
  return render(template, context, opts, (text, offset) => {
    if (offset === 0) return text
    if (offset < authorityEnd && HOST_PORT.test(text)) return text
    return encodeURIComponent(text)
  })
}

/** An http step's url, headers and body, resolved. */
export function resolveHttpRequest(
  step: { url: string; headers?: Readonly<Record<string, string>>; body?: unknown },
  context: PlaceholderContext,
  opts?: ResolveOptions,
): { url: string; headers: Record<string, string>; body: unknown } {
  return {
    url: resolveUrl(step.url, context, opts),
    headers: resolveHeaders(step.headers, context, opts),
    body: step.body === undefined ? undefined : resolvePlaceholders(step.body, context, opts),
  }
}
