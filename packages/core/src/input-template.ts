import { findJsonHygieneIssue, MAX_JSON_DEPTH } from './json-hygiene.ts'
import { placeholderText, splitPlaceholders, walkPlaceholderPath } from './placeholders.ts'

/**
 * A trigger's `inputTemplate`: a JSON object whose string leaves may hold `{{path}}` placeholders (the steps'
 * grammar, placeholders.ts), resolved once when a delivery or an event is accepted; the result is the
 * execution's `input`.
 *
 * Roots: webhook `body.*`, `headers.<lower-case name>`, `event`, `deliveryId`; event `data.*`, `type`, `id`.
 * Values: a string leaf that is exactly one placeholder takes the value with its JSON type (null when there
 * is none); inside a longer string the value is stringified as in a step (missing: ""). Object keys are never
 * templated. One pass: text a placeholder put in is never scanned again.
 *
 * Cost: a template is validated when written (validateInputTemplate: at most 64 KiB of JSON, 32 levels, known
 * roots) and compiled once per trigger version (compileInputTemplate). Resolving walks the compiled nodes once;
 * each distinct placeholder path is looked up and, when its text or size is needed, serialised once (memoised
 * per resolution), and the output is capped (`maxBytes`, default 1 MiB: the body limit), so a template that
 * repeats `{{body}}` thousands of times is refused in time proportional to the cap, not to the repetitions.
 */

export type InputTemplateKind = 'webhook' | 'event'

export const INPUT_TEMPLATE_MAX_BYTES = 64 * 1024
export const INPUT_TEMPLATE_MAX_DEPTH = MAX_JSON_DEPTH
/** A placeholder path may go this many levels below its root (a body is at most 32 levels deep). */
export const INPUT_TEMPLATE_MAX_PATH_SEGMENTS = MAX_JSON_DEPTH
/** The largest resolved input (its JSON, approximately): the webhook body limit. */
export const RESOLVED_INPUT_MAX_BYTES = 1024 * 1024

/** Headers a webhook template never sees: credentials and the signatures. */
export const TEMPLATE_EXCLUDED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'webhook-signature',
  'x-hub-signature',
  'x-hub-signature-256',
])

/** Root → how many path segments may follow it ('any': 0 or more, up to the limit). */
const ROOTS: Record<InputTemplateKind, Record<string, 'any' | 0 | 1>> = {
  webhook: { body: 'any', headers: 1, event: 0, deliveryId: 0 },
  event: { data: 'any', type: 0, id: 0 },
}

export interface TemplateProblem {
  /** Keys and indexes from the template's root to the offending value. */
  path: (string | number)[]
  message: string
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/

function placeholderProblem(kind: InputTemplateKind, segments: string[], path: string): string | null {
  const [root, ...rest] = segments
  const arity = ROOTS[kind][root!]
  const roots = Object.keys(ROOTS[kind]).join(', ')
  if (arity === undefined) {
    return `{{${path}}}: unknown placeholder root "${root}" (a ${kind} template may use ${roots})`
  }
  if (arity === 'any') {
    if (rest.length > INPUT_TEMPLATE_MAX_PATH_SEGMENTS) {
      return `{{${path}}}: goes deeper than ${INPUT_TEMPLATE_MAX_PATH_SEGMENTS} levels below ${root}`
    }
    return null
  }
  if (rest.length !== arity) {
    return arity === 0
      ? `{{${path}}}: ${root} takes no path`
      : `{{${path}}}: write headers.<lower-case header name>`
  }
  if (root === 'headers') {
    const name = rest[0]!
    if (!HEADER_NAME.test(name)) return `{{${path}}}: header names are written in lower case`
    if (TEMPLATE_EXCLUDED_HEADERS.has(name))
      return `{{${path}}}: the ${name} header is never passed to templates`
  }
  return null
}

function stringProblems(
  kind: InputTemplateKind,
  value: string,
  at: (string | number)[],
  out: TemplateProblem[],
) {
  for (const part of splitPlaceholders(value)) {
    if (typeof part === 'string') continue
    const message = placeholderProblem(kind, part.segments, part.path)
    if (message) out.push({ path: at, message })
  }
}

/**
 * Why `template` cannot be a trigger's inputTemplate (empty: it can): not a JSON object, over 64 KiB of JSON,
 * nested deeper than 32 levels, or a placeholder with an unknown root, a bad header name or too deep a path.
 */
export function validateInputTemplate(template: unknown, kind: InputTemplateKind): TemplateProblem[] {
  if (template === null || typeof template !== 'object' || Array.isArray(template)) {
    return [{ path: [], message: 'must be a JSON object (it becomes the workflow input)' }]
  }
  const bytes = Buffer.byteLength(JSON.stringify(template), 'utf8')
  if (bytes > INPUT_TEMPLATE_MAX_BYTES) {
    return [
      { path: [], message: `is ${bytes} bytes of JSON, over the ${INPUT_TEMPLATE_MAX_BYTES} (64 KiB) limit` },
    ]
  }
  const issue = findJsonHygieneIssue(template, INPUT_TEMPLATE_MAX_DEPTH)
  if (issue?.reason === 'depth') {
    return [{ path: issue.path, message: `is nested deeper than ${INPUT_TEMPLATE_MAX_DEPTH} levels` }]
  }
  const out: TemplateProblem[] = []
  const visit = (value: unknown, at: (string | number)[]) => {
    if (typeof value === 'string') stringProblems(kind, value, at, out)
    else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], [...at, i])
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...at, k])
    }
  }
  visit(template, [])
  return out
}

// ---- compiled form ----

type Node =
  | { k: 'lit'; v: unknown }
  | { k: 'ref'; r: number; at: (string | number)[] }
  | { k: 'text'; parts: (string | number)[]; at: (string | number)[] }
  | { k: 'obj'; keys: string[]; nodes: Node[] }
  | { k: 'arr'; nodes: Node[] }

interface Ref {
  root: string
  segments: string[]
}

/** What a webhook template reads. `headers` is the request's own object: never copied. */
export interface WebhookTemplateSource {
  body: unknown
  headers: Readonly<Record<string, string | string[] | undefined>>
  event: string | null
  deliveryId: string
}

export interface EventTemplateSource {
  data: unknown
  type: string
  id: string
}

export type TemplateResolution =
  | { ok: true; input: Record<string, unknown> }
  | { ok: false; path: (string | number)[]; message: string }

export interface CompiledInputTemplate {
  kind: InputTemplateKind
  /** Whether any placeholder reads a header (webhook). */
  usesHeaders: boolean
  /** Whether any placeholder reads the event name (webhook). */
  usesEvent: boolean
  resolve(
    source: WebhookTemplateSource | EventTemplateSource,
    opts?: { maxBytes?: number },
  ): TemplateResolution
}

function compileNode(value: unknown, at: (string | number)[], refs: Map<string, number>, list: Ref[]): Node {
  const refOf = (segments: string[]) => {
    const key = JSON.stringify(segments)
    let r = refs.get(key)
    if (r === undefined) {
      r = list.length
      list.push({ root: segments[0]!, segments: segments.slice(1) })
      refs.set(key, r)
    }
    return r
  }
  if (typeof value === 'string') {
    const parts = splitPlaceholders(value)
    if (parts.length === 1 && typeof parts[0] === 'string') return { k: 'lit', v: value }
    if (parts.length === 1) return { k: 'ref', r: refOf((parts[0] as { segments: string[] }).segments), at }
    return { k: 'text', parts: parts.map((p) => (typeof p === 'string' ? p : refOf(p.segments))), at }
  }
  if (Array.isArray(value))
    return { k: 'arr', nodes: value.map((v, i) => compileNode(v, [...at, i], refs, list)) }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
    const nodes = keys.map((k) => compileNode((value as Record<string, unknown>)[k], [...at, k], refs, list))
    return { k: 'obj', keys, nodes }
  }
  return { k: 'lit', v: value }
}

/** A validated template, compiled once (per trigger version): its placeholders parsed, its paths numbered. */
export function compileInputTemplate(
  template: Record<string, unknown>,
  kind: InputTemplateKind,
): CompiledInputTemplate {
  // Validated when written (validateInputTemplate); only the roots are checked again here, cheaply.
  const list: Ref[] = []
  const root = compileNode(template, [], new Map(), list)
  for (const ref of list) {
    const problem = placeholderProblem(
      kind,
      [ref.root, ...ref.segments],
      [ref.root, ...ref.segments].join('.'),
    )
    if (problem) throw new Error(`invalid inputTemplate: ${problem}`)
  }
  const baseBytes = JSON.stringify(template).length
  return {
    kind,
    usesHeaders: list.some((r) => r.root === 'headers'),
    usesEvent: list.some((r) => r.root === 'event'),
    resolve: (source, opts) =>
      resolveCompiled(root, list, source, baseBytes, opts?.maxBytes ?? RESOLVED_INPUT_MAX_BYTES),
  }
}

const UNSET: unique symbol = Symbol('unset')

function lookupRef(ref: Ref, source: WebhookTemplateSource | EventTemplateSource): unknown {
  const s = source as Partial<WebhookTemplateSource & EventTemplateSource>
  if (ref.root === 'headers') {
    const name = ref.segments[0]!
    if (TEMPLATE_EXCLUDED_HEADERS.has(name)) return undefined
    const h = s.headers?.[name]
    return Array.isArray(h) ? h.join(', ') : h
  }
  const rootValue = (s as Record<string, unknown>)[ref.root]
  return ref.segments.length === 0 ? rootValue : walkPlaceholderPath(rootValue, ref.segments)
}

class TooLarge {
  constructor(readonly at: (string | number)[]) {}
}

function resolveCompiled(
  root: Node,
  refs: Ref[],
  source: WebhookTemplateSource | EventTemplateSource,
  baseBytes: number,
  maxBytes: number,
): TemplateResolution {
  const values: unknown[] = new Array(refs.length).fill(UNSET)
  const texts: (string | undefined)[] = new Array(refs.length)
  let bytes = baseBytes
  const value = (r: number) => {
    let v = values[r]
    if (v === UNSET) {
      v = lookupRef(refs[r]!, source)
      values[r] = v
    }
    return v
  }
  const text = (r: number) => {
    let t = texts[r]
    if (t === undefined) {
      t = placeholderText(value(r))
      texts[r] = t
    }
    return t
  }
  const spend = (n: number, at: (string | number)[]) => {
    bytes += n
    if (bytes > maxBytes) throw new TooLarge(at)
  }
  const build = (node: Node): unknown => {
    switch (node.k) {
      case 'lit':
        return node.v
      case 'ref': {
        const v = value(node.r)
        if (v === undefined || v === null) return null
        spend(typeof v === 'object' ? text(node.r).length : typeof v === 'string' ? v.length + 2 : 8, node.at)
        return v
      }
      case 'text': {
        let out = ''
        for (const p of node.parts) {
          const piece = typeof p === 'string' ? p : text(p)
          // Spent piece by piece: a string repeating {{body}} stops at the cap, before it is built.
          spend(piece.length, node.at)
          out += piece
        }
        return out
      }
      case 'arr':
        return node.nodes.map(build)
      case 'obj': {
        const out: Record<string, unknown> = {}
        for (let i = 0; i < node.keys.length; i++) {
          const key = node.keys[i]!
          const v = build(node.nodes[i]!)
          // A stored `__proto__` key is data, never the object's prototype.
          if (key === '__proto__')
            Object.defineProperty(out, key, { value: v, enumerable: true, writable: true })
          else out[key] = v
        }
        return out
      }
    }
  }
  try {
    return { ok: true, input: build(root) as Record<string, unknown> }
  } catch (err) {
    if (!(err instanceof TooLarge)) throw err
    return { ok: false, path: err.at, message: `makes an input over ${maxBytes} bytes of JSON` }
  }
}
