import { type TSchema, Type } from 'typebox'

export const Uuid = Type.String({ format: 'uuid', description: 'UUID (v7, time-ordered)' })
export const DateTime = Type.String({ format: 'date-time', description: 'ISO-8601 time with offset' })
export const JsonObject = Type.Record(Type.String(), Type.Unknown())

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })

/** How every list pages (shared by the list routes' OpenAPI descriptions). */
export const PAGINATION_DESCRIPTION = [
  'One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON',
  '(the whole response body). A page holds at least one item and stops before the item that would take it past',
  '1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass',
  '`nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once.',
].join(' ')

export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 500,
      default: 50,
      description: 'Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`).',
    }),
  ),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: '`nextCursor` of the previous page' }),
  ),
}

export function Page<T extends TSchema>(item: T) {
  return Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], {
        description: 'The cursor of the next page; null on the last one',
      }),
    },
    { description: PAGINATION_DESCRIPTION },
  )
}

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.Optional(Type.String({ description: 'a stable `SCHED_ERR_*` name' })),
    requestId: Type.String({ description: 'the X-Request-Id of the request (also in the response header)' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        maxItems: 20,
        description: 'the failing fields, at most 20 (`detail` says when there were more)',
      }),
    ),
  },
  {
    description:
      'RFC 9457 problem details (application/problem+json); never larger than 16 KiB (long paths and messages are shortened)',
  },
)

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
