import { type TSchema, Type } from 'typebox'

export const Uuid = Type.String({ format: 'uuid', description: 'UUID (v7, time-ordered)' })
export const DateTime = Type.String({ format: 'date-time', description: 'ISO-8601 time with offset' })
export const JsonObject = Type.Record(Type.String(), Type.Unknown())

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
}

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) })
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
