import { AppError } from '@punctual/core'

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Cursors are opaque to clients: the base64url of the last id of the previous page (ids are UUIDv7, time-ordered). */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!UUID_RE.test(id)) {
    throw new AppError('SCHED_ERR_VALIDATION', 'cursor is not one this API returned', [
      { path: 'query.cursor', message: 'is not a valid cursor' },
    ])
  }
  return id
}

/** The contract's cap on one page of any list: its JSON (the whole response body) stays within 1 MiB. */
export const PAGE_MAX_BYTES = 1024 * 1024

/** `{"items":[],"nextCursor":"<cursor>"}`: the body around the items, with the longest cursor. */
const ENVELOPE_BYTES = Buffer.byteLength(
  JSON.stringify({ items: [], nextCursor: encodeCursor('00000000-0000-0000-0000-000000000000') }),
)

/**
 * The page a list answers, from the rows its repository read (`page()`: at most `limit` rows, `more` when the
 * list goes on). Items are added in order while the body stays within PAGE_MAX_BYTES, each measured as the
 * JSON it will be sent as; the item that would take the page past it starts the next page (nextCursor), but
 * a page always holds at least one item, however large.
 */
export function sizedPage<R extends { id: string }, T>(
  page: { rows: readonly R[]; more: boolean },
  toItem: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const items: T[] = []
  let bytes = ENVELOPE_BYTES
  for (const row of page.rows) {
    const item = toItem(row)
    // The comma before every item but the first.
    const size = Buffer.byteLength(JSON.stringify(item)) + (items.length > 0 ? 1 : 0)
    if (items.length > 0 && bytes + size > PAGE_MAX_BYTES) {
      return { items, nextCursor: encodeCursor(page.rows[items.length - 1]!.id) }
    }
    bytes += size
    items.push(item)
  }
  const last = page.rows[page.rows.length - 1]
  return { items, nextCursor: page.more && last ? encodeCursor(last.id) : null }
}
