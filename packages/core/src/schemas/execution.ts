import { type Static, Type } from 'typebox'
import { DateTime, JsonObject, Nullable, PageQuery, Uuid } from './common.ts'

/** `fire` (a cron fire of a schedule), `manual` (schedule trigger), `redrive` (retry of a dead one), `event`, `webhook`. */
export const executionKinds = ['fire', 'manual', 'redrive', 'event', 'webhook'] as const
export const ExecutionKind = Type.Enum(executionKinds)
export type ExecutionKind = Static<typeof ExecutionKind>

/** The transitions between these are in execution-state.ts. */
export const executionStatuses = [
  'queued',
  'running',
  'retrying',
  'succeeded',
  'dead',
  'skipped',
  'missed',
  'cancelled',
] as const
export const ExecutionStatus = Type.Enum(executionStatuses)
export type ExecutionStatus = Static<typeof ExecutionStatus>

export const StepOutcomeStatus = Type.Union([
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('skipped'),
  Type.Literal('cancelled'),
])
export type StepOutcomeStatus = Static<typeof StepOutcomeStatus>

/** Why a fire ended `skipped`: its overlapPolicy, or a pause / delete of its schedule before it started. */
export const skipReasons = ['overlap', 'paused', 'deleted'] as const
export const SkipReason = Type.Enum(skipReasons)
export type SkipReason = Static<typeof SkipReason>

export const errorClasses = ['retryable', 'permanent'] as const
export const ErrorClass = Type.Enum(errorClasses)
export type ErrorClass = Static<typeof ErrorClass>

/**
 * An execution's `error` (it replaced a plain string; the migration wraps old strings as `message`). Set on
 * failed attempts (`retrying`, `dead`) and on fires that never ran (`skipped` with `reason`).
 */
export const ExecutionError = Type.Object(
  {
    message: Type.String(),
    class: Type.Optional(ErrorClass),
    step: Type.Optional(Type.String({ description: 'the step that failed' })),
    status: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 599, description: "the failed step's HTTP status" }),
    ),
    reason: Type.Optional(SkipReason),
  },
  {
    description:
      'What went wrong: `message` always; `step` and `status` for a failed step; `reason` why a fire was skipped (`overlap`: overlapPolicy; `paused` / `deleted`: its schedule was paused, disabled or deleted before it started)',
  },
)
export type ExecutionError = Static<typeof ExecutionError>

/** How many bytes of a response body an execution's history keeps. */
export const STEP_BODY_LIMIT_BYTES = 4096

/** One step of one attempt, as kept in the execution's history. */
export const StepOutcome = Type.Object({
  name: Type.String(),
  type: Type.Union([Type.Literal('http'), Type.Literal('delay')]),
  status: StepOutcomeStatus,
  /** The attempt this outcome belongs to (all attempts share the execution). */
  attempt: Type.Optional(Type.Integer({ minimum: 1 })),
  /** http steps that got a response. */
  statusCode: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  durationMs: Type.Integer({ minimum: 0 }),
  startedAt: DateTime,
  body: Type.Optional(
    Type.String({
      maxLength: STEP_BODY_LIMIT_BYTES,
      description: 'the first 4 KiB of the response body (UTF-8)',
    }),
  ),
  /** The body was longer than what `body` keeps. */
  bodyTruncated: Type.Optional(Type.Boolean()),
  error: Type.Optional(Type.String()),
})
export type StepOutcome = Static<typeof StepOutcome>

export const Execution = Type.Object(
  {
    id: Uuid,
    kind: ExecutionKind,
    scheduleId: Nullable(Uuid),
    triggerId: Nullable(Uuid),
    workflowId: Uuid,
    /** The nominal time: a fire's cron time (jitter not included), or the request time of a manual run or redrive. */
    scheduledFor: DateTime,
    dueAt: Type.String({
      format: 'date-time',
      description:
        "When it was due to start: a fire's scheduledFor plus its stable jitter (as the scheduler recorded it); scheduledFor for every other kind. A start more than 1 s after dueAt is late.",
    }),
    enqueuedAt: Nullable(DateTime),
    startedAt: Nullable(DateTime),
    finishedAt: Nullable(DateTime),
    status: ExecutionStatus,
    /** 0 before the first attempt starts, then 1, 2, … */
    attempt: Type.Integer({ minimum: 0 }),
    priority: Type.Integer({ minimum: 0, maximum: 9 }),
    workerId: Nullable(Type.String()),
    error: Nullable(ExecutionError),
    retryOf: Nullable(Uuid),
    input: JsonObject,
    steps: Type.Array(StepOutcome),
    manual: Type.Boolean({ description: 'started by POST /api/schedules/:id/trigger' }),
    causedBy: Nullable(
      Type.String({
        format: 'uuid',
        description:
          'The execution whose `execution.succeeded` or `execution.dead` system event started this one through an event trigger; null otherwise',
      }),
    ),
    chainDepth: Type.Integer({
      minimum: 0,
      description:
        'Links from the root of the chain of system events: 0 unless `causedBy` is set, then the depth of `causedBy` + 1. A chain that loops back onto a workflow it already ran more than 10 times in a row is stopped (audit action `chain.stopped`).',
    }),
  },
  { description: 'One run of a workflow, with all its attempts' },
)
export type Execution = Static<typeof Execution>

export const ExecutionListQuery = Type.Object(
  {
    status: Type.Optional(ExecutionStatus),
    scheduleId: Type.Optional(Uuid),
    triggerId: Type.Optional(Uuid),
    ...PageQuery,
  },
  { additionalProperties: false },
)
export type ExecutionListQuery = Static<typeof ExecutionListQuery>

/** `GET /api/schedules/:id/history`: the schedule's executions, newest first. */
export const ScheduleHistoryQuery = Type.Object(
  { status: Type.Optional(ExecutionStatus), ...PageQuery },
  { additionalProperties: false },
)
export type ScheduleHistoryQuery = Static<typeof ScheduleHistoryQuery>

/** Body of `POST /api/schedules/:id/trigger`: `input` is shallow-merged over the schedule's `input`. */
export const TriggerBody = Type.Object({ input: Type.Optional(JsonObject) }, { additionalProperties: false })
export type TriggerBody = Static<typeof TriggerBody>

/** 202 of a schedule trigger or an execution retry (redrive). */
export const ExecutionAccepted = Type.Object({ executionId: Uuid })
export type ExecutionAccepted = Static<typeof ExecutionAccepted>

export const WorkerState = Type.Union([Type.Literal('running'), Type.Literal('draining')])
export type WorkerState = Static<typeof WorkerState>

/** A live worker, from its heartbeat. */
export const WorkerInfo = Type.Object({
  id: Type.String({ description: 'env WORKER_ID, else generated' }),
  host: Type.String(),
  pid: Type.Integer({ minimum: 0 }),
  startedAt: DateTime,
  lastSeenAt: DateTime,
  concurrency: Type.Integer({ minimum: 0 }),
  running: Type.Integer({ minimum: 0 }),
  cpuPercent: Type.Number({ minimum: 0 }),
  rssBytes: Type.Integer({ minimum: 0 }),
  eventLoopLagMs: Type.Number({ minimum: 0 }),
  state: WorkerState,
})
export type WorkerInfo = Static<typeof WorkerInfo>

export const WorkerList = Type.Object({ items: Type.Array(WorkerInfo) })
export type WorkerList = Static<typeof WorkerList>

/** `GET /api/executions/throughput?minutes=`: how many executions ended in each of the last minutes. */
export const ThroughputQuery = Type.Object(
  { minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, default: 60 })) },
  { additionalProperties: false },
)
export type ThroughputQuery = Static<typeof ThroughputQuery>

export const ThroughputMinute = Type.Object({
  at: DateTime,
  succeeded: Type.Integer({ minimum: 0 }),
  dead: Type.Integer({ minimum: 0 }),
  cancelled: Type.Integer({ minimum: 0 }),
})
export type ThroughputMinute = Static<typeof ThroughputMinute>

export const ExecutionThroughput = Type.Object(
  {
    from: DateTime,
    to: DateTime,
    minutes: Type.Array(ThroughputMinute),
  },
  {
    description:
      "The tenant's executions that ended (succeeded, dead, cancelled) in each whole minute from `from` to `to`, oldest first, zeros included; the current minute is the last, partial one",
  },
)
export type ExecutionThroughput = Static<typeof ExecutionThroughput>
