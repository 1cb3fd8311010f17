import { type Static, Type } from 'typebox'
import { DateTime, JsonObject, Nullable, PageQuery, Uuid } from './common.ts'

// Untyped here (RetryPolicy's type comes from the schema that shows these values as its defaults).
const retryDefaults = {
  maxAttempts: 3,
  initialDelayMs: 1000,
  backoffMultiplier: 2,
  maxDelayMs: 300_000,
  jitter: 'full' as 'full' | 'none',
}

export const RetryPolicy = Type.Object(
  {
    maxAttempts: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        default: retryDefaults.maxAttempts,
        description: 'counts the first try',
      }),
    ),
    initialDelayMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400_000, default: retryDefaults.initialDelayMs }),
    ),
    backoffMultiplier: Type.Optional(
      Type.Number({ minimum: 1, maximum: 100, default: retryDefaults.backoffMultiplier }),
    ),
    maxDelayMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 7 * 86_400_000, default: retryDefaults.maxDelayMs }),
    ),
    jitter: Type.Optional(
      Type.Union([Type.Literal('full'), Type.Literal('none')], { default: retryDefaults.jitter }),
    ),
  },
  { additionalProperties: false },
)
export type RetryPolicy = Required<Static<typeof RetryPolicy>>

/** The retry policy of a schedule or trigger that gives none, field by field for one that gives some. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze(retryDefaults)

/**
 * The defaults of a schedule's optional fields (the contract, http-api.md "Schedules"), declared once: the
 * create schema below documents them (the OpenAPI document shows them), newScheduleRow
 * (packages/db/src/schedule-rows.ts) fills them in a created row, a PATCH's retryPolicy is completed from
 * them, and the schedules table's column defaults (packages/db/src/schema/schedules.ts) repeat them for
 * inserts that leave a column out. Frozen: created rows share the empty `input` and `metadata` objects.
 */
export const SCHEDULE_DEFAULTS = Object.freeze({
  timezone: 'UTC',
  enabled: true,
  startDate: null,
  endDate: null,
  maxExecutions: null,
  input: Object.freeze({}),
  priority: 5,
  retryPolicy: DEFAULT_RETRY_POLICY,
  overlapPolicy: 'skip',
  misfirePolicy: 'fire_once',
  catchupWindowMs: 60_000,
  jitterMs: 0,
  metadata: Object.freeze({}),
} as const)

export const OverlapPolicy = Type.Union(
  [Type.Literal('skip'), Type.Literal('allow'), Type.Literal('buffer_one'), Type.Literal('cancel_previous')],
  { default: SCHEDULE_DEFAULTS.overlapPolicy },
)
export const MisfirePolicy = Type.Union(
  [Type.Literal('fire_once'), Type.Literal('fire_all'), Type.Literal('skip')],
  {
    default: SCHEDULE_DEFAULTS.misfirePolicy,
  },
)
export const ScheduleState = Type.Union([
  Type.Literal('active'),
  Type.Literal('paused'),
  Type.Literal('completed'),
  Type.Literal('expired'),
])
export type ScheduleState = Static<typeof ScheduleState>

const definitionFields = {
  workflowId: Uuid,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  cronExpression: Type.String({ maxLength: 1000, description: 'see the cron semantics in the README' }),
  timezone: Type.Optional(
    Type.String({ maxLength: 100, default: SCHEDULE_DEFAULTS.timezone, description: 'IANA time zone' }),
  ),
  enabled: Type.Optional(Type.Boolean({ default: SCHEDULE_DEFAULTS.enabled, description: 'false = paused' })),
  startDate: Type.Optional(Nullable(DateTime)),
  endDate: Type.Optional(Nullable(DateTime)),
  maxExecutions: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  input: Type.Optional(JsonObject),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 9, default: SCHEDULE_DEFAULTS.priority })),
  retryPolicy: Type.Optional(RetryPolicy),
  overlapPolicy: Type.Optional(OverlapPolicy),
  misfirePolicy: Type.Optional(MisfirePolicy),
  catchupWindowMs: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 30 * 86_400_000, default: SCHEDULE_DEFAULTS.catchupWindowMs }),
  ),
  jitterMs: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 86_400_000, default: SCHEDULE_DEFAULTS.jitterMs }),
  ),
  metadata: Type.Optional(JsonObject),
}

export const ScheduleCreate = Type.Object(definitionFields, { additionalProperties: false })
export type ScheduleCreate = Static<typeof ScheduleCreate>
export const SchedulePatch = Type.Partial(ScheduleCreate, { additionalProperties: false, minProperties: 1 })
export type SchedulePatch = Static<typeof SchedulePatch>

export const ScheduleWarning = Type.Object(
  {
    type: Type.Literal('conflict'),
    message: Type.String(),
    scheduleIds: Type.Array(Uuid, {
      maxItems: 10,
      description:
        'At most 10 of the conflicting schedules (other schedules of the same workflow firing within a minute of this one in the next 24 h).',
    }),
    total: Type.Integer({
      description:
        'How many other schedules of the workflow conflict. Exact while at most 100 conflict; past that the lookup may stop counting, and then says so with totalIsLowerBound.',
    }),
    totalIsLowerBound: Type.Optional(
      Type.Literal(true, {
        description:
          'Present when total is a lower bound: more than 100 schedules conflict and the bounded lookup stopped counting. Never while 100 or fewer conflict, whatever their crons.',
      }),
    ),
  },
  {
    description:
      'A conflict found by the bounded conflict index: schedules firing every few seconds or minutes count as conflicting with every schedule of their workflow that fires; the cost of the lookup never depends on how many schedules the workflow has.',
  },
)

export const Schedule = Type.Object(
  {
    id: Uuid,
    workflowId: Uuid,
    name: Type.String(),
    cronExpression: Type.String(),
    timezone: Type.String(),
    enabled: Type.Boolean(),
    startDate: Nullable(DateTime),
    endDate: Nullable(DateTime),
    maxExecutions: Nullable(Type.Integer()),
    input: JsonObject,
    priority: Type.Integer(),
    retryPolicy: JsonObject,
    overlapPolicy: Type.String(),
    misfirePolicy: Type.String(),
    catchupWindowMs: Type.Integer(),
    jitterMs: Type.Integer(),
    metadata: JsonObject,
    state: ScheduleState,
    version: Type.Integer(),
    nextRunAt: Nullable(DateTime),
    pausedNote: Nullable(Type.String()),
    executionCount: Type.Integer(),
    missedCount: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { description: 'A schedule and its runtime state' },
)
export type Schedule = Static<typeof Schedule>

export const ScheduleWithWarnings = Type.Object({
  ...Schedule.properties,
  warnings: Type.Array(ScheduleWarning),
})

export const ScheduleListQuery = Type.Object(
  {
    workflowId: Type.Optional(Uuid),
    state: Type.Optional(ScheduleState),
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'only schedules whose name contains this text (case-insensitive)',
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
)

export const PauseBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
)

export const ScheduleStatus = Type.Object({
  state: ScheduleState,
  nextRuns: Type.Array(DateTime),
  lastExecution: Nullable(JsonObject),
  executionCount: Type.Integer(),
  successRate: Nullable(Type.Number()),
  averageDurationMs: Nullable(Type.Number()),
  missedCount: Type.Integer(),
})

export const CronPreviewBody = Type.Object(
  {
    expression: Type.String({ maxLength: 1000 }),
    timezone: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(DateTime),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 5 })),
  },
  { additionalProperties: false },
)
export const CronPreview = Type.Object({ nextRuns: Type.Array(DateTime), wildcard: Type.Boolean() })
