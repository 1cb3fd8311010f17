import { type Static, Type } from 'typebox'
import { Uuid } from './common.ts'

/** `POST /api/events`. */
export const EventBody = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 256,
      pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
      description:
        'Dot-separated segments of letters, digits, `_` and `-` (`order.created`). Selects the event triggers whose eventType is this type exactly, a prefix glob of it (`order.*`), or `*`.',
    }),
    data: Type.Record(Type.String(), Type.Unknown(), {
      description:
        "A JSON object: matched against each trigger's filter, and the `input` of every execution it starts.",
    }),
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Your idempotency key, unique per tenant: the same id again within 24 h starts nothing and answers the executions the first one started. Without it the event gets a new UUIDv7 and is never deduplicated.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type EventBody = Static<typeof EventBody>

const EventExecutions = Type.Array(Uuid, {
  description: 'One execution per matching trigger, in trigger id order',
})

export const EventAccepted = Type.Object({
  eventId: Type.String({ description: 'The `id` sent, or a generated UUIDv7' }),
  executions: EventExecutions,
})
export type EventAccepted = Static<typeof EventAccepted>

export const EventDeduplicated = Type.Object({
  eventId: Type.String(),
  executions: Type.Array(Uuid, { description: 'The executions the first event with this id started' }),
  deduplicated: Type.Literal(true),
})
export type EventDeduplicated = Static<typeof EventDeduplicated>

/** `POST /hooks/:triggerId`: the trigger id is checked by hand, so a malformed one is 404 like an unknown one. */
export const HookParams = Type.Object({ triggerId: Type.String() })

export const HookAccepted = Type.Object({ executionId: Uuid })
export const HookAnswered = Type.Union([
  Type.Object(
    { deduplicated: Type.Literal(true) },
    { description: 'The delivery id was accepted in the last 24 h; nothing started again' },
  ),
  Type.Object(
    { filtered: Type.Literal(true) },
    {
      description:
        "The delivery's event name does not match the trigger's eventType, or its body does not match the trigger's filter; nothing started (the delivery id is remembered)",
    },
  ),
])
