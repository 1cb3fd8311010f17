import { isUtf8 } from 'node:buffer'
import { AppError, type FieldError, fieldPath } from './errors.ts'

/**
 * JSON the API refuses to store, whatever the route: Postgres rejects a NUL character and an unpaired UTF-16
 * surrogate in `text` and `jsonb`, and a deeply nested value costs every later reader (placeholders, filters,
 * the worker) stack and time. Checked once per body, before the schema, so that no route answers 500 for it.
 */
export const MAX_JSON_DEPTH = 32

export type JsonHygieneReason = 'depth' | 'nul' | 'surrogate'

export interface JsonHygieneIssue {
  reason: JsonHygieneReason
  /** Keys and array indexes from the root to the value that is too deep or holds the bad text. */
  path: (string | number)[]
  /** The bad text is the last key of `path`, not its value. */
  inKey: boolean
}

const SUSPECT = /[\0\ud800-\udfff]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function textIssue(text: string): 'nul' | 'surrogate' | undefined {
  if (!SUSPECT.test(text)) return undefined
  if (text.includes('\0')) return 'nul'
  return LONE_SURROGATE.test(text) ? 'surrogate' : undefined
}

interface Frame {
  value: object
  /** An object's own keys; undefined for an array. */
  keys: string[] | undefined
  length: number
  /** The next child to visit; `next - 1` is the one being visited (the path is read off the frames). */
  next: number
}

function frame(value: object): Frame {
  if (Array.isArray(value)) return { value, keys: undefined, length: value.length, next: 0 }
  const keys = Object.keys(value)
  return { value, keys, length: keys.length, next: 0 }
}

function pathOf(stack: Frame[]): (string | number)[] {
  return stack.map((f) => (f.keys ? (f.keys[f.next - 1] as string) : f.next - 1))
}

/**
 * The first value (in document order) nested deeper than `maxDepth` containers (the root container is depth 1),
 * or the first key or string holding a NUL or an unpaired surrogate. Iterative, so any depth is safe, and it
 * stops at the first issue: at most one visit of each value, and never more than `maxDepth` frames.
 */
export function findJsonHygieneIssue(root: unknown, maxDepth = MAX_JSON_DEPTH): JsonHygieneIssue | undefined {
  if (typeof root === 'string') {
    const reason = textIssue(root)
    return reason && { reason, path: [], inKey: false }
  }
  if (root === null || typeof root !== 'object') return undefined
  if (maxDepth < 1) return { reason: 'depth', path: [], inKey: false }
  const stack: Frame[] = [frame(root)]
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame
    if (top.next >= top.length) {
      stack.pop()
      continue
    }
    const i = top.next++
    let child: unknown
    if (top.keys) {
      const key = top.keys[i] as string
      const reason = textIssue(key)
      if (reason) return { reason, path: pathOf(stack), inKey: true }
      child = (top.value as Record<string, unknown>)[key]
    } else {
      child = (top.value as unknown[])[i]
    }
    if (typeof child === 'string') {
      const reason = textIssue(child)
      if (reason) return { reason, path: pathOf(stack), inKey: false }
    } else if (child !== null && typeof child === 'object') {
      if (stack.length >= maxDepth) return { reason: 'depth', path: pathOf(stack), inKey: false }
      stack.push(frame(child))
    }
  }
  return undefined
}

// In JSON text: a \u0000 escape, a surrogate escape (paired or not) or a raw unpaired surrogate. Raw NUL cannot
// appear in valid JSON. An escaped backslash followed by "u0000" matches too: a false alarm only costs the walk.
const TEXT_SUSPECT =
  /\\u0000|\\u[dD][89a-fA-F]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Whether valid JSON text nests deeper than `maxDepth` containers: one pass over its characters. */
function textNestsDeeper(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/**
 * findJsonHygieneIssue for `value = JSON.parse(text)`, answered from the text in the usual case: one regular
 * expression and one pass over the characters, much cheaper than walking a large parsed value (a 60,000-key
 * object). Only when the text may hold an issue is the value walked, to find it and its path.
 */
export function findJsonHygieneIssueInText(
  text: string,
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): JsonHygieneIssue | undefined {
  if (!TEXT_SUSPECT.test(text) && !textNestsDeeper(text, maxDepth)) return undefined
  return findJsonHygieneIssue(value, maxDepth)
}

const MESSAGES: Record<JsonHygieneReason, string> = {
  depth: `is nested deeper than ${MAX_JSON_DEPTH} levels`,
  nul: 'holds a NUL character (\\u0000)',
  surrogate: 'holds an unpaired UTF-16 surrogate (or bytes that are not UTF-8)',
}

/** The 400 for a body with a hygiene issue, naming its path (`body.input.a.b`). */
export function jsonHygieneError(issue: JsonHygieneIssue, context = 'body'): AppError {
  const error: FieldError = {
    path: fieldPath(context, issue.path),
    message: issue.inKey ? `has a key that ${MESSAGES[issue.reason]}` : MESSAGES[issue.reason],
  }
  return new AppError('SCHED_ERR_JSON_UNSUPPORTED', `${error.path} ${error.message}`, [error])
}

/**
 * Decodes a JSON body's bytes. Valid UTF-8 (nearly always) is decoded as usual. Otherwise each byte that is not
 * part of a valid UTF-8 sequence becomes the lone surrogate U+DC80-U+DCFF (Python's "surrogateescape"), instead
 * of U+FFFD: a surrogate written as raw bytes (ED A0 80) or any other invalid byte inside a string is then
 * refused by findJsonHygieneIssue with its path, rather than silently replaced; outside a string it makes the
 * JSON malformed.
 */
export function decodeJsonBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8')
  const parts: string[] = []
  let runStart = 0
  let i = 0
  while (i < bytes.length) {
    const n = validSequenceLength(bytes, i)
    if (n > 0) {
      i += n
      continue
    }
    if (i > runStart) parts.push(bytes.toString('utf8', runStart, i))
    parts.push(String.fromCharCode(0xdc00 + (bytes[i] as number)))
    i++
    runStart = i
  }
  if (runStart < bytes.length) parts.push(bytes.toString('utf8', runStart))
  return parts.join('')
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629 table 3-7), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const b0 = b[i] as number
  if (b0 < 0x80) return 1
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const v = b[i + k]
    return v !== undefined && v >= lo && v <= hi
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0
  // ED A0..BF would encode a surrogate: not UTF-8.
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0
  return 0
}
