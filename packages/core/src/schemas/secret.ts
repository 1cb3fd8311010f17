import { type Static, Type } from 'typebox'
import { SECRET_NAME_PATTERN, SECRET_VALUE_MAX_BYTES } from '../secrets/step-secrets.ts'
import { DateTime, Nullable, PageQuery } from './common.ts'

const SecretName = Type.String({
  pattern: SECRET_NAME_PATTERN,
  description: 'upper case letters, digits and `_`, starting with a letter (at most 64)',
})

export const SecretNameParams = Type.Object({ name: SecretName }, { additionalProperties: false })
export type SecretNameParams = Static<typeof SecretNameParams>

const AllowedHosts = Type.Array(
  Type.String({
    minLength: 1,
    maxLength: 255,
    description: 'a host name, `*.example.com` (every subdomain) or an IP address',
  }),
  {
    maxItems: 100,
    description:
      'The hosts this secret may be sent to (the resolved URL’s host, port aside); absent or null: any host',
  },
)

export const SecretPut = Type.Object(
  {
    value: Type.String({
      minLength: 1,
      // Characters here; the 8 KiB of UTF-8 is checked by the service (a character may take 4 bytes).
      maxLength: SECRET_VALUE_MAX_BYTES,
      description: 'up to 8 KiB of UTF-8; sealed at rest, never shown again',
    }),
    allowedHosts: Type.Optional(Nullable(AllowedHosts)),
  },
  { additionalProperties: false },
)
export type SecretPut = Static<typeof SecretPut>

export const SecretItem = Type.Object(
  {
    name: Type.String(),
    allowedHosts: Nullable(Type.Array(Type.String())),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { description: 'A tenant secret (never its value)' },
)
export type SecretItem = Static<typeof SecretItem>

export const SecretListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
export type SecretListQuery = Static<typeof SecretListQuery>

export const SigningSecret = Type.Object(
  {
    secret: Type.String({
      description:
        'The tenant’s current outbound signing secret, `whsec_` + base64: verify `webhook-signature` of http step requests with it (Standard Webhooks)',
    }),
  },
  { description: 'The outbound signing secret' },
)
export type SigningSecret = Static<typeof SigningSecret>
