import { type Static, Type } from 'typebox'

export const Caller = Type.Object(
  {
    tenant: Type.String(),
    role: Type.Union([Type.Literal('viewer'), Type.Literal('editor'), Type.Literal('admin')]),
    sub: Type.String({ description: "the token's `sub`, or `apikey:<id>` for an API key" }),
  },
  { description: 'Who the credential acts as: its tenant and role' },
)
export type Caller = Static<typeof Caller>
