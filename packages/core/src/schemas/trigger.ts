import { type Static, Type } from 'typebox'
import { DateTime, JsonObject, Nullable, PageQuery, Uuid } from './common.ts'
import { RetryPolicy } from './schedule.ts'

// Enums rather than unions of literals: a wrong value is reported as `must be one of event, webhook`.
export const TriggerType = Type.Enum(['event', 'webhook'], {
  description: '`event`: started by POST /api/events and system events; `webhook`: by signed POST /hooks/:id',
})
export type TriggerType = Static<typeof TriggerType>

export const WebhookScheme = Type.Enum(['standard', 'github'], {
  default: 'standard',
  description: [
    'webhook only. `standard`: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`);',
    '`github`: `X-Hub-Signature-256` and `X-GitHub-Delivery`',
  ].join(' '),
})

const EventType = Type.String({
  minLength: 1,
  maxLength: 256,
  description: [
    'event: required; webhook: optional. An exact type (`order.created`), a prefix glob (`order.*` matches',
    '`order.created` and `order.item.added`, not `order`) or `*` for every type (bad syntax: 422',
    "`SCHED_ERR_EVENT_TYPE_INVALID`). The system's own events",
    '`execution.succeeded`, `execution.dead` (data: the execution) and `schedule.completed` (data: the schedule)',
    'are selected the same way (`execution.*`, `*`). On a webhook trigger it is matched against the',
    "delivery's event name: GitHub's `X-GitHub-Event` header (`push`, `pull_request`), for the standard scheme",
    "the body's top-level string `type`; a delivery without a matching name (checked after the signature and the",
    'delivery-id deduplication, before the filter) is answered 200 `{ filtered: true }`, starts nothing, and its',
    'delivery id is remembered',
  ].join(' '),
})
const Filter = Nullable(
  Type.Record(Type.String(), Type.Unknown(), {
    description: [
      "EventBridge-style pattern over the event's `data` or the webhook's JSON body; `{}` or null matches",
      'everything. A malformed pattern is 422 with a JSON pointer (`/filter/...`) to the spot. Quotas (422',
      '`SCHED_ERR_QUOTA_EXCEEDED` naming the quota): TENANT_MAX_FILTER_MATCHERS counts the values and matchers',
      "of every leaf, summed over the tenant's filters. In event triggers' filters, a nested object of two keys",
      'or more must be satisfied by one array element; its anchor is a key whose leaf holds only exact values',
      '(`"sku": ["A-1"]`; `prefix`/`suffix` leaves do not anchor), and it is tried only on the elements holding',
      'one of them. TENANT_MAX_UNANCHORED_SUBPATTERNS (default 12) counts the objects without an anchor, e.g.',
      '`{ "items": { "qty": [{ "numeric": [">", 5] }], "tag": [{ "exists": true }] } }`, tried on every element;',
      'TENANT_MAX_SUBPATTERNS_PER_ANCHOR (default 12) caps how many objects share one anchor (same path, anchor',
      "key and exact value; a leaf of several values counts in each value's group).",
    ].join(' '),
  }),
)
const InputTemplate = Nullable(
  Type.Record(Type.String(), Type.Unknown(), {
    description: [
      'A JSON object whose string leaves may hold `{{path}}` placeholders; resolved once when the delivery or',
      "event is accepted, the result is the workflow's `input` (default, or null: the webhook body / the event's",
      '`data`). Webhook: `{{body.*}}` (`body.commits[0].id`, `body["odd key"]`), `{{headers.<lower-case name>}}`',
      '(every header except authorization, proxy-authorization, cookie, webhook-signature, x-hub-signature and',
      'x-hub-signature-256), `{{event}}` (the event name, see eventType; null without one), `{{deliveryId}}`;',
      'event: `{{data.*}}`, `{{type}}`, `{{id}}` (the event id). A string that is exactly one placeholder takes',
      'the value with its JSON type (an object stays an object; no value: null); inside a longer string values are',
      'stringified (no value: ""). Object keys are never templated; text a placeholder put in is never scanned',
      'again. At most 64 KiB of JSON and 32 levels; an unknown placeholder root, an excluded or upper-case header',
      'name or a path deeper than 32 levels is 422 `SCHED_ERR_TEMPLATE_INVALID` naming the path',
      '(`body.inputTemplate.repo`). A delivery or event whose resolved input would exceed 1 MiB of JSON is 422',
      '`SCHED_ERR_INPUT_TOO_LARGE`, nothing started.',
    ].join(' '),
  }),
)
const RateLimit = Type.Integer({
  minimum: 1,
  maximum: 1_000_000,
  default: 600,
  description: 'webhook only: deliveries accepted per minute (429 with Retry-After above)',
})

const definitionFields = {
  workflowId: Uuid,
  name: Type.String({ minLength: 1, maxLength: 200, description: 'unique within the tenant' }),
  eventType: Type.Optional(Nullable(EventType)),
  filter: Type.Optional(Filter),
  inputTemplate: Type.Optional(InputTemplate),
  rateLimitPerMinute: Type.Optional(RateLimit),
  scheme: Type.Optional(WebhookScheme),
  retryPolicy: Type.Optional(RetryPolicy),
  priority: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 9, default: 5, description: 'higher runs first' }),
  ),
  enabled: Type.Optional(Type.Boolean({ default: true, description: 'a disabled trigger starts nothing' })),
}

export const TriggerCreate = Type.Object(
  { type: TriggerType, ...definitionFields },
  { additionalProperties: false },
)
export type TriggerCreate = Static<typeof TriggerCreate>

/** PATCH: any subset, but not `type` (a trigger keeps its type; create another one instead). */
export const TriggerPatch = Type.Partial(Type.Object(definitionFields), {
  additionalProperties: false,
  minProperties: 1,
})
export type TriggerPatch = Static<typeof TriggerPatch>

export const Trigger = Type.Object(
  {
    id: Uuid,
    workflowId: Uuid,
    name: Type.String(),
    type: TriggerType,
    eventType: Nullable(Type.String()),
    filter: Nullable(JsonObject),
    inputTemplate: Nullable(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'the template that shapes the input (see the create body); null: the body or data itself',
      }),
    ),
    scheme: Nullable(Type.String({ description: 'webhook: `standard` or `github`; event: null' })),
    rateLimitPerMinute: Nullable(Type.Integer({ description: 'webhook: per minute; event: null' })),
    retryPolicy: JsonObject,
    priority: Type.Integer(),
    enabled: Type.Boolean(),
    url: Nullable(
      Type.String({
        description: 'webhook: where senders POST (`/hooks/<id>`, prefixed with PUBLIC_BASE_URL when set)',
      }),
    ),
    previousSecretExpiresAt: Nullable(
      Type.String({
        format: 'date-time',
        description:
          'webhook: after a rotation the previous secret is also accepted until this time; null: only the current one',
      }),
    ),
    version: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { description: 'A trigger. Its secret is never shown here: only on create and rotate-secret.' },
)
export type Trigger = Static<typeof Trigger>

/** Create answers this for both types; `secret` is there only for a webhook trigger. */
export const TriggerWithSecret = Type.Object(
  {
    ...Trigger.properties,
    secret: Type.Optional(
      Type.String({
        description:
          'webhook only, shown once: `whsec_` + base64 of 32 random bytes. Store it now; it cannot be read again',
      }),
    ),
  },
  { description: 'A webhook trigger with its new signing secret (create and rotate-secret only)' },
)

export const TriggerListQuery = Type.Object(
  { type: Type.Optional(TriggerType), workflowId: Type.Optional(Uuid), ...PageQuery },
  { additionalProperties: false },
)
