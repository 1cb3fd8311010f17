import { type Static, Type } from 'typebox'
import { DateTime, JsonObject, Nullable, PageQuery, Uuid } from './common.ts'
import { ErrorClass } from './execution.ts'

/** The bound of one bulk redrive call. */
export const REDRIVE_MAX_PER_CALL = 10_000

/** `POST /api/executions/redrive`: which dead executions (at least one field). */
export const RedriveFilter = Type.Object(
  {
    workflowId: Type.Optional(Uuid),
    scheduleId: Type.Optional(Uuid),
    triggerId: Type.Optional(Uuid),
    errorClass: Type.Optional(ErrorClass),
    finishedFrom: Type.Optional(DateTime),
    finishedTo: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'default: the request time; echoed, so that repeating the call with it ends at matched 0',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type RedriveFilter = Static<typeof RedriveFilter>

export const RedriveBody = Type.Object(
  {
    filter: RedriveFilter,
    dryRun: Type.Optional(Type.Boolean({ description: 'only count: 200 with matched, nothing redriven' })),
  },
  { additionalProperties: false },
)
export type RedriveBody = Static<typeof RedriveBody>

export const RedriveResult = Type.Object({
  matched: Type.Integer({
    minimum: 0,
    description:
      'dead executions matching the filter that were never redriven (by this route or retry), before this call',
  }),
  executionIds: Type.Array(Uuid, { description: 'the redrive executions created, oldest dead one first' }),
  finishedTo: DateTime,
})
export type RedriveResult = Static<typeof RedriveResult>

/** `POST /api/executions/:id/retry`: `input` replaces the dead one's input whole. */
export const RetryBody = Type.Object({ input: Type.Optional(JsonObject) }, { additionalProperties: false })
export type RetryBody = Static<typeof RetryBody>

/** `PATCH /api/executions/:id`. */
export const ExecutionPatch = Type.Object(
  { priority: Type.Integer({ minimum: 0, maximum: 9 }) },
  { additionalProperties: false },
)
export type ExecutionPatch = Static<typeof ExecutionPatch>

export const blockedByReasons = ['workflow_concurrency', 'tenant_concurrency', 'buffer_one'] as const
export const BlockedBy = Type.Enum(blockedByReasons)
export type BlockedBy = Static<typeof BlockedBy>

export const QueueItem = Type.Object({
  executionId: Uuid,
  workflowId: Uuid,
  scheduleId: Nullable(Uuid),
  triggerId: Nullable(Uuid),
  priority: Type.Integer({ minimum: 0, maximum: 9 }),
  availableAt: DateTime,
  blockedBy: Type.Optional(BlockedBy),
})
export type QueueItem = Static<typeof QueueItem>

export const QueueQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
export type QueueQuery = Static<typeof QueueQuery>
