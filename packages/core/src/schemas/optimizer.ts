import { type Static, Type } from 'typebox'
import { DateTime, Nullable, Uuid } from './common.ts'

export const OPTIMIZER_MAX_HOURS = 168
/** suggestions and patterns per answer, and suggestions per apply. */
export const OPTIMIZER_MAX_ENTRIES = 1000

export const OptimizerQuery = Type.Object(
  {
    hours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: OPTIMIZER_MAX_HOURS,
        default: 24,
        description: 'The window: from now (to the second) this many hours ahead',
      }),
    ),
  },
  { additionalProperties: false },
)
export type OptimizerQuery = Static<typeof OptimizerQuery>

export const PeakFigure = Type.Object({
  at: Nullable(DateTime),
  fires: Type.Integer({ minimum: 0, description: 'fires starting in that second (jitter applied)' }),
})

const Hotspot = Type.Object({
  at: DateTime,
  fires: Type.Integer({ minimum: 1 }),
  scheduleIds: Type.Array(Uuid, { maxItems: 10, description: 'at most 10 of the schedules firing then' }),
})

const Timing = Type.Object({ cronExpression: Type.String(), jitterMs: Type.Integer({ minimum: 0 }) })

export const SuggestedChange = Type.Object(
  {
    cronExpression: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    jitterMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 59_999 })),
  },
  { additionalProperties: false, minProperties: 1 },
)

const Suggestion = Type.Object({
  scheduleId: Uuid,
  version: Type.Integer({ minimum: 1 }),
  reason: Type.String(),
  current: Timing,
  suggested: SuggestedChange,
})

const Pattern = Type.Object({
  scheduleId: Uuid,
  runs: Type.Integer({ minimum: 0 }),
  p50DurationMs: Nullable(Type.Integer()),
  p95DurationMs: Nullable(Type.Integer()),
  failureRate: Type.Number({ minimum: 0, maximum: 1 }),
  lateP95Ms: Nullable(Type.Integer()),
  overlapRisk: Type.Boolean(),
})

export const OptimizerReport = Type.Object({
  generatedAt: Type.String({
    format: 'date-time',
    description: 'when the patterns were last refreshed by a worker (the request time when never)',
  }),
  from: DateTime,
  to: DateTime,
  peak: PeakFigure,
  hotspots: Type.Array(Hotspot, { maxItems: 20 }),
  suggestions: Type.Array(Suggestion, { maxItems: OPTIMIZER_MAX_ENTRIES }),
  suggestionsTotal: Type.Integer({ minimum: 0 }),
  peakAfterSuggestions: PeakFigure,
  patterns: Type.Array(Pattern, { maxItems: OPTIMIZER_MAX_ENTRIES }),
  patternsTotal: Type.Integer({ minimum: 0 }),
})
export type OptimizerReport = Static<typeof OptimizerReport>

export const OptimizerApplyBody = Type.Object(
  {
    suggestions: Type.Array(
      Type.Object(
        {
          scheduleId: Uuid,
          version: Type.Integer({ minimum: 1, description: 'the version the suggestion was made for' }),
          suggested: SuggestedChange,
          // Accepted so a GET answer's entries can be sent back as they are; not read.
          reason: Type.Optional(Type.String()),
          current: Type.Optional(Timing),
        },
        { additionalProperties: false },
      ),
      { maxItems: OPTIMIZER_MAX_ENTRIES },
    ),
    dryRun: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
)
export type OptimizerApplyBody = Static<typeof OptimizerApplyBody>

const VersionedTiming = Type.Object({
  cronExpression: Type.String(),
  jitterMs: Type.Integer({ minimum: 0 }),
  version: Type.Integer({ minimum: 1 }),
})

export const OptimizerApplyResult = Type.Object({
  applied: Type.Array(Type.Object({ scheduleId: Uuid, before: VersionedTiming, after: VersionedTiming })),
  conflicts: Type.Array(Uuid),
  peakBefore: PeakFigure,
  peakAfter: PeakFigure,
})
export type OptimizerApplyResult = Static<typeof OptimizerApplyResult>
