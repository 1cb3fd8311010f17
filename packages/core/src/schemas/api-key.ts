import { type Static, Type } from 'typebox'
import { DateTime, Nullable, PageQuery, Uuid } from './common.ts'

const Role = Type.Union([Type.Literal('viewer'), Type.Literal('editor'), Type.Literal('admin')], {
  description: 'what the key may do in its tenant, as the role claim of a token',
})

export const ApiKeyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'unique within the tenant' }),
    role: Role,
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'refused after this time (401); in the future' }),
    ),
  },
  { additionalProperties: false },
)
export type ApiKeyCreate = Static<typeof ApiKeyCreate>

export const ApiKey = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    role: Role,
    prefix: Type.String({ description: 'the first characters of the key, to recognise it (`pk_` + 8)' }),
    createdAt: DateTime,
    expiresAt: Nullable(DateTime),
    lastUsedAt: Nullable(
      Type.String({ format: 'date-time', description: 'updated at most once a minute, on every replica' }),
    ),
  },
  { description: 'An API key (never the key itself, which only the create answer shows)' },
)
export type ApiKey = Static<typeof ApiKey>

export const ApiKeyWithSecret = Type.Object(
  {
    ...ApiKey.properties,
    key: Type.String({
      description:
        '`pk_` + base64url of 32 random bytes: send it as `Authorization: Bearer <key>`. Shown only here; stored only as its SHA-256',
    }),
  },
  { description: 'A new API key, with the key shown this once' },
)
export type ApiKeyWithSecret = Static<typeof ApiKeyWithSecret>

export const ApiKeyListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
