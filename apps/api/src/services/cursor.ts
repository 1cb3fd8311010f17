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

export function page<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  if (rows.length > limit) {
    const items = rows.slice(0, limit)
    return { items, nextCursor: encodeCursor(items[items.length - 1]!.id) }
  }
  return { items: rows, nextCursor: null }
}
