/**
 * A trigger's `eventType`: an exact type (`order.created`), a prefix glob ending in `.*` (`order.*`
 * matches `order.created` and `order.item.added`, not `order`), or `*` alone for every type (GitHub's
 * and Svix's "all events"). A type is dot-separated segments of letters, digits, `_` and `-`; `*` is
 * allowed only as the whole last segment.
 */

export const EVENT_TYPE_MAX_LENGTH = 256

const SEGMENT = /^[A-Za-z0-9_-]+$/

/** `null` when `s` is a valid eventType (exact or glob), else why not. */
export function validateEventType(s: string): string | null {
  if (typeof s !== 'string' || s.length === 0) return 'must not be empty'
  if (s.length > EVENT_TYPE_MAX_LENGTH) return `must be at most ${EVENT_TYPE_MAX_LENGTH} characters`
  if (s === '*') return null
  const segments = s.split('.')
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    if (segment === '*') {
      if (i === segments.length - 1) continue
      return '"*" may only be the last segment (a prefix glob like "order.*") or the whole type'
    }
    if (segment.length === 0) return 'segments between dots must not be empty'
    if (segment.includes('*')) return '"*" must be a whole segment: "order.*", not "order*"'
    if (!SEGMENT.test(segment)) return 'segments hold only letters, digits, "_" and "-"'
  }
  return null
}

/** The shape of an eventType, as the trigger index files it. */
export type EventTypeGlob =
  | { kind: 'all' }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'exact'; type: string }

export function parseEventTypeGlob(glob: string): EventTypeGlob {
  if (glob === '*') return { kind: 'all' }
  if (glob.endsWith('.*')) return { kind: 'prefix', prefix: glob.slice(0, -2) }
  return { kind: 'exact', type: glob }
}

/**
 * Whether a valid eventType (exact, `prefix.*` or `*`) selects the event name `name` (a webhook trigger's
 * check: GitHub's `X-GitHub-Event`, or a standard delivery's top-level `type`); no name selects nothing.
 */
export function eventTypeMatches(glob: string, name: string | null | undefined): boolean {
  if (typeof name !== 'string' || name === '') return false
  const g = parseEventTypeGlob(glob)
  if (g.kind === 'all') return true
  if (g.kind === 'prefix') return name.startsWith(`${g.prefix}.`)
  return name === g.type
}
